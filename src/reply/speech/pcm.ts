/** PCM plumbing: joining chunks, 48 kHz stereo for @discordjs/voice, WAV files. */
import { Readable } from 'node:stream';
import type { PcmChunk } from '../types';
import { StreamResampler, resampleAll } from './StreamResampler';

/** @discordjs/voice plays raw PCM as 48 kHz, 2-channel, signed 16-bit little-endian. */
export const DISCORD_SAMPLE_RATE = 48000;

/** Join chunks of one sample rate into one chunk. */
export function concatChunks(chunks: readonly PcmChunk[]): PcmChunk {
  if (chunks.length === 0) return { samples: new Int16Array(0), sampleRate: DISCORD_SAMPLE_RATE };
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

/** Resample a mono chunk to 48 kHz (band-limited, so no aliasing from engines at 22.05 or 24 kHz). */
export function to48kMono(chunk: PcmChunk): Int16Array {
  if (chunk.sampleRate === DISCORD_SAMPLE_RATE) return chunk.samples;
  return toInt16(resampleAll(toFloat(chunk.samples), chunk.sampleRate, DISCORD_SAMPLE_RATE));
}

/** 48 kHz mono samples as interleaved stereo s16le bytes, the layout @discordjs/voice's Raw input wants. */
export function monoToStereoBytes(mono: Int16Array): Buffer {
  const out = Buffer.alloc(mono.length * 4);
  for (let i = 0; i < mono.length; i++) {
    out.writeInt16LE(mono[i]!, i * 4);
    out.writeInt16LE(mono[i]!, i * 4 + 2);
  }
  return out;
}

/** A whole mono chunk as 48 kHz interleaved stereo s16le bytes. */
export function toDiscordPcm(chunk: PcmChunk): Buffer {
  return monoToStereoBytes(to48kMono(chunk));
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
