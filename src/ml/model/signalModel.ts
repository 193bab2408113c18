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
  /** Cross-validated accuracy of the chosen candidate over distinct samples, and how many there were. */
  cvAccuracy: number;
  n: number;
  /** True when that accuracy is not clearly above chance (see {@link isNearChance}). */
  nearChance: boolean;
}

/** A training set for one signal: feature rows, class indices, and optional generic prior probabilities. */
export interface SignalData {
  rows: number[][];
  labels: number[];
  priors?: number[][];
  /**
   * Extra training views of the samples (a clip's parts: VoiceFeatures.crops), each with its sample's
   * row index in `source`. A view trains whenever its sample does and is never validated: a held-out
   * sample's views are held out with it, and every figure counts samples, not views.
   */
  views?: { rows: number[][]; source: number[] };
}

interface Candidate {
  kind: SignalModelState['kind'];
  priorWeight: number;
  /** `samples`: how many samples the rows come from (fewer than the rows when views are among them). */
  fit(
    rows: number[][],
    labels: number[],
    classes: number,
    offsets: number[][] | undefined,
    samples: number,
  ): ClassifierState | null;
}

/** The rows a fit on `trainIdx` sees: those samples, then their views; with the offsets of each. */
function trainingSet(
  data: SignalData,
  trainIdx: readonly number[],
  priorWeight: number,
): { rows: number[][]; labels: number[]; offsets?: number[][] } {
  const keep = new Set(trainIdx);
  const sources = [...trainIdx];
  const rows = trainIdx.map((i) => data.rows[i]!);
  data.views?.source.forEach((s, v) => {
    if (!keep.has(s)) return;
    sources.push(s);
    rows.push(data.views!.rows[v]!);
  });
  const offsets =
    data.priors && priorWeight > 0
      ? sources.map((i) => data.priors![i]!.map((p) => safeLog(p) * priorWeight))
      : undefined;
  return { rows, labels: sources.map((i) => data.labels[i]!), ...(offsets ? { offsets } : {}) };
}

/** Logits of a candidate on one row: classifier logits plus the weighted prior. */
function candidateLogits(
  state: ClassifierState | null,
  priorWeight: number,
  row: number[],
  prior?: number[],
): number[] {
  const priorLogits = prior ? prior.map(safeLog) : undefined;
  if (!state) return priorLogits ?? [];
  const offset = priorLogits && priorWeight > 0 ? priorLogits.map((l) => l * priorWeight) : undefined;
  return classifierLogits(state, row, offset);
}

/**
 * Two samples closer than this (root-mean-square difference over the features that vary, each in units
 * of the person's spread within an emotion) are copies: the same selfie or clip sent twice, or
 * re-encoded. Two takes of one expression differ by a sizeable fraction of that spread in most
 * features; a copy differs by rounding.
 */
export const DUPLICATE_Z = 0.05;

/**
 * Groups identical and near-identical samples: returns a group id per row (0, 1, ... in first-seen
 * order). Cross-validation keeps a group in one fold, and every figure counts a group once, so a photo
 * sent twice cannot be validated against its own copy.
 */
export function groupDuplicates(
  rows: readonly number[][],
  labels: readonly number[],
  threshold = DUPLICATE_Z,
): number[] {
  const n = rows.length;
  const dims = rows[0]?.length ?? 0;
  // Pooled within-emotion spread per feature: the scale on which two takes of one emotion differ.
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => byClass.set(l, [...(byClass.get(l) ?? []), i]));
  const scale: number[] = [];
  const used: number[] = [];
  for (let j = 0; j < dims; j++) {
    let ss = 0;
    let dof = 0;
    for (const idx of byClass.values()) {
      let m = 0;
      for (const i of idx) m += rows[i]![j]! / idx.length;
      for (const i of idx) ss += (rows[i]![j]! - m) ** 2;
      dof += idx.length - 1;
    }
    let sd = Math.sqrt(ss / Math.max(1, dof));
    // No emotion with two different takes (one photo per emotion, each sent twice): the spread over all
    // samples is the scale then, so different photos of different emotions stay apart.
    if (!(sd > 1e-9)) sd = spreadOf(rows.map((r) => r[j]!));
    if (sd > 1e-9 && Number.isFinite(sd)) {
      scale.push(sd);
      used.push(j);
    }
  }
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let ss = 0;
      used.forEach((j, k) => {
        const d = (rows[a]![j]! - rows[b]![j]!) / scale[k]!;
        ss += Number.isFinite(d) ? d * d : 0;
      });
      // With no varying feature at all, every sample is a copy of every other.
      if (Math.sqrt(ss / Math.max(1, used.length)) < threshold) parent[find(b)] = find(a);
    }
  }
  const ids = new Map<number, number>();
  return rows.map((_, i) => {
    const root = find(i);
    if (!ids.has(root)) ids.set(root, ids.size);
    return ids.get(root)!;
  });
}

