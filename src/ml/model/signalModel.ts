import type { Emotion, Probabilities } from '../types';
import { type ClassifierState, classifierLogits, trainLogReg } from './classifier';
import { argmax, logSumExp, safeLog, softmax } from './maths';

/**
 * One signal's personal model (face or voice): a classifier over that person's features, optionally on
 * top of a generic prior (the face model's log-probabilities), with a temperature fitted on
 * cross-validated predictions so its probabilities mean what they say.
 */
export interface SignalModelState {
  /** Which candidate won cross-validation. 'generic' means the person's face stays on the generic model. */
  kind: 'generic' | 'logreg' | 'logreg+prior';
  featureNames: string[];
  classifier: ClassifierState | null;
  /** Weight of the generic prior's log-probabilities added to the classifier's logits (0 for voice). */
  priorWeight: number;
  temperature: number;
  /** Cross-validated accuracy and sample count of the chosen candidate. */
  cvAccuracy: number;
  n: number;
}

/** A training set for one signal: feature rows, class indices, and optional generic prior probabilities. */
export interface SignalData {
  rows: number[][];
  labels: number[];
  priors?: number[][];
}

interface Candidate {
  kind: SignalModelState['kind'];
  priorWeight: number;
  fit(rows: number[][], labels: number[], classes: number, offsets?: number[][]): ClassifierState | null;
}

/** Logits of a candidate on one row: classifier logits plus the weighted prior. */
function candidateLogits(state: ClassifierState | null, priorWeight: number, row: number[], prior?: number[]): number[] {
  const priorLogits = prior ? prior.map(safeLog) : undefined;
  if (!state) return priorLogits ?? [];
  const offset = priorLogits && priorWeight > 0 ? priorLogits.map((l) => l * priorWeight) : undefined;
  return classifierLogits(state, row, offset);
}

/** Folds for cross-validation: leave-one-out for small sets, stratified k-fold above that. */
export function makeFolds(labels: readonly number[], maxFolds = 6): number[][] {
  if (labels.length <= 24) return labels.map((_, i) => [i]);
  const folds: number[][] = Array.from({ length: maxFolds }, () => []);
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), i]));
  let k = 0;
  for (const idx of byClass.values()) for (const i of idx) folds[k++ % maxFolds].push(i);
  return folds.filter((f) => f.length > 0);
}

/** Out-of-fold logits of one candidate, or null when a fold would leave a class without samples. */
function outOfFoldLogits(c: Candidate, data: SignalData, classes: number, folds: number[][]): number[][] | null {
  const out: number[][] = new Array(data.labels.length);
  for (const fold of folds) {
    const held = new Set(fold);
    const trainIdx = data.labels.map((_, i) => i).filter((i) => !held.has(i));
    const present = new Set(trainIdx.map((i) => data.labels[i]));
    if (present.size < classes) return null;
    const offsets = data.priors && c.priorWeight > 0 ? trainIdx.map((i) => data.priors![i].map((p) => safeLog(p) * c.priorWeight)) : undefined;
    const state = c.fit(
      trainIdx.map((i) => data.rows[i]),
      trainIdx.map((i) => data.labels[i]),
      classes,
      offsets,
    );
    for (const i of fold) out[i] = candidateLogits(state, c.priorWeight, data.rows[i], data.priors?.[i]);
  }
  return out;
}

/**
 * Temperature minimising the cross-entropy of the given logits against label-smoothed targets
 * (golden-section on log T). With a handful of samples a perfect cross-validation would otherwise drive
 * the temperature to zero and every later reading to 100% confidence; smoothing by ε = ½·K/(n+K) caps
 * the confidence a small calibration can claim.
 */
export function fitTemperature(logits: readonly number[][], labels: readonly number[]): number {
  const k = logits[0]?.length ?? 1;
  const eps = (0.5 * k) / (labels.length + k);
  const nll = (logT: number) => {
    const t = Math.exp(logT);
    let s = 0;
    logits.forEach((l, i) => {
      const scaled = l.map((v) => v / t);
      const lse = logSumExp(scaled);
      let meanLog = 0;
      for (const v of scaled) meanLog += (v - lse) / k;
      s -= (1 - eps) * (scaled[labels[i]] - lse) + eps * meanLog;
    });
    return s;
  };
  let a = Math.log(0.05);
  let b = Math.log(50);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 40; it++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (nll(c) < nll(d)) b = d;
    else a = c;
  }
  return Math.exp((a + b) / 2);
}

