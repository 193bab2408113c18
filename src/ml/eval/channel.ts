/**
 * Channel changes for robustness checks: what a different microphone, Discord's automatic gain or a
 * phone-band line does to a clip between calibration and use. Pure functions on analysis-rate PCM;
 * the evaluation applies them in memory, so no variant of the shared data is ever written anywhere.
 */
import type { Pcm } from '../types';

/** Scales by `db` decibels and clips to [-1, 1], as a real device's converter would. */
export function applyGainDb(pcm: Pcm, db: number): Pcm {
  const g = 10 ** (db / 20);
  const out = new Float32Array(pcm.samples.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-1, Math.min(1, pcm.samples[i]! * g));
  return { samples: out, sampleRate: pcm.sampleRate };
}

/** One RBJ-cookbook biquad section, run in place (direct form I). */
function biquad(x: Float32Array, kind: 'lowpass' | 'highpass', hz: number, q: number, rate: number): void {
  const w = (2 * Math.PI * hz) / rate;
  const alpha = Math.sin(w) / (2 * q);
  const cos = Math.cos(w);
  const b1 = kind === 'lowpass' ? 1 - cos : -(1 + cos);
  const b0 = kind === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
  const a0 = 1 + alpha;
  const [c0, c1, c2, d1, d2] = [b0 / a0, b1 / a0, b0 / a0, (-2 * cos) / a0, (1 - alpha) / a0];
  let [x1, x2, y1, y2] = [0, 0, 0, 0];
  for (let i = 0; i < x.length; i++) {
    const y = c0 * x[i]! + c1 * x1 + c2 * x2 - d1 * y1 - d2 * y2;
    x2 = x1;
    x1 = x[i]!;
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
}

/** Q of the two sections of a 4th-order Butterworth filter. */
const BUTTERWORTH_4_Q = [1 / (2 * Math.cos(Math.PI / 8)), 1 / (2 * Math.cos((3 * Math.PI) / 8))];

/**
 * Band-limits to [lowHz, highHz] with 4th-order Butterworth high- and low-pass filters (24 dB per
 * octave each side), the shape of a telephone channel (300–3400 Hz) rather than a brick wall.
 */
export function bandLimit(pcm: Pcm, lowHz: number, highHz: number): Pcm {
  const out = Float32Array.from(pcm.samples);
  for (const q of BUTTERWORTH_4_Q) biquad(out, 'highpass', lowHz, q, pcm.sampleRate);
  for (const q of BUTTERWORTH_4_Q) biquad(out, 'lowpass', highHz, q, pcm.sampleRate);
  return { samples: out, sampleRate: pcm.sampleRate };
}

/** A named channel condition for the robustness evaluation. */
export interface ChannelCondition {
  name: string;
  apply(pcm: Pcm): Pcm;
}

/** The conditions the issue asks about: gain −12, −6, +6 dB, and a 300–3400 Hz phone band. */
export const CHANNEL_CONDITIONS: readonly ChannelCondition[] = [
  { name: 'gain_-12dB', apply: (p) => applyGainDb(p, -12) },
  { name: 'gain_-6dB', apply: (p) => applyGainDb(p, -6) },
  { name: 'gain_+6dB', apply: (p) => applyGainDb(p, 6) },
  { name: 'band_300-3400Hz', apply: (p) => bandLimit(p, 300, 3400) },
];
