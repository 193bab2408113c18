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

/**
 * How many distinct samples the prior weighting (equal, or the generic face's minority vote) is worth:
 * the concentration of the Beta prior on the face weight ({@link learnFusion}), and the count by which
 * the fused temperature moves from the independent product's toward the one the pairs fit. It is a
 * prior, set before measuring anything: with the handful of samples a calibration has, the best weight
 * on them is mostly noise, and the noise is what lost to the better signal on new photos.
 */
export const FUSION_PRIOR_SAMPLES = 30;

/** What the fusion may lean on: each signal's distinct samples and its cross-validated accuracy on them. */
export interface FusionEvidence {
  face: { n: number; accuracy: number };
  voice: { n: number; accuracy: number };
  /** The prior's mean face weight: ½, or the generic face's weight when the face stays generic. */
  priorFaceWeight?: number;
}

/** A pair's fused logits with face weight w (the voice gets 1 − w). */
function pairLogits(p: FusionPair, w: number): number[] {
  return fuseLogits([
    { probs: p.face, weight: w },
    { probs: p.voice, weight: 1 - w },
  ]);
}

function scoreWeight(pairs: readonly FusionPair[], w: number): { t: number; acc: number; nll: number } {
  const labels = pairs.map((p) => p.label);
  const weights = pairs.map((p) => p.weight ?? 1);
  const logits = pairs.map((p) => pairLogits(p, w));
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
 * Log-likelihood of the cross-validated pairs under the fusion with face weight w, read at the
 * independent product's temperature: each signal's probabilities are calibrated, so this is what the
 * fused reading would have said of those samples, with nothing further fitted to them.
 */
function pairsLogLikelihood(pairs: readonly FusionPair[], w: number): number {
  const t = independentTemperature({ face: w, voice: 1 - w });
  let ll = 0;
  for (const p of pairs) ll += (p.weight ?? 1) * safeLog(softmax(pairLogits(p, w), t)[p.label] ?? 0);
  return ll;
}

/** Face weights the posterior is read on (both ends included: a signal may end up with none). */
const WEIGHT_GRID = Array.from({ length: 41 }, (_, i) => i / 40);

/**
 * The face weight w (voice gets 1 − w): the posterior mean of w given the cross-validated pairs.
 *
 * The prior is a Beta distribution centred on equal weighting (or on the generic face's minority vote
 * when the face stays generic) and worth {@link FUSION_PRIOR_SAMPLES} samples; the likelihood is that
 * of the pairs under the fused reading ({@link pairsLogLikelihood}). So the weight moves away from the
 * prior in proportion to the evidence, measured as the evidence itself says: a few confident misreadings
 * weigh more than many hesitant ones, and copies count once. A signal only "not clearly above chance"
 * on ten samples keeps its share: issue 9 measured the former rule (no weight for any such signal)
 * handing every person whose ten clips did not reach significance to a face read from three photos,
 * which then lost to the voice on their new clips (RAVDESS voices with duplicated Yale photos, as given:
 * 0.900 against the voice's 0.933). A signal at or below chance in cross-validation gets no weight:
 * its calibrated probabilities are flat, and its cross-validation shows nothing to weigh.
 */
export function learnFusion(pairs: readonly FusionPair[], evidence: FusionEvidence): FusionState {
  const classes = pairs[0]?.face.length ?? 2;
  const atChance = (s: FusionEvidence['face']) => s.accuracy <= 1 / classes + 1e-9;
  let w: number;
  if (atChance(evidence.face) !== atChance(evidence.voice)) w = atChance(evidence.face) ? 0 : 1;
  else {
    const mean = evidence.priorFaceWeight ?? 0.5;
    const a = FUSION_PRIOR_SAMPLES * mean;
    const b = FUSION_PRIOR_SAMPLES * (1 - mean);
    const logPost = WEIGHT_GRID.map((g) => {
      pauseIfAsked();
      const x = Math.min(1 - 1e-6, Math.max(1e-6, g));
      return (a - 1) * Math.log(x) + (b - 1) * Math.log(1 - x) + pairsLogLikelihood(pairs, g);
    });
    const top = Math.max(...logPost);
    let num = 0;
    let den = 0;
    WEIGHT_GRID.forEach((g, i) => {
      const p = Math.exp(logPost[i]! - top);
      num += g * p;
      den += p;
    });
    w = num / den;
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
