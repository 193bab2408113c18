/**
 * Downmixing and band-limited resampling: the one resampler, for files decoded to the analysis rate
 * and for speech converted to 48 kHz for Discord. A Kaiser-windowed sinc kernel is tabulated once per
 * rate pair (interpolated between table steps), so any rate works, including non-integer ratios such
 * as 44.1 kHz → 16 kHz. {@link resample} converts a whole signal; {@link StreamResampler} converts one
 * arriving in pieces with the same kernel and gives exactly the same samples. Ogg Opus never comes
 * here: libopus decodes at 16 kHz.
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

/** Most distinct kernel phases worth tabulating (48k→16k has 1, 44.1k→16k has 160). */
const MAX_PHASES = 1024;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Filter taps for each output phase. Output o sits at input position o·from/to; its fractional
 * part repeats every `to / gcd` outputs, so each phase's taps are computed once instead of per sample.
 */
interface Polyphase {
  phases: Float64Array[];
  /** Offset of each phase's first tap from floor(input position). */
  firstOffset: Int32Array;
}

const polyphases = new Map<string, Polyphase | null>();

function polyphase(fromRate: number, toRate: number): Polyphase | null {
  const key = `${fromRate}>${toRate}`;
  if (!polyphases.has(key)) polyphases.set(key, buildPolyphase(fromRate, toRate));
  return polyphases.get(key)!;
}

function buildPolyphase(fromRate: number, toRate: number): Polyphase | null {
  const period = toRate / gcd(fromRate, toRate);
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || period > MAX_PHASES) return null;
  const { halfWidth } = kernelFor(fromRate, toRate);
  const phases: Float64Array[] = [];
  const firstOffset = new Int32Array(period);
  for (let p = 0; p < period; p++) {
    const t = (p * fromRate) / toRate;
    const frac = t - Math.floor(t);
    const first = Math.ceil(frac - halfWidth);
    const last = Math.floor(frac + halfWidth);
    firstOffset[p] = first;
    phases.push(
      Float64Array.from({ length: last - first + 1 }, (_, i) =>
        kernelAt(fromRate, toRate, Math.abs(frac - (first + i))),
      ),
    );
  }
  return { phases, firstOffset };
}

function kernelAt(fromRate: number, toRate: number, distance: number): number {
  const { table } = kernelFor(fromRate, toRate);
  const pos = distance * TABLE_STEPS;
  const i = pos | 0;
  if (i >= table.length - 2) return 0;
  return table[i]! + (pos - i) * (table[i + 1]! - table[i]!);
}

/**
 * Writes outputs `first .. first + count - 1` of the `fromRate → toRate` conversion into `out` (from
 * index 0), for a signal of which `input` holds samples `inBase .. inBase + input.length - 1` and is
 * silent elsewhere. Output o sits at input position o·from/to.
 */
function filterInto(
  input: Float32Array,
  inBase: number,
  fromRate: number,
  toRate: number,
  first: number,
  count: number,
  out: Float32Array,
): void {
  const n = input.length;
  const poly = polyphase(fromRate, toRate);
  if (poly) {
    const period = poly.phases.length;
    for (let j = 0; j < count; j++) {
      const o = first + j;
      const p = o % period;
      const base = Math.floor((o * fromRate) / toRate) + poly.firstOffset[p]! - inBase;
      const taps = poly.phases[p]!;
      let acc = 0;
      if (base >= 0 && base + taps.length <= n) {
        for (let k = 0; k < taps.length; k++) acc += input[base + k]! * taps[k]!;
      } else {
        for (let k = 0; k < taps.length; k++) {
          const i = base + k;
          if (i >= 0 && i < n) acc += input[i]! * taps[k]!;
        }
      }
      out[j] = acc;
    }
    return;
  }
  const { halfWidth } = kernelFor(fromRate, toRate);
  const step = fromRate / toRate;
  for (let j = 0; j < count; j++) {
    const t = (first + j) * step;
    const lo = Math.max(inBase, Math.ceil(t - halfWidth));
    const hi = Math.min(inBase + n - 1, Math.floor(t + halfWidth));
    let acc = 0;
    for (let k = lo; k <= hi; k++) acc += input[k - inBase]! * kernelAt(fromRate, toRate, Math.abs(t - k));
    out[j] = acc;
  }
}

function checkRates(fromRate: number, toRate: number): void {
  if (!(fromRate > 0 && toRate > 0))
    throw new RangeError(`sample rates must be positive (got ${fromRate} → ${toRate})`);
}

/** Resample mono `input` from `fromRate` to `toRate` with a band-limiting windowed-sinc filter. */
export function resample(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  checkRates(fromRate, toRate);
  const out = new Float32Array(Math.floor((input.length * toRate) / fromRate));
  filterInto(input, 0, fromRate, toRate, 0, out.length, out);
  return out;
}

/**
 * {@link resample} for a signal arriving in pieces (speech engines deliver a few hundred ms at a
 * time): it keeps the input the next outputs still reach, so the joins between pieces are
 * click-free, and the outputs of all pushes and the flush are exactly those of resampling the
 * whole signal at once.
 */
export class StreamResampler {
  /** Input samples on each side of an output that the kernel reaches, rounded up. */
  private readonly reach: number;
  /** Unconsumed input, with `base` the index of its first sample in the whole signal. */
  private buffer = new Float32Array(0);
  private base = 0;
  /** Outputs produced so far. */
  private produced = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    checkRates(fromRate, toRate);
    this.reach = Math.ceil(kernelFor(fromRate, toRate).halfWidth) + 1;
  }

  /** Feed input; returns every output sample that no longer depends on input still to come. */
  push(input: Float32Array): Float32Array {
    const joined = new Float32Array(this.buffer.length + input.length);
    joined.set(this.buffer);
    joined.set(input, this.buffer.length);
    this.buffer = joined;
    // Output o is complete once every input it reaches (up to o·from/to + reach) has arrived.
    const limit = this.base + this.buffer.length - this.reach;
    const ready = limit > 0 ? Math.floor(((limit - 1) * this.toRate) / this.fromRate) + 1 : 0;
    const out = this.produce(Math.max(this.produced, ready));
    // Keep only what later outputs can still reach.
    const keepFrom = Math.max(this.base, Math.floor((this.produced * this.fromRate) / this.toRate) - this.reach);
    this.buffer = this.buffer.subarray(keepFrom - this.base);
    this.base = keepFrom;
    return out;
  }

  /** Finish: the remaining output, with silence assumed after the last input sample. */
  flush(): Float32Array {
    const end = this.base + this.buffer.length;
    const out = this.produce(Math.max(this.produced, Math.floor((end * this.toRate) / this.fromRate)));
    this.buffer = new Float32Array(0);
    this.base = end;
    return out;
  }

  private produce(until: number): Float32Array {
    const out = new Float32Array(until - this.produced);
    filterInto(this.buffer, this.base, this.fromRate, this.toRate, this.produced, out.length, out);
    this.produced = until;
    return out;
  }
}
