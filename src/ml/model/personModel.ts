import {
  type CalibrationReport,
  type ConfusionMatrix,
  DEFAULT_EMOTIONS,
  type Emotion,
  type FaceFeatures,
  type AccuracyReport,
  type LabelledSample,
  type PersonModel,
  type Prediction,
  type Probabilities,
  type Result,
  type SignalReading,
  type VoiceFeatures,
  fail,
  ok,
} from '../types';
import { VOICE_FEATURES_VERSION } from '../audio/features';
import {
  type FusionPair,
  type FusionState,
  buildPairs,
  fuseLogits,
  independentTemperature,
  learnFusion,
} from './fusion';
import { argmax, softmax } from './maths';
import {
  type SignalModelState,
  distinctWeights,
  isNearChance,
  predictSignal,
  toProbabilities,
  trainSignal,
} from './signalModel';
import { commonFeatureNames, faceFeatureMap, toVector, voiceFeatureMap, voiceFeaturesVersion } from './vectorize';

/**
 * Bump when the serialised shape or the features a model reads change; older models are then
 * retrained, not misread. 2: duplicate-aware cross-validation, `nearChance` per signal, shrunk fusion
 * weights, voice features version 2 (gain- and band-robust). 3: temperatures fitted by likelihood on the
 * cross-validated predictions (no label smoothing), the fused temperature of an independent product.
 * 4: the fusion weight is a posterior given the cross-validated pairs (no weight only at or below chance).
 * 5: every signal's temperature is shrunk toward its model's own probabilities (TEMPERATURE_PRIOR_SAMPLES),
 * and the voice trains on its clips' parts.
 */
export const MODEL_VERSION = 5;

/** Fewest samples per emotion for a signal to get a personal model. */
export const MIN_SAMPLES_PER_CLASS = 2;

/**
 * Fusion weight of the generic face beside a personal voice model, when there are no calibration
 * photos to learn a weight from. The generic model has never seen the person and is overconfident on
 * strangers (mean confidence 0.92 at 0.88 accuracy on Yale), so it gets a minority vote. Measured on
 * scripts/pseudo-multimodal.ts (RAVDESS voices paired with Yale faces, both folds; the pairing reuses
 * the shared test data, so treat it as orientation): fused accuracy 0.93 at face weight 0.1–0.3,
 * 0.89–0.91 at 0.4–0.5, against 0.90 voice alone and 0.88 face alone. With temperatures fitted by
 * likelihood (MODEL_VERSION 3), as given / roles swapped: 0.933 / 0.933 at 0.25, 0.933 / 0.908 at 0.4,
 * 0.908 / 0.908 at 0.5 (voice 0.925 / 0.858); so it stays.
 */
export const GENERIC_FACE_WEIGHT = 0.25;

/** The generic (uncalibrated) face model, injected so this file stays free of face-api. */
export type GenericFaceModel = (face: FaceFeatures, emotions: readonly Emotion[]) => Probabilities;

interface StoredSignal extends SignalModelState {
  signal: 'face' | 'voice';
}

/** A person model as stored: the public PersonModel plus the fused temperature. */
type StoredModel = PersonModel & { face: StoredSignal | null; voice: StoredSignal | null; fusedTemperature: number };

/**
 * The one "not sure" threshold: below this calibrated confidence a reading is "not sure", 1/K plus 35%
 * of the way to certainty (0.57 for three emotions). It is compared with probabilities calibrated on the
 * person's own cross-validated samples (see fitTemperature), so it reads "stated only when right at
 * least 57% of the time on samples the model had not seen". A caller checks `uncertain` rather than
 * keeping a threshold of its own.
 */
export function uncertaintyThreshold(classes: number): number {
  return 1 / classes + 0.35 * (1 - 1 / classes);
}

/**
 * A reading from calibrated probabilities. It is uncertain below the one threshold above, or when the
 * signal it comes from was near chance in calibration (its probabilities then rest on too little).
 */
