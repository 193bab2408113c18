/**
 * Downmixing and band-limited resampling to the analysis rate. A Kaiser-windowed sinc kernel is
 * tabulated once per rate pair (interpolated between table steps), so any rate works, including
 * non-integer ratios such as 44.1 kHz → 16 kHz. Ogg Opus never comes here: libopus decodes at 16 kHz.
 */

/** Average channels into one (equal weights: speech is rarely panned). */
export function downmix(channels: readonly Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const length = channels[0]!.length;
  const out = new Float32Array(length);
  for (const channel of channels) for (let i = 0; i < length; i++) out[i] = out[i]! + channel[i]!;
  const scale = 1 / channels.length;
  for (let i = 0; i < length; i++) out[i] = out[i]! * scale;
  return out;
}

/** Zero crossings of the sinc kept on each side: enough for > 60 dB stop-band with the Kaiser window. */
const ZERO_CROSSINGS = 12;
/** Cut-off as a fraction of the lower Nyquist rate (leaves a transition band below it). */
const CUTOFF = 0.92;
const TABLE_STEPS = 256;
const KAISER_BETA = 7;

interface Kernel {
  /** Half-width in input samples. */
  halfWidth: number;
  /** Kernel values at 1/TABLE_STEPS input-sample steps from 0 to halfWidth. */
  table: Float64Array;
}

const kernels = new Map<string, Kernel>();

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 30; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
  }
  return sum;
}

function kernelFor(fromRate: number, toRate: number): Kernel {
  const key = `${fromRate}>${toRate}`;
  const cached = kernels.get(key);
  if (cached) return cached;
  // Cut-off in cycles per input sample.
  const fc = (CUTOFF * 0.5 * Math.min(fromRate, toRate)) / fromRate;
  const halfWidth = ZERO_CROSSINGS / (2 * fc);
  const size = Math.ceil(halfWidth * TABLE_STEPS) + 2;
  const table = new Float64Array(size);
  const norm = besselI0(KAISER_BETA);
  for (let i = 0; i < size; i++) {
    const x = i / TABLE_STEPS;
    const r = x / halfWidth;
    if (r >= 1) continue;
    const sinc = x === 0 ? 1 : Math.sin(2 * Math.PI * fc * x) / (2 * Math.PI * fc * x);
    table[i] = 2 * fc * sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / norm);
  }
  const kernel = { halfWidth, table };
  kernels.set(key, kernel);
  return kernel;
}

/** Resample mono `input` from `fromRate` to `toRate` with a band-limiting windowed-sinc filter. */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const { halfWidth, table } = kernelFor(fromRate, toRate);
  const outLength = Math.floor((input.length * toRate) / fromRate);
  const out = new Float32Array(outLength);
  const step = fromRate / toRate;
  const n = input.length;
  const maxIndex = table.length - 2;
  for (let o = 0; o < outLength; o++) {
    const t = o * step;
    const first = Math.max(0, Math.ceil(t - halfWidth));
    const last = Math.min(n - 1, Math.floor(t + halfWidth));
    let acc = 0;
    for (let k = first; k <= last; k++) {
      const pos = Math.abs(t - k) * TABLE_STEPS;
      const i = pos | 0;
      if (i >= maxIndex) continue;
      const frac = pos - i;
      acc += input[k]! * (table[i]! + frac * (table[i + 1]! - table[i]!));
    }
    out[o] = acc;
  }
  return out;
}