/** Sample standard deviation of `values` (0 for fewer than two). */
function spreadOf(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = values.reduce((sum, v) => sum + v, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1));
}

/** Per-row weights that make each group of copies count once (1 / group size). */
export function distinctWeights(groups: readonly number[]): number[] {
  const size = new Map<number, number>();
  for (const g of groups) size.set(g, (size.get(g) ?? 0) + 1);
  return groups.map((g) => 1 / size.get(g)!);
}

/**
 * Folds for cross-validation over groups of copies: leave-one-group-out for up to 24 distinct samples,
 * stratified k-fold over groups above that. A group never straddles folds.
 */
export function makeFolds(
  labels: readonly number[],
  groups: readonly number[] = labels.map((_, i) => i),
  maxFolds = 6,
): number[][] {
  const members = new Map<number, number[]>();
  groups.forEach((g, i) => members.set(g, [...(members.get(g) ?? []), i]));
  const groupList = [...members.values()];
  if (groupList.length <= 24) return groupList;
  const folds: number[][] = Array.from({ length: maxFolds }, () => []);
  const byClass = new Map<number, number[][]>();
  for (const g of groupList) {
    const label = labels[g[0]!]!;
    byClass.set(label, [...(byClass.get(label) ?? []), g]);
  }
  let k = 0;
  for (const gs of byClass.values()) for (const g of gs) folds[k++ % maxFolds]!.push(...g);
  return folds.filter((f) => f.length > 0);
}

/**
 * One-sided binomial test: is `hits` of `n` distinct samples clearly (p < 0.05) better than guessing
 * one of `classes`? A signal that is not is "near chance": its readings are never stated as facts,
 * fusion gives it no weight, and calibration offers to add samples instead of calling itself done.
 */
export function isNearChance(accuracy: number, n: number, classes: number): boolean {
  if (n <= 0) return true;
  const hits = Math.round(accuracy * n);
  const p = 1 / classes;
  let tail = 0;
  let term = (1 - p) ** n; // P(X = 0)
  for (let k = 0; k <= n; k++) {
    if (k >= hits) tail += term;
    term *= ((n - k) / (k + 1)) * (p / (1 - p));
  }
  return tail >= 0.05;
}

/** Out-of-fold logits of one candidate, or null when a fold would leave a class without samples. */
function outOfFoldLogits(c: Candidate, data: SignalData, classes: number, folds: number[][]): number[][] | null {
  const out = new Array<number[]>(data.labels.length);
  for (const fold of folds) {
    const held = new Set(fold);
    const trainIdx = data.labels.map((_, i) => i).filter((i) => !held.has(i));
    const present = new Set(trainIdx.map((i) => data.labels[i]));
    if (c.kind !== 'generic' && present.size < classes) return null;
    const set = trainingSet(data, trainIdx, c.priorWeight);
    const state = c.fit(set.rows, set.labels, classes, set.offsets, trainIdx.length);
    for (const i of fold) out[i] = candidateLogits(state, c.priorWeight, data.rows[i]!, data.priors?.[i]);
  }
  return out;
}

/** Weighted mean confidence (top-class probability) of the logits at temperature t. */
function meanConfidence(logits: readonly number[][], t: number, weights?: readonly number[]): number {
  let s = 0;
  let total = 0;
  logits.forEach((l, i) => {
    const w = weights ? weights[i]! : 1;
    s += w * Math.max(...softmax(l, t));
    total += w;
  });
  return total > 0 ? s / total : 0;
}

const T_MIN = 0.05;
const T_MAX = 50;

/** Golden-section search for the minimum of a unimodal function of log T over [T_MIN, T_MAX]. */
function minimiseOverLogT(f: (logT: number) => number): number {
  let a = Math.log(T_MIN);
  let b = Math.log(T_MAX);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 40; it++) {
    const c = b - g * (b - a);
    const d = a + g * (b - a);
    if (f(c) < f(d)) b = d;
    else a = c;
  }
  return Math.exp((a + b) / 2);
}

/**
 * The temperature of calibrated probabilities, fitted on cross-validated logits of distinct samples
 * (copies share one sample's weight): the one minimising their negative log-likelihood (temperature
 * scaling, Guo et al. 2017), no smoothing. A perfect cross-validation would drive that temperature to
 * zero and every later reading to 100%: when cross-validation made no error at all, the mean confidence
 * on those samples is held to the rule of succession, (n + 1) / (n + 2), what n hits in n trials support
 * (10 of 10: 92%). With any error the likelihood alone sets the temperature.
 */
