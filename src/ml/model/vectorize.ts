import { EXPRESSION_LABELS, type FaceFeatures, type VoiceFeatures } from '../types';
import { safeLog } from './maths';

/**
 * Turning extracted features into the fixed-order numeric vectors the classifiers need. A model keeps
 * the feature names it was trained with, so a later feature extractor that adds or drops a statistic
 * still lines up (a missing value becomes NaN, which standardisation maps to the person's mean).
 */

/** Named face features for a personal model: landmark geometry plus expression log-probabilities. */
export function faceFeatureMap(face: FaceFeatures): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(face.geometry)) out[`geo.${k}`] = v;
  for (const k of EXPRESSION_LABELS) out[`expr.${k}`] = safeLog(face.expressions[k] ?? 0);
  return out;
}

/** Named voice statistics for a personal model (the extractor's version tag is not a feature). */
export function voiceFeatureMap(voice: VoiceFeatures): Record<string, number> {
  const { features_version: _version, ...stats } = voice.stats;
  return stats;
}

/** The extractor version a clip's statistics were measured with (1: before versions were stored). */
export function voiceFeaturesVersion(voice: VoiceFeatures): number {
  // Rounded: a version is an integer, and a tool that scales every statistic (a near-copy made for a
  // benchmark) must not turn version 2 into an unknown 2.02.
  return Math.round(voice.stats.features_version ?? 1);
}

/** The sorted intersection of the maps' names: the features present in every calibration sample. */
export function commonFeatureNames(maps: readonly Record<string, number>[]): string[] {
  const first = maps[0];
  if (!first) return [];
  return Object.keys(first)
    .filter((k) => maps.every((m) => Number.isFinite(m[k])))
    .sort();
}

export function toVector(map: Record<string, number>, names: readonly string[]): number[] {
  return names.map((n) => map[n] ?? NaN);
}
