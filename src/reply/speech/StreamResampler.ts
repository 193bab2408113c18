/**
 * A streaming band-limited resampler (Lanczos-windowed sinc, 8 lobes). It keeps a short history between
 * pushes, so audio arriving in pieces (eSpeak delivers a few hundred ms at a time) resamples without the
 * clicks that converting each piece separately would put at every join.
 */

const LOBES = 8;

/** Table steps per unit of x: fine enough that linear interpolation between entries is inaudible. */
const TABLE_STEPS = 512;

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Lanczos kernel sinc(x)·sinc(x/LOBES) for x in [0, LOBES], tabulated once: two Math.sin per tap were the cost. */
const KERNEL = (() => {
  const table = new Float32Array(LOBES * TABLE_STEPS + 2);
  for (let i = 0; i < table.length; i++) {
    const x = i / TABLE_STEPS;
    table[i] = x < LOBES ? sinc(x) * sinc(x / LOBES) : 0;
  }
  return table;
})();

function kernel(x: number): number {
  const pos = Math.abs(x) * TABLE_STEPS;
  const i = Math.floor(pos);
  if (i >= KERNEL.length - 1) return 0;
  const frac = pos - i;
  return KERNEL[i]! + (KERNEL[i + 1]! - KERNEL[i]!) * frac;
}

export class StreamResampler {
  /** Cut-off relative to the input Nyquist: 1 when upsampling, to/from when downsampling (anti-aliasing). */
  private readonly cutoff: number;
  private readonly halfWidth: number;
  /** Unconsumed input, with `base` the absolute index of buffer[0]. */
  private buffer = new Float32Array(0);
  private base = 0;
  /** Output samples produced so far; output k sits at input position k·step (computed, not accumulated, so
   * streaming in pieces gives exactly the samples of resampling all at once). */
  private produced = 0;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    if (!(fromRate > 0 && toRate > 0))
      throw new RangeError(`sample rates must be positive (got ${fromRate} → ${toRate})`);
    this.cutoff = Math.min(1, toRate / fromRate);
    this.halfWidth = Math.ceil(LOBES / this.cutoff);
  }

  /** Feed input; returns every output sample that no longer depends on input still to come. */
  push(input: Float32Array): Float32Array {
    const joined = new Float32Array(this.buffer.length + input.length);
    joined.set(this.buffer);
    joined.set(input, this.buffer.length);
    this.buffer = joined;
    return this.drain(this.base + this.buffer.length - this.halfWidth);
  }

  /** Finish: the remaining output, with silence assumed after the last input sample. */
  flush(): Float32Array {
    const end = this.base + this.buffer.length;
    const out = this.drain(end, true);
    this.buffer = new Float32Array(0);
    this.base = end;
    return out;
  }

  private drain(limit: number, final = false): Float32Array {
    // Outputs k with k·step < limit; integer arithmetic on the rates keeps this exact.
    const reachable = limit > 0 ? Math.ceil((limit * this.toRate) / this.fromRate) : 0;
    const count = Math.max(0, reachable - this.produced);
    const out = new Float32Array(count);
    const { buffer, base, halfWidth, cutoff } = this;
    for (let o = 0; o < count; o++) {
      const t = ((this.produced + o) * this.fromRate) / this.toRate;
      const centre = Math.floor(t);
      let acc = 0;
      for (let k = centre - halfWidth + 1; k <= centre + halfWidth; k++) {
        const i = k - base;
        if (i < 0 || i >= buffer.length) continue; // before the start or after the end: silence
        const x = (t - k) * cutoff;
        acc += buffer[i]! * kernel(x);
      }
      out[o] = acc * cutoff;
    }
    this.produced += count;
    if (!final) {
      // Keep only what future outputs can still reach.
      const next = (this.produced * this.fromRate) / this.toRate;
      const keepFrom = Math.max(base, Math.floor(next) - halfWidth);
      this.buffer = buffer.subarray(keepFrom - base);
      this.base = keepFrom;
    }
    return out;
  }
}

/** Resample a whole signal at once. */
export function resampleAll(input: Float32Array, fromRate: number, toRate: number): Float32Array {
  if (fromRate === toRate) return input;
  const resampler = new StreamResampler(fromRate, toRate);
  const head = resampler.push(input);
  const tail = resampler.flush();
  const out = new Float32Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
