/** Speech as @discordjs/voice plays it: raw 48 kHz stereo PCM, converted as the engine's chunks arrive. */
import { Readable } from 'node:stream';
import { StreamResampler } from '../../ml/audio/resample';
import { resampleChunk, toFloat, toInt16, type PcmChunk } from '../../reply';

/** @discordjs/voice plays raw PCM as 48 kHz, 2-channel, signed 16-bit little-endian. */
export const DISCORD_SAMPLE_RATE = 48000;

/** 48 kHz mono samples as interleaved stereo s16le bytes, the layout @discordjs/voice's Raw input wants. */
export function monoToStereoBytes(mono: Int16Array): Buffer {
  const out = Buffer.alloc(mono.length * 4);
  for (let i = 0; i < mono.length; i++) {
    const sample = mono[i]!;
    out.writeInt16LE(sample, i * 4);
    out.writeInt16LE(sample, i * 4 + 2);
  }
  return out;
}

/** A whole mono chunk as 48 kHz interleaved stereo s16le bytes. */
export function toDiscordPcm(chunk: PcmChunk): Buffer {
  return monoToStereoBytes(resampleChunk(chunk, DISCORD_SAMPLE_RATE));
}

/**
 * 48 kHz stereo s16le byte buffers from a stream of mono chunks, converted as they arrive. One resampler
 * runs across the whole stream, so the joins between chunks stay click-free.
 */
export async function* discordPcmChunks(chunks: AsyncIterable<PcmChunk>): AsyncGenerator<Buffer> {
  let resampler: StreamResampler | null = null;
  for await (const chunk of chunks) {
    if (chunk.samples.length === 0) continue;
    if (chunk.sampleRate === DISCORD_SAMPLE_RATE && resampler === null) {
      yield monoToStereoBytes(chunk.samples);
      continue;
    }
    if (resampler !== null && resampler.fromRate !== chunk.sampleRate) {
      const tail = resampler.flush();
      if (tail.length > 0) yield monoToStereoBytes(toInt16(tail));
      resampler = null;
    }
    resampler ??= new StreamResampler(chunk.sampleRate, DISCORD_SAMPLE_RATE);
    const out = resampler.push(toFloat(chunk.samples));
    if (out.length > 0) yield monoToStereoBytes(toInt16(out));
  }
  if (resampler !== null) {
    const tail = resampler.flush();
    if (tail.length > 0) yield monoToStereoBytes(toInt16(tail));
  }
}

/**
 * A Readable of raw 48 kHz stereo s16le PCM for `createAudioResource(stream, { inputType: StreamType.Raw })`.
 * Playback can start as soon as the engine's first chunk is converted.
 */
export function discordPcmStream(chunks: AsyncIterable<PcmChunk>): Readable {
  return Readable.from(discordPcmChunks(chunks), { objectMode: false });
}
