/** PCM plumbing: joining chunks, converting samples and rates, WAV files. */
import { resample } from '../../ml/audio/resample';
import type { PcmChunk } from '../types';

/** Join chunks of one sample rate into one chunk. */
export function concatChunks(chunks: readonly PcmChunk[]): PcmChunk {
  // No chunk, no rate: 48 kHz, the rate every consumer (Opus, Discord playback) ends at.
  if (chunks.length === 0) return { samples: new Int16Array(0), sampleRate: 48000 };
  const sampleRate = chunks[0]!.sampleRate;
  let length = 0;
  for (const chunk of chunks) {
    if (chunk.sampleRate !== sampleRate)
      throw new RangeError(`cannot join chunks at ${sampleRate} and ${chunk.sampleRate} Hz`);
    length += chunk.samples.length;
  }
  const samples = new Int16Array(length);
  let at = 0;
  for (const chunk of chunks) {
    samples.set(chunk.samples, at);
    at += chunk.samples.length;
  }
  return { samples, sampleRate };
}

/** Collect a whole stream of chunks. */
export async function collectChunks(chunks: AsyncIterable<PcmChunk>): Promise<PcmChunk> {
  const all: PcmChunk[] = [];
  for await (const chunk of chunks) all.push(chunk);
  return concatChunks(all);
}

/** Int16 → Float32 in [-1, 1). */
export function toFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! / 32768;
  return out;
}

/** Float32 → Int16 with clipping. */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round(samples[i]! * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** A mono chunk at `rate` (band-limited, so no aliasing from engines at 22.05 or 24 kHz). */
export function resampleChunk(chunk: PcmChunk, rate: number): Int16Array {
  if (chunk.sampleRate === rate) return chunk.samples;
  return toInt16(resample(toFloat(chunk.samples), chunk.sampleRate, rate));
}

/** A 16-bit PCM WAV file (RIFF, one `fmt ` and one `data` chunk). */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20); // PCM
  out.writeUInt16LE(channels, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * channels * 2, 28);
  out.writeUInt16LE(channels * 2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i]!, 44 + i * 2);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Duration of a chunk in seconds. */
export function durationOf(chunk: PcmChunk): number {
  return chunk.sampleRate > 0 ? chunk.samples.length / chunk.sampleRate : 0;
}