export function fitTemperature(
  logits: readonly number[][],
  labels: readonly number[],
  weights?: readonly number[],
): number {
  const w = (i: number) => (weights ? weights[i]! : 1);
  const nll = (logT: number) => {
    const t = Math.exp(logT);
    let s = 0;
    logits.forEach((l, i) => {
      const scaled = l.map((v) => v / t);
      s -= w(i) * (scaled[labels[i]!]! - logSumExp(scaled));
    });
    return s;
  };
  let t = minimiseOverLogT(nll);
  const n = logits.reduce((a, _, i) => a + w(i), 0);
  let hits = 0;
  logits.forEach((l, i) => (hits += argmax(l) === labels[i] ? w(i) : 0));
  const cap = (n + 1) / (n + 2);
  if (hits >= n - 1e-9 && meanConfidence(logits, t, weights) > cap) {
    // Mean confidence falls as the temperature rises: bisect on log T for the bound.
    let lo = Math.log(t);
    let hi = Math.log(T_MAX);
    for (let it = 0; it < 40; it++) {
      const mid = (lo + hi) / 2;
      if (meanConfidence(logits, Math.exp(mid), weights) > cap) lo = mid;
      else hi = mid;
    }
    t = Math.exp(hi);
  }
  return t;
}

/** Accuracy with each row weighted (1 / its group's size: distinct samples count once). */
export function weightedAccuracy(
  scores: readonly number[][],
  labels: readonly number[],
  weights: readonly number[],
): number {
  let hits = 0;
  let total = 0;
  scores.forEach((l, i) => {
    hits += argmax(l) === labels[i] ? weights[i]! : 0;
    total += weights[i]!;
  });
  return total > 0 ? hits / total : 0;
}

function meanNll(
  logits: readonly number[][],
  labels: readonly number[],
  temperature: number,
  weights: readonly number[],
): number {
  let s = 0;
  let total = 0;
  logits.forEach((l, i) => {
    const scaled = l.map((v) => v / temperature);
    s -= weights[i]! * (scaled[labels[i]!]! - logSumExp(scaled));
    total += weights[i]!;
  });
  return s / Math.max(1e-9, total);
}

export interface TrainSignalOptions {
  /** Use the generic prior as a candidate and as an offset (face). */
  withPrior: boolean;
}

export interface TrainedSignal {
  state: SignalModelState;
  /** Cross-validated, temperature-scaled probabilities per training row (for fusion and the report). */
  oof: number[][];
  /** Group of copies per training row (see {@link groupDuplicates}). */
  groups: number[];
}

/**
 * The voice model: L2 logistic regression on per-person z-scored features. It was chosen over shrunken-
 * centroid DLDA, and over picking between the two by leave-one-out, on RAVDESS both folds (LR 0.92, DLDA
 * 0.81–0.84, picking 0.86): with ten clips, choosing by cross-validation mostly follows noise. Accuracy
 * was flat for l2 in [0.5, 2] and 50–1000 iterations; l2 = 0.5 also keeps a cleanly separable middle class
 * (neutral between happy and sad on one axis) learnable, which l2 = 2 shrank away.
 *
 * Issue 9 measured the literature's remedies for few-sample speaker-dependent recognition against it
 * (ravdess-3class.csv as given / roles swapped; LR 0.925 / 0.858): l2 chosen per person by inner
 * leave-one-out 0.908 / 0.850; equal class priors 0.908 / 0.858; ANOVA-F selection of the top 10, 20 or
 * 30 features inside each fold 0.808 / 0.792, 0.875 / 0.817, 0.900 / 0.883; nearest class mean
 * 0.842–0.867 / 0.800; shrinkage LDA 0.908–0.933 / 0.833–0.858; averaged with LR: nearest class mean
 * 0.867 / 0.808, shrinkage LDA 0.917 / 0.858, LRs on the MFCC, prosody and spectral groups 0.925 /
 * 0.875, random-subspace bagging 0.925 / 0.875. None gained in both directions beyond a clip, and none
 * raised the leave-one-out accuracy on the person's own clips, which is what the model does on a
 * sentence it has not heard (scripts/voice-new-utterance.ts): per-person z-scoring is already here.
 * What did gain was richer statistics, not another classifier: with MFCC percentiles and the 20-band
 * long-term spectrum (features.ts) LR reads 0.933 / 0.892, and its leave-one-out accuracy on the
 * calibration clips rose too (0.575 / 0.642 to 0.600 / 0.700, mean over people). More examples did
 * too: each clip's start, middle and end (60% each, VoiceFeatures.crops) trained beside it raised the
 * repeated takes to 0.942 / 0.933 and sentences the model never heard (scripts/voice-new-utterance.ts)
 * from 0.698 / 0.656 to 0.750 / 0.750; the halves alone read 0.942 / 0.917, and reading a test clip's
 * parts as well as the whole lost (0.917 / 0.908).
 */
