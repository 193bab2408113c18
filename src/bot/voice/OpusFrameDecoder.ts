import { ANALYSIS_SAMPLE_RATE } from '../../ml/audio/constants';
import { OpusDecoder } from '../../ml/audio/opus';
import type { Pcm } from '../../ml/types';

/** Samples in one 20 ms frame at the analysis rate. */
const FRAME_SAMPLES = (ANALYSIS_SAMPLE_RATE / 1000) * 20;

/**
 * Decodes a voice channel's Opus frames one by one, as they arrive, straight to mono at the
 * analysis rate with the decoder files use (libopus synthesises 16 kHz and downmixes Discord's
 * stereo itself, so no resampling pass). Each frame costs tens of microseconds, spread over the utterance; when speech
 * ends the clip is already decoded.
 */
export class OpusFrameDecoder {
  private readonly opus = new OpusDecoder();
  private buffer = new Float32Array(ANALYSIS_SAMPLE_RATE * 2);
  private length = 0;
  /** Frames the decoder refused (kept as silence). */
  rejected = 0;

  /** Decoded audio so far, in milliseconds. */
  get durationMs(): number {
    return (this.length / ANALYSIS_SAMPLE_RATE) * 1000;
  }

  /** Appends one frame; returns its level in dBFS (-Infinity for digital silence). */
  decode(frame: Buffer): number {
    let samples: Int16Array;
    try {
      samples = this.opus.decode(frame);
    } catch {
      this.rejected++;
      this.conceal(1);
      return -Infinity;
    }
    this.reserve(samples.length);
    let energy = 0;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]! / 32768;
      this.buffer[this.length + i] = x;
      energy += x * x;
    }
    this.length += samples.length;
    return samples.length === 0 ? -Infinity : 10 * Math.log10(energy / samples.length);
  }

  /** Appends `frames` × 20 ms of silence in place of frames that never arrived readable. */
  conceal(frames: number): void {
    const n = frames * FRAME_SAMPLES;
    this.reserve(n);
    this.buffer.fill(0, this.length, this.length + n);
    this.length += n;
  }

  /** The audio decoded so far (a copy). */
  pcm(): Pcm {
    return { samples: this.buffer.slice(0, this.length), sampleRate: ANALYSIS_SAMPLE_RATE };
  }

  close(): void {
    this.opus.close();
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Float32Array(Math.max(this.buffer.length * 2, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}