function reading(emotions: readonly Emotion[], p: readonly number[], nearChance = false): SignalReading {
  const i = argmax(p);
  const confidence = p[i] ?? 0;
  return {
    emotion: emotions[i] ?? '',
    probabilities: toProbabilities(emotions, p),
    confidence,
    uncertain: nearChance || confidence < uncertaintyThreshold(emotions.length),
  };
}

function genericVector(generic: GenericFaceModel, face: FaceFeatures, emotions: readonly Emotion[]): number[] {
  const p = generic(face, emotions);
  const v = emotions.map((e) => Math.max(0, p[e] ?? 0));
  const s = v.reduce((a, b) => a + b, 0);
  return s > 0 ? v.map((x) => x / s) : emotions.map(() => 1 / emotions.length);
}

/** Confusion over distinct samples: of a group of copies only the first is counted. */
function confusionOf(
  emotions: readonly Emotion[],
  labels: number[],
  probs: number[][],
  groups: number[] = labels.map((_, i) => i),
): ConfusionMatrix {
  const counts = emotions.map(() => emotions.map(() => 0));
  const seen = new Set<number>();
  labels.forEach((l, i) => {
    const group = groups[i]!;
    if (seen.has(group)) return;
    seen.add(group);
    counts[l]![argmax(probs[i]!)]!++;
  });
  return { labels: [...emotions], counts };
}

function signalReport(state: SignalModelState, samples: number): AccuracyReport {
  return {
    accuracy: state.cvAccuracy,
    n: state.n,
    ...(samples !== state.n ? { samples } : {}),
    nearChance: state.nearChance,
  };
}

/**
 * Calibrates one person: a model per signal that has at least two samples of every emotion,
 * cross-validated accuracy per signal and fused, and fusion weights learned from that cross-validation.
 */