const personalCandidates: Candidate[] = [
  // The penalty is per sample: a clip's parts add examples, not certainty, so the prior on the weights
  // keeps the strength it has over the clips alone (l2 grows with the rows per clip).
  {
    kind: 'logreg',
    priorWeight: 0,
    fit: (r, l, k, _o, samples) => trainLogReg(r, l, k, { l2: (0.5 * r.length) / samples }),
  },
];

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
 * How many distinct samples a model's own probabilities are worth as the prior of its temperature, the
 * same weight the fusion gives equal weighting (FUSION_PRIOR_SAMPLES): n cross-validated samples move
 * log T from 0 (the model's own probabilities: the generic face's calibration measured on strangers,
 * or a personal logistic regression's likelihood) n / (n + 30) of the way to what they alone fit. It is
 * a prior, set before measuring anything.
 *
 * Fitted alone, ten clips' temperature was mostly noise (0.2 to 4.4 across RAVDESS actors) and leaned
 * under-confident, since one confidently wrong clip in ten pulls it far up: on sentences the model had
 * not heard (scripts/voice-new-utterance.ts) the voice said 0.62 / 0.68 where it was right 0.74 / 0.75
 * of the time, and the fusion then leaned on the face more than its weight says. Shrunk, it says 0.73 /
 * 0.74 there. The price is on a voice that learned nothing: on pure noise (synthetic, 6 to 30 clips)
 * its readings say 0.41 to 0.63 where it is right a third of the time. Such a voice is near chance in
 * cross-validation, so those readings are always "not sure", and the fusion gives it no weight.
 */
export const TEMPERATURE_PRIOR_SAMPLES = 30;

/** The temperature `fitted` on `n` distinct samples, shrunk toward 1 (see {@link TEMPERATURE_PRIOR_SAMPLES}). */
export function shrinkTemperature(fitted: number, n: number): number {
  return Math.exp((n / (n + TEMPERATURE_PRIOR_SAMPLES)) * Math.log(fitted));
}

/**
 * Trains one signal's model: every candidate is cross-validated on the person's samples, the most
 * accurate wins (ties go to the simpler, earlier candidate — for the face that is the generic model,
 * so calibration only replaces it when the person's own samples show it does better).
 */
export function trainSignal(data: SignalData, classes: number, opts: TrainSignalOptions): TrainedSignal | null {
  const candidates = opts.withPrior && data.priors ? priorCandidates : personalCandidates;
  const groups = groupDuplicates(
    data.priors ? data.rows.map((r, i) => [...r, ...data.priors![i]!]) : data.rows,
    data.labels,
  );
  const weights = distinctWeights(groups);
  const distinct = new Set(groups).size;
  const folds = makeFolds(data.labels, groups);
  let best: { c: Candidate; logits: number[][]; acc: number; nll: number; t: number } | null = null;
  for (const c of candidates) {
    const logits = outOfFoldLogits(c, data, classes, folds);
    if (!logits) continue;
    const t = fitTemperature(logits, data.labels, weights);
    const acc = weightedAccuracy(logits, data.labels, weights);
    const nll = meanNll(logits, data.labels, t, weights);
    // Replacing the generic model takes a clear win: two more photos read right, or 10 points. One
    // lucky photo in a leave-one-out of nine is noise, and the held-out cost of that noise is a
    // personal model worse than the generic one.
    const margin = best?.c.kind === 'generic' ? Math.max(2 / distinct, 0.1) - 1e-9 : 1e-9;
    if (
      !best ||
      acc > best.acc + margin ||
      (Math.abs(acc - best.acc) <= 1e-9 && nll < best.nll - 0.05 && best.c.kind !== 'generic')
    ) {
      best = { c, logits, acc, nll, t };
    }
  }
  if (!best) return null;
  const all = trainingSet(
    data,
    data.rows.map((_, i) => i),
    best.c.priorWeight,
  );
  const classifier = best.c.fit(all.rows, all.labels, classes, all.offsets, data.rows.length);
  // A few samples move a model's temperature only in proportion to their number.
  const t = shrinkTemperature(best.t, distinct);
  return {
    state: {
      kind: best.c.kind,
      featureNames: [],
      classifier,
      priorWeight: best.c.priorWeight,
      temperature: t,
      cvAccuracy: best.acc,
      n: distinct,
      nearChance: isNearChance(best.acc, distinct, classes),
    },
    oof: best.logits.map((l) => softmax(l, t)),
    groups,
  };
}

/** Probabilities of a trained signal model for one feature row (and its generic prior, for the face). */
export function predictSignal(state: SignalModelState, row: number[], prior?: number[]): number[] {
  const logits = candidateLogits(state.classifier, state.priorWeight, row, prior);
  return softmax(logits, state.temperature);
}

export function toProbabilities(emotions: readonly Emotion[], p: readonly number[]): Probabilities {
  const out: Probabilities = {};
  emotions.forEach((e, i) => (out[e] = p[i] ?? 0));
  return out;
}
