/**
 * Radix-2 FFT for real signals, with all tables computed once per size. Voice features run this
 * several hundred times per clip, so nothing here allocates per call: callers own the buffers.
 */

/** A precomputed real-input FFT of one power-of-two size. */
export class RealFft {
  /** Transform size (real samples in, `size / 2 + 1` bins out). */
  readonly size: number;
  private readonly half: number;
  private readonly bitReverse: Uint32Array;
  /** Twiddles of the half-size complex FFT. */
  private readonly cosTable: Float64Array;
  private readonly sinTable: Float64Array;
  /** Twiddles that split the half-size complex result into the real-input spectrum. */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0)
      throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`);
    this.size = size;
    const half = size >> 1;
    this.half = half;
    const bits = Math.log2(half);
    this.bitReverse = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitReverse[i] = r;
    }
    this.cosTable = new Float64Array(half >> 1 || 1);
    this.sinTable = new Float64Array(half >> 1 || 1);
    for (let i = 0; i < half >> 1; i++) {
      this.cosTable[i] = Math.cos((2 * Math.PI * i) / half);
      this.sinTable[i] = -Math.sin((2 * Math.PI * i) / half);
    }
    this.splitCos = new Float64Array(half);
    this.splitSin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.re = new Float64Array(half);
    this.im = new Float64Array(half);
  }

  /**
   * Forward transform of `input` (length <= size; the rest is taken as zeros). Writes bins
   * 0..size/2 into `outRe` / `outIm` (each at least size/2 + 1 long).
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const { half, re, im, bitReverse } = this;
    const n = input.length;
    // Pack even samples as real, odd as imaginary: one complex FFT of half the size.
    for (let i = 0; i < half; i++) {
      const j = bitReverse[i]!;
      const e = 2 * i;
      re[j] = e < n ? input[e]! : 0;
      im[j] = e + 1 < n ? input[e + 1]! : 0;
    }
    this.butterflies(re, im);
    // Split: X[k] = (Z[k] + conj Z[N/2-k]) / 2 + W^k (Z[k] - conj Z[N/2-k]) / 2i.
    outRe[0] = re[0]! + im[0]!;
    outIm[0] = 0;
    outRe[half] = re[0]! - im[0]!;
    outIm[half] = 0;
    for (let k = 1; k < half; k++) {
      const zr = re[k]!;
      const zi = im[k]!;
      const cr = re[half - k]!;
      const ci = -im[half - k]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const wr = this.splitCos[k]!;
      const wi = this.splitSin[k]!;
      outRe[k] = er + (wr * or - wi * oi);
      outIm[k] = ei + (wr * oi + wi * or);
    }
  }

  /**
   * Inverse of {@link forward} for a Hermitian spectrum given as bins 0..size/2: writes `size` real
   * samples into `out`, scaled so that inverse(forward(x)) == x.
   */
  inverse(inRe: Float64Array, inIm: Float64Array, out: Float64Array): void {
    const { half, re, im, bitReverse } = this;
    // Undo the split: Z[k] = E[k] + i O[k], with E, O recovered from X[k] and X[N/2-k].
    for (let k = 0; k < half; k++) {
      const xr = inRe[k]!;
      const xi = inIm[k]!;
      const yr = inRe[half - k]!;
      const yi = -inIm[half - k]!;
      const er = 0.5 * (xr + yr);
      const ei = 0.5 * (xi + yi);
      const dr = 0.5 * (xr - yr);
      const di = 0.5 * (xi - yi);
      // O = D * conj(W^k)
      const wr = this.splitCos[k]!;
      const wi = -this.splitSin[k]!;
      const or = dr * wr - di * wi;
      const oi = dr * wi + di * wr;
      // Z = E + i O, conjugated so the forward butterflies compute the inverse.
      const j = bitReverse[k]!;
      re[j] = er - oi;
      im[j] = -(ei + or);
    }
    this.butterflies(re, im);
    const scale = 1 / half;
    for (let i = 0; i < half; i++) {
      out[2 * i] = re[i]! * scale;
      out[2 * i + 1] = -im[i]! * scale;
    }
  }

  /**
   * In-place iterative radix-2 butterflies over bit-reversed input. The first two stages have
   * trivial twiddles (1 and -i) and are done without multiplies: they are half the passes of a
   * small FFT and dominate its loop overhead.
   */
  private butterflies(re: Float64Array, im: Float64Array): void {
    const n = this.half;
    const { cosTable, sinTable } = this;
    for (let a = 0; a < n; a += 2) {
      const r = re[a + 1]!;
      const i = im[a + 1]!;
      re[a + 1] = re[a]! - r;
      im[a + 1] = im[a]! - i;
      re[a] = re[a]! + r;
      im[a] = im[a]! + i;
    }
    if (n >= 4) {
      for (let a = 0; a < n; a += 4) {
        // j = 0: twiddle 1.
        let br = re[a + 2]!;
        let bi = im[a + 2]!;
        re[a + 2] = re[a]! - br;
        im[a + 2] = im[a]! - bi;
        re[a] = re[a]! + br;
        im[a] = im[a]! + bi;
        // j = 1: twiddle -i, so (x + iy)(-i) = y - ix.
        br = im[a + 3]!;
        bi = -re[a + 3]!;
        re[a + 3] = re[a + 1]! - br;
        im[a + 3] = im[a + 1]! - bi;
        re[a + 1] = re[a + 1]! + br;
        im[a + 1] = im[a + 1]! + bi;
      }
    }
    for (let len = 8; len <= n; len <<= 1) {
      const halfLen = len >> 1;
      const step = n / len;
      for (let j = 0, t = 0; j < halfLen; j++, t += step) {
        const wr = cosTable[t]!;
        const wi = sinTable[t]!;
        for (let a = j; a < n; a += len) {
          const b = a + halfLen;
          const xr = re[b]!;
          const xi = im[b]!;
          const br = xr * wr - xi * wi;
          const bi = xr * wi + xi * wr;
          re[b] = re[a]! - br;
          im[b] = im[a]! - bi;
          re[a] = re[a]! + br;
          im[a] = im[a]! + bi;
        }
      }
    }
  }
}

const cache = new Map<number, RealFft>();

/** A shared {@link RealFft} of the given size (tables built on first use). */
export function realFft(size: number): RealFft {
  let fft = cache.get(size);
  if (!fft) {
    fft = new RealFft(size);
    cache.set(size, fft);
  }
  return fft;
}
