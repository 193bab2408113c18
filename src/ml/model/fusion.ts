import type { Signal } from '../types';
import { argmax, safeLog, softmax } from './maths';
import { pauseIfAsked } from './pause';
import { fitTemperature } from './signalModel';

/**
 * Late fusion: a weighted product of the signals' calibrated probabilities (a sum of weighted
 * log-probabilities), re-calibrated with its own temperature. The weights are learned per person from
 * cross-validated predictions, so a signal that works poorly for someone counts for less.
 */
export interface FusionState {
  weights: Partial<Record<Signal, number>>;
  temperature: number;
  /** Accuracy of the fusion on cross-validated pairs, and how many pairs. */
  accuracy: number;
  n: number;
}

/** One calibration pair: cross-validated probabilities of each signal for samples of the same emotion. */
export interface FusionPair {
  face: number[];
  voice: number[];
  label: number;
  /** How much this pair counts (copies of one sample share one sample's weight); 1 when absent. */
  weight?: number;
}

export function fuseLogits(parts: { probs: readonly number[]; weight: number }[]): number[] {
  const k = parts[0]?.probs.length ?? 0;
  const out = new Array<number>(k).fill(0);
  for (const { probs, weight } of parts) for (let c = 0; c < k; c++) out[c]! += weight * safeLog(probs[c] ?? 0);
  return out;
}

/**
 * The fused temperature when the signals are taken as independent given the emotion (what late fusion
 * assumes). Each signal's probabilities are calibrated, so their plain product is too: the more trusted
 * signal keeps its own scale and the other counts in the ratio of the weights. With weights summing to
 * one that is a temperature equal to the larger weight (½ for equal weights: both count fully; 1 when
 * one signal has all the weight).
 */
export function independentTemperature(weights: Partial<Record<Signal, number>>): number {
  const face = weights.face ?? 0;
  const voice = weights.voice ?? 0;
  const total = face + voice;
  return total > 0 ? Math.max(face, voice) / total : 1;
}

const GRID = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/**
 * How many distinct samples the equal weighting is worth as a prior. The weight learned on a person's
 * own pairs moves away from ½ by n / (n + this) of the way, n being the distinct samples of the
 * scarcer signal: a calibration of 5 photos and 5 clips per emotion (n = 15) moves a third of the way.
 * It is a prior, set before measuring anything: with the handful of samples a calibration has, the
 * best weight on them is mostly noise, and the noise is what lost to the better signal on new photos.
 */
export const FUSION_PRIOR_SAMPLES = 30;

/** What the fusion may lean on: each signal's distinct samples and whether it is near chance. */
export interface FusionEvidence {
  face: { n: number; nearChance: boolean };
  voice: { n: number; nearChance: boolean };
  /** The face weight to shrink toward: ½, or the generic face's weight when the face stays generic. */
  priorFaceWeight?: number;
}

function scoreWeight(pairs: readonly FusionPair[], w: number): { t: number; acc: number; nll: number } {
  const labels = pairs.map((p) => p.label);
  const weights = pairs.map((p) => p.weight ?? 1);
  const logits = pairs.map((p) =>
    fuseLogits([
      { probs: p.face, weight: w },
      { probs: p.voice, weight: 1 - w },
    ]),
  );
  const t = fitTemperature(logits, labels, weights);
  let hits = 0;
  let nll = 0;
  let total = 0;
  logits.forEach((l, i) => {
    const p = softmax(l, t);
    const label = labels[i]!;
    const weight = weights[i]!;
    hits += argmax(p) === label ? weight : 0;
    nll -= weight * safeLog(p[label] ?? 0);
    total += weight;
  });
  return { t, acc: total > 0 ? hits / total : 0, nll };
}

/**
 * The face weight w (voice gets 1 − w). A signal near chance in cross-validation gets none. Otherwise
 * the most accurate weight on the cross-validated pairs (ties to the lower log-loss) is shrunk toward
 * equal weighting in proportion to the evidence ({@link FUSION_PRIOR_SAMPLES}). Each signal's
 * probabilities are already calibrated on its distinct samples, so equal weighting is a product of
 * honest probabilities: a weak signal is flat and moves the product little.
 */
export function learnFusion(pairs: readonly FusionPair[], evidence: FusionEvidence): FusionState {
  let w: number;
  if (evidence.face.nearChance !== evidence.voice.nearChance) w = evidence.face.nearChance ? 0 : 1;
  else {
    let best = { w: 0.5, acc: -1, nll: Infinity };
    for (const g of GRID) {
      pauseIfAsked();
      const s = scoreWeight(pairs, g);
      if (s.acc > best.acc + 1e-9 || (Math.abs(s.acc - best.acc) <= 1e-9 && s.nll < best.nll))
        best = { w: g, acc: s.acc, nll: s.nll };
    }
    const n = Math.min(evidence.face.n, evidence.voice.n);
    const trust = n / (n + FUSION_PRIOR_SAMPLES);
    w = trust * best.w + (1 - trust) * (evidence.priorFaceWeight ?? 0.5);
  }
  const final = scoreWeight(pairs, w);
  const n = pairs.reduce((a, p) => a + (p.weight ?? 1), 0);
  // The temperature fitted on the pairs is shrunk toward the independent product's in the same
  // proportion as the weight: a few pairs (three distinct photos) cannot set it alone.
  const pairsN = Math.min(evidence.face.n, evidence.voice.n);
  const trust = pairsN / (pairsN + FUSION_PRIOR_SAMPLES);
  const t0 = independentTemperature({ face: w, voice: 1 - w });
  const temperature = Math.exp(trust * Math.log(final.t) + (1 - trust) * Math.log(t0));
  return { weights: { face: w, voice: 1 - w }, temperature, accuracy: final.acc, n: Math.round(n) };
}

/**
 * Pairs for learning the fusion. Samples taken together (a selfie and a clip in one sample) pair
 * themselves; otherwise face and voice samples of the same emotion are paired with each other, which
 * is what fusion assumes anyway (the two signals err independently given the emotion). Capped per
 * emotion with a fixed stride so training time stays bounded.
 */
export function buildPairs(
  together: readonly FusionPair[],
  faceByLabel: Map<number, { probs: number[]; weight: number }[]>,
  voiceByLabel: Map<number, { probs: number[]; weight: number }[]>,
  capPerLabel = 60,
): FusionPair[] {
  if (together.length >= 6) return [...together];
  const pairs: FusionPair[] = [...together];
  for (const [label, faces] of faceByLabel) {
    const voices = voiceByLabel.get(label) ?? [];
    const all = faces.length * voices.length;
    if (all === 0) continue;
    const stride = Math.max(1, Math.floor(all / capPerLabel));
    const made: FusionPair[] = [];
    for (let k = 0; k < all; k += stride) {
      const f = faces[k % faces.length]!;
      const v = voices[Math.floor(k / faces.length) % voices.length]!;
      made.push({ face: f.probs, voice: v.probs, label, weight: f.weight * v.weight });
    }
    // The cross product stands for as many distinct pairs as the scarcer signal has distinct samples.
    const distinct = Math.min(sum(faces.map((f) => f.weight)), sum(voices.map((v) => v.weight)));
    const total = sum(made.map((p) => p.weight!));
    for (const p of made) pairs.push({ ...p, weight: (p.weight! * distinct) / total });
  }
  return pairs;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
