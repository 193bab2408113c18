import fs from 'node:fs';
import OpusScript from 'opusscript';
import { type Result, fail, ok } from '../../../src/ml/types';
import { parseOggOpus } from './ogg';

/** Opus in Discord: 48 kHz, 20 ms frames (960 samples per channel). */
export const SAMPLE_RATE = 48_000;
export const FRAME_SAMPLES = 960;

/** Options of `encodeOpusPackets`. */
export interface EncodeOptions {
  /** Opus channels. Default 2: Discord clients send stereo, and bots decode as 48 kHz stereo. */
  channels?: 1 | 2;
  /** Target bitrate in bit/s (default 64 000, Discord's default voice bitrate). */
  bitrate?: number;
}

const OPUS_SET_BITRATE = 4002;

/**
 * Encodes 48 kHz mono PCM (floats in [-1, 1]) into 20 ms Opus packets, as a Discord client would send
 * them (stereo by default: the mono signal on both channels). The last frame is zero-padded.
 */
export function encodeOpusPackets(pcm48kMono: Float32Array, options: EncodeOptions = {}): Buffer[] {
  const channels = options.channels ?? 2;
  const encoder = new OpusScript(SAMPLE_RATE, channels, OpusScript.Application.VOIP);
  try {
    encoder.encoderCTL(OPUS_SET_BITRATE, options.bitrate ?? 64_000);
    const packets: Buffer[] = [];
    const frame = Buffer.alloc(FRAME_SAMPLES * channels * 2);
    for (let start = 0; start < pcm48kMono.length; start += FRAME_SAMPLES) {
      frame.fill(0);
      const end = Math.min(start + FRAME_SAMPLES, pcm48kMono.length);
      for (let i = start; i < end; i++) {
        const sample = Math.round(Math.max(-1, Math.min(1, pcm48kMono[i] as number)) * 32767);
        for (let c = 0; c < channels; c++) frame.writeInt16LE(sample, ((i - start) * channels + c) * 2);
      }
      // opusscript reuses its output buffer: copy each packet.
      packets.push(Buffer.from(encoder.encode(frame, FRAME_SAMPLES)));
    }
    return packets;
  } finally {
    encoder.delete();
  }
}

/**
 * Decodes Opus packets to 48 kHz mono floats (channels averaged). `channels` is the decoder's output
 * layout (2 matches @discordjs/voice and real Discord); packets that fail to decode are a typed failure.
 */
export function decodeOpusPackets(packets: readonly Buffer[], channels: 1 | 2 = 2): Result<Float32Array> {
  const decoder = new OpusScript(SAMPLE_RATE, channels, OpusScript.Application.VOIP);
  const chunks: Float32Array[] = [];
  try {
    for (let index = 0; index < packets.length; index++) {
      let pcm: Buffer;
      try {
        pcm = decoder.decode(packets[index] as Buffer);
      } catch (error) {
        return fail('corrupt', `Opus packet ${index} does not decode: ${(error as Error).message}`);
      }
      const frames = pcm.length / (2 * channels);
      const mono = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += pcm.readInt16LE((i * channels + c) * 2);
        mono[i] = sum / channels / 32768;
      }
      chunks.push(mono);
    }
  } finally {
    decoder.delete();
  }
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return ok(out);
}

/** A decoded Ogg Opus clip: 48 kHz mono PCM and the Opus packets it came from. */
export interface OggOpusClip {
  pcm: Float32Array;
  /** The file's own packets (the encoder's frames; RAVDESS clips use 20 ms). */
  packets: Buffer[];
  channels: number;
  durationSecs: number;
}

/**
 * Decodes an Ogg Opus file (such as the shared RAVDESS clips or a Discord voice message) to 48 kHz
 * mono: parses pages with `parseOggOpus`, decodes with opusscript, drops the pre-skip, trims to the
 * final granule position and applies the header's output gain.
 */
export function decodeOggOpus(bytes: Buffer): Result<OggOpusClip> {
  const parsed = parseOggOpus(bytes);
  if (!parsed.ok) return parsed;
  const stream = parsed.value;
  if (stream.packets.length === 0) return fail('silence', 'The Ogg Opus stream has no audio packets.');
  const decoded = decodeOpusPackets(stream.packets, stream.channels === 1 ? 1 : 2);
  if (!decoded.ok) return decoded;
  const total =
    stream.finalGranule >= 0
      ? Math.max(0, stream.finalGranule - stream.preSkip)
      : decoded.value.length - stream.preSkip;
  const pcm = decoded.value.slice(stream.preSkip, stream.preSkip + total);
  if (stream.outputGainDb !== 0) {
    const gain = 10 ** (stream.outputGainDb / 20);
    for (let i = 0; i < pcm.length; i++) pcm[i] = (pcm[i] as number) * gain;
  }
  return ok({ pcm, packets: stream.packets, channels: stream.channels, durationSecs: pcm.length / SAMPLE_RATE });
}

/** Reads and decodes an Ogg Opus file from disk; a missing/unreadable file is a typed failure. */
export function loadOggOpusFile(path: string): Result<OggOpusClip> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(path);
  } catch (error) {
    return fail('invalid', `Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return decodeOggOpus(bytes);
}

/** Peak level of PCM in dBFS (-Infinity for digital silence). */
export function peakDb(pcm: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < pcm.length; i++) peak = Math.max(peak, Math.abs(pcm[i] as number));
  return 20 * Math.log10(peak);
}

/**
 * Seconds of audible signal in 48 kHz mono PCM: 20 ms windows whose RMS is above a threshold, either
 * absolute (`thresholdDb` dBFS, default -40) or `belowPeakDb` under the clip's own peak (recordings
 * such as RAVDESS are quiet, so a relative threshold measures speech length more fairly). A test uses
 * it to check that the bot's spoken reply has a plausible length.
 */
export function activeSeconds(pcm: Float32Array, options: { thresholdDb?: number; belowPeakDb?: number } = {}): number {
  const thresholdDb =
    options.belowPeakDb !== undefined ? peakDb(pcm) - options.belowPeakDb : (options.thresholdDb ?? -40);
  const threshold = 10 ** (thresholdDb / 20);
  let active = 0;
  for (let start = 0; start + FRAME_SAMPLES <= pcm.length; start += FRAME_SAMPLES) {
    let energy = 0;
    for (let i = start; i < start + FRAME_SAMPLES; i++) energy += (pcm[i] as number) ** 2;
    if (Math.sqrt(energy / FRAME_SAMPLES) > threshold) active++;
  }
  return (active * FRAME_SAMPLES) / SAMPLE_RATE;
}

/** A test tone: `seconds` of a `hz` sine at `amplitude`, 48 kHz mono. */
export function sineWave(seconds: number, hz = 220, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE);
  return out;
}
