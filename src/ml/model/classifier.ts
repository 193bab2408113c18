import { logSumExp } from './maths';
import { pauseIfAsked } from './pause';

/**
 * The per-person classifier over small feature vectors. A calibration has a handful of samples per
 * class (2–10), so the model is regularised and trained in a few hundred gradient steps: training plus
 * cross-validation stays in the milliseconds. (Shrunken-centroid DLDA was measured and dropped; see
 * the voice candidates in signalModel.ts.)
 *
 * All state is plain JSON so a trained model can be stored and loaded without any code beyond this file.
 */

/** Per-feature z-scoring learned from one person's calibration samples. */
export interface Standardizer {
  mean: number[];
  scale: number[];
}

/** z-scores beyond this are clipped: one odd clip must not dominate a distance. */
const Z_CLIP = 4;

export function fitStandardizer(rows: readonly number[][]): Standardizer {
  const dims = rows[0]?.length ?? 0;
  const mean = new Array<number>(dims).fill(0);
  const scale = new Array<number>(dims).fill(1);
  for (const row of rows) for (let j = 0; j < dims; j++) mean[j]! += row[j]! / rows.length;
  for (let j = 0; j < dims; j++) {
    let ss = 0;
    for (const row of rows) ss += (row[j]! - mean[j]!) ** 2;
    const sd = Math.sqrt(ss / Math.max(1, rows.length - 1));
    // A feature that never varies for this person carries no information: scale 1 keeps it at 0.
    scale[j] = sd > 1e-9 ? sd : 1;
  }
  return { mean, scale };
}

export function standardize(s: Standardizer, row: readonly number[]): number[] {
  const out = new Array<number>(row.length);
  for (let j = 0; j < row.length; j++) {
    const z = (row[j]! - s.mean[j]!) / s.scale[j]!;
    out[j] = Number.isFinite(z) ? Math.max(-Z_CLIP, Math.min(Z_CLIP, z)) : 0;
  }
  return out;
}

/** Multinomial logistic regression with L2, optionally on top of a fixed per-sample offset (a prior). */
export interface LogRegState {
  kind: 'logreg';
  standardizer: Standardizer;
  weights: number[][]; // [class][feature]
  bias: number[];
}

export type ClassifierState = LogRegState;

export interface LogRegOptions {
  l2?: number;
  iterations?: number;
  learningRate?: number;
  /** Per-row fixed logits added before the softmax (e.g. the generic model's log-probabilities). */
  offsets?: readonly number[][];
}

export function trainLogReg(
  rows: readonly number[][],
  labels: readonly number[],
  classes: number,
  opts: LogRegOptions = {},
): LogRegState {
  const l2 = opts.l2 ?? 1;
  const iterations = opts.iterations ?? 200;
  const lr = opts.learningRate ?? 0.5;
  const standardizer = fitStandardizer(rows);
  const z = rows.map((r) => standardize(standardizer, r));
  const n = z.length;
  const dims = z[0]?.length ?? 0;
  const weights = Array.from({ length: classes }, () => new Array<number>(dims).fill(0));
  const bias = new Array<number>(classes).fill(0);
  const gradW = Array.from({ length: classes }, () => new Array<number>(dims).fill(0));
  const gradB = new Array<number>(classes).fill(0);
  const logits = new Array<number>(classes);
  for (let it = 0; it < iterations; it++) {
    if ((it & 15) === 0) pauseIfAsked();
    for (const g of gradW) g.fill(0);
    gradB.fill(0);
    for (let i = 0; i < n; i++) {
      const row = z[i]!;
      const offset = opts.offsets?.[i];
      for (let c = 0; c < classes; c++) {
        let s = bias[c]! + (offset?.[c] ?? 0);
        const w = weights[c]!;
        for (let j = 0; j < dims; j++) s += w[j]! * row[j]!;
        logits[c] = s;
      }
      const lse = logSumExp(logits);
      for (let c = 0; c < classes; c++) {
        const err = Math.exp(logits[c]! - lse) - (labels[i] === c ? 1 : 0);
        gradB[c]! += err;
        const g = gradW[c]!;
        for (let j = 0; j < dims; j++) g[j]! += err * row[j]!;
      }
    }
    for (let c = 0; c < classes; c++) {
      bias[c]! -= (lr * gradB[c]!) / n;
      const w = weights[c]!;
      const g = gradW[c]!;
      for (let j = 0; j < dims; j++) w[j]! -= lr * (g[j]! / n + (l2 * w[j]!) / n);
    }
  }
  return { kind: 'logreg', standardizer, weights, bias };
}

/** Raw class scores (log-likelihood up to a constant); apply a temperature and softmax for probabilities. */
export function classifierLogits(state: ClassifierState, row: readonly number[], offset?: readonly number[]): number[] {
  const z = standardize(state.standardizer, row);
  return state.weights.map((w, c) => {
    let s = state.bias[c]! + (offset?.[c] ?? 0);
    for (let j = 0; j < z.length; j++) s += w[j]! * z[j]!;
    return s;
  });
}
