/**
 * Pitch tracking with YIN's cumulative-mean-normalised difference, computed through an FFT
 * autocorrelation on a 4 kHz copy of the signal. Speech f0 lies in 60–450 Hz, so 4 kHz keeps every
 * harmonic YIN needs while cutting the work per frame to two 256-point real FFTs
 * (brute-force YIN would cost window × lags multiply-adds per frame).
 */
import { realFft } from './fft';

/** Rate the tracker runs at. */
export const PITCH_SAMPLE_RATE = 4000;
export const MIN_F0 = 60;
export const MAX_F0 = 450;
/** YIN's absolute threshold on the normalised difference. */
const YIN_THRESHOLD = 0.2;
/** Frames whose best normalised difference is above this are unvoiced. */
const VOICING_LIMIT = 0.35;
/** Analysis window at the pitch rate: 46 ms, at least two periods of the lowest f0. */
const WINDOW = 184;
const MAX_LAG = Math.ceil(PITCH_SAMPLE_RATE / MIN_F0);
const MIN_LAG = Math.floor(PITCH_SAMPLE_RATE / MAX_F0);
/** Window + max lag fits without circular wrap-around. */
const FFT_SIZE = 256;

/** Low-pass FIR (Hamming-windowed sinc, cut-off 1.7 kHz at 16 kHz) for decimation by 4. */
const DECIMATION_TAPS = (() => {
  const taps = 31;
  const fc = 1700 / 16000;
  const h = new Float64Array(taps);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const m = i - (taps - 1) / 2;
    const sinc = m === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * m) / (Math.PI * m);
    h[i] = sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (taps - 1)));
    sum += h[i]!;
  }
  for (let i = 0; i < taps; i++) h[i] = h[i]! / sum;
  return h;
})();

/** Band-limit and keep every 4th sample: 16 kHz → 4 kHz. */
export function decimateBy4(samples: Float32Array): Float64Array {
  const taps = DECIMATION_TAPS;
  const half = (taps.length - 1) >> 1;
  const n = samples.length;
  const out = new Float64Array(Math.floor(n / 4));
  for (let o = 0; o < out.length; o++) {
    const centre = o * 4;
    let acc = taps[half]! * samples[centre]!;
    if (centre >= half && centre + half < n) {
      // Interior: the kernel is symmetric, so pair the taps (half the multiplies, no bounds checks).
      for (let t = 1; t <= half; t++) acc += taps[half + t]! * (samples[centre - t]! + samples[centre + t]!);
    } else {
      for (let t = 1; t <= half; t++) {
        const l = centre - t;
        const r = centre + t;
        acc += taps[half + t]! * ((l >= 0 ? samples[l]! : 0) + (r < n ? samples[r]! : 0));
      }
    }
    out[o] = acc;
  }
  return out;
}

/** One frame's pitch reading. */
export interface PitchFrame {
  /** Fundamental frequency in Hz, or 0 when unvoiced. */
  f0: number;
  /** YIN's normalised difference at the chosen lag: 0 = perfectly periodic, 1 = noise. */
  aperiodicity: number;
}

/**
 * Track pitch every `hop` pitch-rate samples over a 4 kHz signal. Frame f is centred at
 * `f * hop + centreOffset`; `active[f]` false skips a frame (unvoiced) without computing it, and so
 * does a window that would reach outside the signal.
 */
export function trackPitch(
  signal4k: Float64Array,
  hop: number,
  frames: number,
  active?: Uint8Array,
  centreOffset = WINDOW / 2,
): PitchFrame[] {
  const fft = realFft(FFT_SIZE);
  const frame = new Float64Array(WINDOW);
  const re = new Float64Array(FFT_SIZE / 2 + 1);
  const im = new Float64Array(FFT_SIZE / 2 + 1);
  const acf = new Float64Array(FFT_SIZE);
  const energy = new Float64Array(WINDOW + 1);
  const cmnd = new Float64Array(MAX_LAG + 2);
  const result: PitchFrame[] = [];
  for (let f = 0; f < frames; f++) {
    const start = Math.round(f * hop + centreOffset - WINDOW / 2);
    if ((active && !active[f]) || start < 0 || start + WINDOW > signal4k.length) {
      result.push({ f0: 0, aperiodicity: 1 });
      continue;
    }
    for (let i = 0; i < WINDOW; i++) frame[i] = signal4k[start + i]!;
    // Autocorrelation r(τ) = Σ x_j x_{j+τ} via |X|², zero-padded so lags do not wrap.
    fft.forward(frame, re, im);
    for (let k = 0; k < re.length; k++) {
      re[k] = re[k]! * re[k]! + im[k]! * im[k]!;
      im[k] = 0;
    }
    fft.inverse(re, im, acf);
    energy[0] = 0;
    for (let i = 0; i < WINDOW; i++) energy[i + 1] = energy[i]! + frame[i]! * frame[i]!;
    result.push(pickLag(acf, energy, cmnd));
  }
  return result;
}

/**
 * YIN on the finite-window difference d(τ) = Σ_{j<W-τ} (x_j − x_{j+τ})², which equals
 * E[0, W−τ) + E[τ, W) − 2 r(τ): the cumulative energies make it exact, not an approximation.
 */
function pickLag(acf: Float64Array, energy: Float64Array, cmnd: Float64Array): PitchFrame {
  const total = energy[WINDOW]!;
  if (total <= 1e-10) return { f0: 0, aperiodicity: 1 };
  let running = 0;
  cmnd[0] = 1;
  for (let tau = 1; tau <= MAX_LAG; tau++) {
    // Normalise by the overlap length so short overlaps at long lags are not favoured.
    const d = (energy[WINDOW - tau]! + (total - energy[tau]!) - 2 * acf[tau]!) / (WINDOW - tau);
    running += d;
    cmnd[tau] = running > 0 ? (d * tau) / running : 1;
  }
  let best = -1;
  for (let tau = MIN_LAG; tau <= MAX_LAG; tau++) {
    if (cmnd[tau]! < YIN_THRESHOLD) {
      while (tau + 1 <= MAX_LAG && cmnd[tau + 1]! < cmnd[tau]!) tau++;
      best = tau;
      break;
    }
  }
  if (best < 0) {
    // No dip under the threshold: take the global minimum, voiced only if it is clear enough.
    best = MIN_LAG;
    for (let tau = MIN_LAG + 1; tau <= MAX_LAG; tau++) if (cmnd[tau]! < cmnd[best]!) best = tau;
  }
  const value = cmnd[best]!;
  if (value > VOICING_LIMIT || best <= MIN_LAG || best >= MAX_LAG) return { f0: 0, aperiodicity: Math.min(1, value) };
  // Parabolic interpolation around the dip for sub-sample lag precision.
  const a = cmnd[best - 1]!;
  const c = cmnd[best + 1]!;
  const denom = a - 2 * value + c;
  const shift = denom > 0 ? (0.5 * (a - c)) / denom : 0;
  return { f0: PITCH_SAMPLE_RATE / (best + shift), aperiodicity: Math.max(0, value) };
}
