/** Small numeric helpers on plain arrays, shared by the classifiers. Pure; no allocation tricks. */

export function logSumExp(values: readonly number[]): number {
  let max = -Infinity;
  for (const v of values) if (v > max) max = v;
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/** Softmax of `logits / temperature`. */
export function softmax(logits: readonly number[], temperature = 1): number[] {
  const scaled = logits.map((l) => l / temperature);
  const lse = logSumExp(scaled);
  return scaled.map((l) => Math.exp(l - lse));
}

export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Natural log with a floor, so a zero probability never becomes -Infinity. */
export function safeLog(p: number): number {
  return Math.log(Math.max(p, 1e-6));
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0;
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** A deterministic PRNG (mulberry32), so training and augmentation are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