function accuracyOf(logits: readonly number[][], labels: readonly number[]): number {
  let hits = 0;
  logits.forEach((l, i) => (hits += argmax(l) === labels[i] ? 1 : 0));
  return labels.length ? hits / labels.length : 0;
}

function meanNll(logits: readonly number[][], labels: readonly number[], temperature: number): number {
  let s = 0;
  logits.forEach((l, i) => {
    const scaled = l.map((v) => v / temperature);
    s -= scaled[labels[i]] - logSumExp(scaled);
  });
  return s / Math.max(1, labels.length);
}

export interface TrainSignalOptions {
  /** Use the generic prior as a candidate and as an offset (face). */
  withPrior: boolean;
}

export interface TrainedSignal {
  state: SignalModelState;
  /** Cross-validated, temperature-scaled probabilities per training row (for fusion and the report). */
  oof: number[][];
}

/**
 * The voice model: L2 logistic regression on per-person z-scored features. It was chosen over shrunken-
 * centroid DLDA, and over picking between the two by leave-one-out, on RAVDESS both folds (LR 0.92, DLDA
 * 0.81–0.84, picking 0.86): with ten clips, choosing by cross-validation mostly follows noise. Accuracy
 * was flat for l2 in [0.5, 2] and 50–1000 iterations; l2 = 0.5 also keeps a cleanly separable middle class
 * (neutral between happy and sad on one axis) learnable, which l2 = 2 shrank away.
 */
const personalCandidates: Candidate[] = [{ kind: 'logreg', priorWeight: 0, fit: (r, l, k) => trainLogReg(r, l, k, { l2: 0.5 }) }];

/**
 * The face: the generic model, or a logistic regression that learns the person's corrections on top
 * of it (the generic log-probabilities are a fixed offset). Choosing between them by cross-validation,
 * ties to the generic model, is what keeps calibration from making a face model worse.
 */
const priorCandidates: Candidate[] = [
  { kind: 'generic', priorWeight: 1, fit: () => null },
  { kind: 'logreg+prior', priorWeight: 1, fit: (r, l, k, o) => trainLogReg(r, l, k, { l2: 4, offsets: o }) },
];

/**
 * Trains one signal's model: every candidate is cross-validated on the person's samples, the most
 * accurate wins (ties go to the simpler, earlier candidate — for the face that is the generic model,
 * so calibration only replaces it when the person's own samples show it does better).
 */
export function trainSignal(data: SignalData, classes: number, opts: TrainSignalOptions): TrainedSignal | null {
  const candidates = opts.withPrior && data.priors ? priorCandidates : personalCandidates;
  const folds = makeFolds(data.labels);
  let best: { c: Candidate; logits: number[][]; acc: number; nll: number; t: number } | null = null;
  for (const c of candidates) {
    const logits = outOfFoldLogits(c, data, classes, folds);
    if (!logits) continue;
    const t = fitTemperature(logits, data.labels);
    const acc = accuracyOf(logits, data.labels);
    const nll = meanNll(logits, data.labels, t);
    // Replacing the generic model takes a clear win: two more photos read right, or 10 points. One
    // lucky photo in a leave-one-out of nine is noise, and the held-out cost of that noise is a
    // personal model worse than the generic one.
    const margin = best?.c.kind === 'generic' ? Math.max(2 / data.labels.length, 0.1) - 1e-9 : 1e-9;
    if (!best || acc > best.acc + margin || (Math.abs(acc - best.acc) <= 1e-9 && nll < best.nll - 0.05 && best.c.kind !== 'generic')) {
      best = { c, logits, acc, nll, t };
    }
  }
  if (!best) return null;
  const offsets = data.priors && best.c.priorWeight > 0 ? data.priors.map((p) => p.map((v) => safeLog(v) * best!.c.priorWeight)) : undefined;
  const classifier = best.c.fit(data.rows, data.labels, classes, offsets);
  const t = best.t;
  return {
    state: {
      kind: best.c.kind,
      featureNames: [],
      classifier,
      priorWeight: best.c.priorWeight,
      temperature: t,
      cvAccuracy: best.acc,
      n: data.labels.length,
    },
    oof: best.logits.map((l) => softmax(l, t)),
  };
}

/** Probabilities of a trained signal model for one feature row (and its generic prior, for the face). */
export function predictSignal(state: SignalModelState, row: number[], prior?: number[]): number[] {
  const logits = candidateLogits(state.classifier, state.priorWeight, row, prior);
  return softmax(logits, state.temperature);
}

export function toProbabilities(emotions: readonly Emotion[], p: readonly number[]): Probabilities {
  const out: Probabilities = {};
  emotions.forEach((e, i) => (out[e] = p[i]));
  return out;
}
