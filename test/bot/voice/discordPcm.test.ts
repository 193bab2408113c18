import {
  DISCORD_SAMPLE_RATE,
  discordPcmChunks,
  discordPcmStream,
  toDiscordPcm,
} from '../../../src/bot/voice/discordPcm';
import type { PcmChunk } from '../../../src/reply';

/** Chunks as a speech engine hands them over: one at a time, each after a turn of the event loop. */
async function* arriving(chunks: readonly PcmChunk[]): AsyncGenerator<PcmChunk> {
  for (const chunk of chunks) {
    await new Promise((resolve) => setImmediate(resolve));
    yield chunk;
  }
}

function sine(freq: number, seconds: number, rate: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

describe('raw PCM for @discordjs/voice', () => {
  const chunk: PcmChunk = {
    samples: Int16Array.from(sine(440, 0.1, 24000), (v) => Math.round(v * 32767)),
    sampleRate: 24000,
  };

  it('is 48 kHz stereo s16le with identical channels', () => {
    const bytes = toDiscordPcm(chunk);
    expect(bytes.length).toBe(0.1 * DISCORD_SAMPLE_RATE * 4);
    for (let i = 0; i < bytes.length; i += 4) expect(bytes.readInt16LE(i)).toBe(bytes.readInt16LE(i + 2));
  });

  it('streams as a Readable of bytes, skipping empty chunks and passing 48 kHz through unchanged', async () => {
    const chunks = arriving([
      { samples: new Int16Array(0), sampleRate: 48000 },
      { samples: Int16Array.from([1, -2, 3]), sampleRate: 48000 },
    ]);
    const parts: Buffer[] = [];
    for await (const b of discordPcmStream(chunks)) parts.push(b as Buffer);
    expect([...new Int16Array(Uint8Array.from(Buffer.concat(parts)).buffer)]).toEqual([1, 1, -2, -2, 3, 3]);
  });

  it('handles a change of sample rate mid-stream', async () => {
    const chunks = () => arriving([chunk, { samples: chunk.samples, sampleRate: 16000 }]);
    let bytes = 0;
    for await (const b of discordPcmChunks(chunks())) bytes += b.length;
    expect(Math.abs(bytes / 4 - (4800 + 7200))).toBeLessThanOrEqual(4);
  });
});