export function trainPersonModel(
  samplesIn: readonly LabelledSample[],
  emotionsIn: readonly Emotion[] = DEFAULT_EMOTIONS,
  generic: GenericFaceModel,
  now: Date = new Date(),
): Result<PersonModel> {
  const emotions = [...new Set(emotionsIn)];
  if (emotions.length < 2) return fail('invalid', 'Calibration needs at least two emotions.');
  const index = new Map(emotions.map((e, i) => [e, i]));
  const unknown = samplesIn.find((s) => !index.has(s.emotion));
  if (unknown)
    return fail('invalid', `A sample is labelled "${unknown.emotion}", which is not one of: ${emotions.join(', ')}.`);

  // Clips measured by an older feature extractor cannot share a model with new ones: left out, counted.
  const outdatedVoiceSamples = samplesIn.filter(
    (s) => s.voice && voiceFeaturesVersion(s.voice) !== VOICE_FEATURES_VERSION,
  ).length;
  const samples = samplesIn.map((s) =>
    s.voice && voiceFeaturesVersion(s.voice) !== VOICE_FEATURES_VERSION ? { ...s, voice: undefined } : s,
  );
  const counts: CalibrationReport['counts'] = {};
  const countOf = (e: Emotion) => (counts[e] ??= { face: 0, voice: 0 });
  for (const e of emotions) countOf(e);
  for (const s of samples) {
    if (s.face) countOf(s.emotion).face++;
    if (s.voice) countOf(s.emotion).voice++;
  }
  const enough = (sig: 'face' | 'voice') => emotions.every((e) => countOf(e)[sig] >= MIN_SAMPLES_PER_CLASS);
  if (!enough('face') && !enough('voice')) {
    const need = emotions.map((e) => `${e}: ${countOf(e).face} photos, ${countOf(e).voice} clips`).join('; ');
    const outdated = outdatedVoiceSamples
      ? ` ${outdatedVoiceSamples} older clips were measured by a previous version of Attune and need recording again.`
      : '';
    return fail(
      'not_enough_samples',
      `Calibration needs at least ${MIN_SAMPLES_PER_CLASS} photos or ${MIN_SAMPLES_PER_CLASS} clips of every emotion (${need}).${outdated}`,
    );
  }

  const faceSamples = enough('face') ? samples.filter((s) => s.face) : [];
  const voiceSamples = enough('voice') ? samples.filter((s) => s.voice) : [];

  let face: StoredSignal | null = null;
  let faceOof: number[][] = [];
  let faceGroups: number[] = [];
  if (faceSamples.length) {
    const maps = faceSamples.map((s) => faceFeatureMap(s.face!));
    const names = commonFeatureNames(maps);
    const trained = trainSignal(
      {
        rows: maps.map((m) => toVector(m, names)),
        labels: faceSamples.map((s) => index.get(s.emotion)!),
        priors: faceSamples.map((s) => genericVector(generic, s.face!, emotions)),
      },
      emotions.length,
      { withPrior: true },
    );
    if (trained) {
      face = { ...trained.state, featureNames: names, signal: 'face' };
      faceOof = trained.oof;
      faceGroups = trained.groups;
    }
  }

  let voice: StoredSignal | null = null;
  let voiceOof: number[][] = [];
  let voiceGroups: number[] = [];
  if (voiceSamples.length) {
    const maps = voiceSamples.map((s) => voiceFeatureMap(s.voice!));
    const names = commonFeatureNames(maps);
    // Each clip's parts, where it has them (clips stored before parts were measured have none).
    const views = { rows: [] as number[][], source: [] as number[] };
    voiceSamples.forEach((s, i) =>
      s.voice!.crops?.forEach((crop) => {
        views.rows.push(toVector(crop, names));
        views.source.push(i);
      }),
    );
    const trained = trainSignal(
      {
        rows: maps.map((m) => toVector(m, names)),
        labels: voiceSamples.map((s) => index.get(s.emotion)!),
        views,
      },
      emotions.length,
      { withPrior: false },
    );
    if (trained) {
      voice = { ...trained.state, featureNames: names, signal: 'voice' };
      voiceOof = trained.oof;
      voiceGroups = trained.groups;
    }
  }

  const faceLabels = faceSamples.map((s) => index.get(s.emotion)!);
  const voiceLabels = voiceSamples.map((s) => index.get(s.emotion)!);
  let fusion: FusionState | null = null;
  if (face && voice) {
    const faceWeights = distinctWeights(faceGroups);
    const voiceWeights = distinctWeights(voiceGroups);
    const together: FusionPair[] = [];
    const faceRow = new Map(faceSamples.map((s, i) => [s, i]));
    const voiceRow = new Map(voiceSamples.map((s, i) => [s, i]));
    for (const s of samples) {
      const f = faceRow.get(s);
      const v = voiceRow.get(s);
      if (f !== undefined && v !== undefined)
        together.push({
          face: faceOof[f]!,
          voice: voiceOof[v]!,
          label: index.get(s.emotion)!,
          weight: Math.min(faceWeights[f]!, voiceWeights[v]!),
        });
    }
    const byLabel = (labels: number[], oof: number[][], weights: number[]) => {
      const m = new Map<number, { probs: number[]; weight: number }[]>();
      labels.forEach((l, i) => m.set(l, [...(m.get(l) ?? []), { probs: oof[i]!, weight: weights[i]! }]));
      return m;
    };
    fusion = learnFusion(
      buildPairs(together, byLabel(faceLabels, faceOof, faceWeights), byLabel(voiceLabels, voiceOof, voiceWeights)),
      {
        face: { n: face.n, accuracy: face.cvAccuracy },
        voice: { n: voice.n, accuracy: voice.cvAccuracy },
        // A face left on the generic model is the same stranger-reading model as with no photos at all:
        // with little evidence it gets the same minority vote.
        priorFaceWeight: face.kind === 'generic' ? GENERIC_FACE_WEIGHT : 0.5,
      },
    );
  }

  // The confusion shown to the person is that of the signal the fused reading leans on most.
  const confusion =
    voice && (!face || (fusion?.weights.voice ?? 0) >= 0.5)
      ? confusionOf(emotions, voiceLabels, voiceOof, voiceGroups)
      : face
        ? confusionOf(emotions, faceLabels, faceOof, faceGroups)
        : confusionOf(emotions, [], []);

  const fusionWeights = fusion
    ? fusion.weights
    : face
      ? { face: 1 }
      : { face: GENERIC_FACE_WEIGHT, voice: 1 - GENERIC_FACE_WEIGHT };
  const model: StoredModel = {
    version: MODEL_VERSION,
    emotions,
    createdAt: now.toISOString(),
    face,
    voice,
    fusion: fusionWeights,
    fusedTemperature: fusion?.temperature ?? independentTemperature(fusionWeights),
    report: {
      face: face ? signalReport(face, faceLabels.length) : null,
      voice: voice ? signalReport(voice, voiceLabels.length) : null,
      fused: fusion
        ? {
            accuracy: fusion.accuracy,
            n: fusion.n,
            nearChance: isNearChance(fusion.accuracy, fusion.n, emotions.length),
          }
        : null,
      confusion,
      counts,
      ...(outdatedVoiceSamples ? { outdatedVoiceSamples } : {}),
    },
  };
  return ok(model);
}

