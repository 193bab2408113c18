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
}

export function fuseLogits(parts: { probs: readonly number[]; weight: number }[]): number[] {
  const k = parts[0]?.probs.length ?? 0;
  const out = new Array<number>(k).fill(0);
  for (const { probs, weight } of parts) for (let c = 0; c < k; c++) out[c] += weight * safeLog(probs[c]);
  return out;
}

const GRID = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/**
 * Picks the face weight w (voice gets 1 − w) that is most accurate on the pairs; among equally accurate
 * weights the one with the lowest log-loss. w = 0 and w = 1 are the single signals, so on these pairs
 * the fusion is never less accurate than the better signal alone.
 */
export function learnFusion(pairs: readonly FusionPair[]): FusionState {
  let best: FusionState & { nll: number } = { weights: { face: 0.5, voice: 0.5 }, temperature: 1, accuracy: -1, n: pairs.length, nll: Infinity };
  const labels = pairs.map((p) => p.label);
  for (const w of GRID) {
    pauseIfAsked();
    const logits = pairs.map((p) => fuseLogits([{ probs: p.face, weight: w }, { probs: p.voice, weight: 1 - w }]));
    const t = fitTemperature(logits, labels);
    let hits = 0;
    let nll = 0;
    logits.forEach((l, i) => {
      const p = softmax(l, t);
      hits += argmax(p) === labels[i] ? 1 : 0;
      nll -= safeLog(p[labels[i]]);
    });
    const acc = pairs.length ? hits / pairs.length : 0;
    if (acc > best.accuracy + 1e-9 || (Math.abs(acc - best.accuracy) <= 1e-9 && nll < best.nll)) {
      best = { weights: { face: w, voice: 1 - w }, temperature: t, accuracy: acc, n: pairs.length, nll };
    }
  }
  const { nll: _nll, ...state } = best;
  return state;
}

/**
 * Pairs for learning the fusion. Samples taken together (a selfie and a clip in one sample) pair
 * themselves; otherwise face and voice samples of the same emotion are paired with each other, which
 * is what fusion assumes anyway (the two signals err independently given the emotion). Capped per
 * emotion with a fixed stride so training time stays bounded.
 */
export function buildPairs(
  together: readonly FusionPair[],
  faceByLabel: Map<number, number[][]>,
  voiceByLabel: Map<number, number[][]>,
  capPerLabel = 60,
): FusionPair[] {
  if (together.length >= 6) return [...together];
  const pairs: FusionPair[] = [...together];
  for (const [label, faces] of faceByLabel) {
    const voices = voiceByLabel.get(label) ?? [];
    const all = faces.length * voices.length;
    if (all === 0) continue;
    const stride = Math.max(1, Math.floor(all / capPerLabel));
    for (let k = 0; k < all; k += stride) {
      pairs.push({ face: faces[k % faces.length], voice: voices[Math.floor(k / faces.length) % voices.length], label });
    }
  }
  return pairs;
}
