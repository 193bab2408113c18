import {
  DISCORD_SAMPLE_RATE,
  discordPcmChunks,
  discordPcmStream,
  encodeWav,
  toDiscordPcm,
  type PcmChunk,
} from '../../src/reply';
import { StreamResampler, resampleAll } from '../../src/reply/speech/StreamResampler';
import { zeroCrossingFrequency } from './signals';

function sine(freq: number, seconds: number, rate: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

describe('resampling to 48 kHz', () => {
  it('keeps a tone at its frequency and level', () => {
    const out = resampleAll(sine(440, 1, 22050), 22050, 48000);
    expect(out.length).toBeGreaterThanOrEqual(47999);
    expect(out.length).toBeLessThanOrEqual(48001);
    expect(zeroCrossingFrequency(out, 48000)).toBeCloseTo(440, -0.5);
    const middle = out.subarray(1000, 47000);
    expect(Math.max(...middle)).toBeCloseTo(0.5, 1);
  });

  it('gives the same samples streamed in odd-sized pieces as all at once (no clicks at joins)', () => {
    const input = sine(300, 0.5, 22050);
    const whole = resampleAll(input, 22050, 48000);
    const resampler = new StreamResampler(22050, 48000);
    const parts: Float32Array[] = [];
    for (let at = 0, size = 7; at < input.length; at += size, size = ((size * 3) % 1000) + 1)
      parts.push(resampler.push(input.subarray(at, at + size)));
    parts.push(resampler.flush());
    const streamed = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      streamed.set(p, o);
      o += p.length;
    }
    expect(streamed.length).toBe(whole.length);
    let maxDiff = 0;
    for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole[i]! - streamed[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('filters when downsampling: a 20 kHz tone does not alias into 16 kHz audio', () => {
    const out = resampleAll(sine(20000, 0.2, 48000), 48000, 16000);
    const rms = Math.sqrt(out.reduce((n, v) => n + v * v, 0) / out.length);
    expect(rms).toBeLessThan(0.02);
  });

  it('rejects impossible rates', () => {
    expect(() => new StreamResampler(0, 48000)).toThrow(RangeError);
  });
});

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
    async function* chunks(): AsyncGenerator<PcmChunk> {
      yield { samples: new Int16Array(0), sampleRate: 48000 };
      yield { samples: Int16Array.from([1, -2, 3]), sampleRate: 48000 };
    }
    const parts: Buffer[] = [];
    for await (const b of discordPcmStream(chunks())) parts.push(b as Buffer);
    expect([...new Int16Array(Uint8Array.from(Buffer.concat(parts)).buffer)]).toEqual([1, 1, -2, -2, 3, 3]);
  });

  it('handles a change of sample rate mid-stream', async () => {
    async function* chunks(): AsyncGenerator<PcmChunk> {
      yield chunk;
      yield { samples: chunk.samples, sampleRate: 16000 };
    }
    let bytes = 0;
    for await (const b of discordPcmChunks(chunks())) bytes += b.length;
    expect(Math.abs(bytes / 4 - (4800 + 7200))).toBeLessThanOrEqual(4);
  });
});

describe('encodeWav', () => {
  it('writes a 44-byte header and the samples', () => {
    const wav = Buffer.from(encodeWav(Int16Array.from([0, 1000, -1000]), 22050));
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(36 + 6);
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(22050);
    expect(wav.readUInt32LE(40)).toBe(6);
    expect(wav.readInt16LE(46)).toBe(1000);
    expect(wav.length).toBe(50);
  });
});