/** Checks a loaded model before use; a model from another version must be recalibrated. */
export function isUsableModel(model: unknown): model is PersonModel {
  const m = model as Partial<StoredModel> | null;
  return !!m && m.version === MODEL_VERSION && Array.isArray(m.emotions) && m.emotions.length >= 2;
}

/**
 * Reads emotion from whichever signals are given. Without a personal model the face uses the generic
 * model and the voice cannot be read (there is no generic voice model).
 */
export function predictWithModel(
  model: PersonModel | null,
  input: { face?: FaceFeatures; voice?: VoiceFeatures },
  generic: GenericFaceModel,
  emotionsIn: readonly Emotion[] = DEFAULT_EMOTIONS,
): Prediction {
  // An outdated model (older version) is not misread: the person is served as if uncalibrated until
  // the bot retrains them (see isUsableModel).
  const stored = isUsableModel(model) ? (model as StoredModel) : null;
  const emotions = stored ? stored.emotions : [...new Set(emotionsIn)];
  const parts: { signal: 'face' | 'voice'; probs: number[]; nearChance: boolean }[] = [];

  if (input.face) {
    const prior = genericVector(generic, input.face, emotions);
    const probs = stored?.face
      ? predictSignal(stored.face, toVector(faceFeatureMap(input.face), stored.face.featureNames), prior)
      : prior;
    parts.push({ signal: 'face', probs, nearChance: stored?.face?.nearChance ?? false });
  }
  if (input.voice && stored?.voice) {
    parts.push({
      signal: 'voice',
      probs: predictSignal(stored.voice, toVector(voiceFeatureMap(input.voice), stored.voice.featureNames)),
      nearChance: stored.voice.nearChance,
    });
  }

  const prediction: Prediction = {
    generic: !stored?.face || stored.face.kind === 'generic',
    weights: {},
    fused: reading(
      emotions,
      emotions.map(() => 1 / emotions.length),
    ),
  };
  for (const p of parts) prediction[p.signal] = reading(emotions, p.probs, p.nearChance);
  const [only] = parts;
  if (parts.length === 1 && only) {
    prediction.fused = reading(emotions, only.probs, only.nearChance);
    prediction.weights = { [only.signal]: 1 };
  } else if (parts.length === 2) {
    const w = stored?.fusion ?? {};
    const fallback = { face: GENERIC_FACE_WEIGHT, voice: 1 - GENERIC_FACE_WEIGHT };
    const total = (w.face ?? fallback.face) + (w.voice ?? fallback.voice);
    const weighted = parts.map((p) => ({
      signal: p.signal,
      probs: p.probs,
      weight: (w[p.signal] ?? fallback[p.signal]) / (total || 1),
    }));
    prediction.fused = reading(
      emotions,
      softmax(fuseLogits(weighted), stored?.fusedTemperature ?? 1),
      parts.every((p) => p.nearChance),
    );
    prediction.weights = Object.fromEntries(weighted.map((p) => [p.signal, p.weight]));
  }
  return prediction;
}
