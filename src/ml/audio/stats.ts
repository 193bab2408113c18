/** Small descriptive statistics over number arrays (no allocation beyond one sort copy). */

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Population standard deviation (0 for fewer than two values). */
export function std(values: ArrayLike<number>): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  let s = 0;
  for (let i = 0; i < values.length; i++) s += (values[i]! - m) ** 2;
  return Math.sqrt(s / values.length);
}

/** Linearly interpolated quantiles of `values` at each fraction in `fractions`. */
export function quantiles(values: ArrayLike<number>, fractions: readonly number[]): number[] {
  if (values.length === 0) return fractions.map(() => 0);
  const sorted = Float64Array.from(values).sort();
  return fractions.map((q) => {
    const pos = q * (sorted.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
  });
}

/** Least-squares slope of `values` against `times` (0 when undefined). */
export function slope(times: ArrayLike<number>, values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  const mt = mean(times);
  const mv = mean(values);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (times[i]! - mt) * (values[i]! - mv);
    den += (times[i]! - mt) ** 2;
  }
  return den > 0 ? num / den : 0;
}

/** Mean absolute difference between consecutive values. */
export function meanAbsDelta(values: ArrayLike<number>): number {
  if (values.length < 2) return 0;
  let s = 0;
  for (let i = 1; i < values.length; i++) s += Math.abs(values[i]! - values[i - 1]!);
  return s / (values.length - 1);
}
