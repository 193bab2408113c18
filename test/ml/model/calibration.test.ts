import { VOICE_FEATURES_VERSION } from '../../../src/ml/audio/features';
import { predictWithModel, trainPersonModel } from '../../../src/ml/model';
import { independentTemperature, learnFusion } from '../../../src/ml/model/fusion';
import { safeLog, seededRandom, softmax } from '../../../src/ml/model/maths';
import { fitTemperature, shrinkTemperature, TEMPERATURE_PRIOR_SAMPLES } from '../../../src/ml/model/signalModel';
import type { FaceFeatures, LabelledSample, Probabilities } from '../../../src/ml/types';

const EMOTIONS = ['happy', 'neutral', 'sad'];

function meanConfidence(logits: number[][], t: number): number {
  return logits.reduce((s, l) => s + Math.max(...softmax(l, t)), 0) / logits.length;
}

function nll(logits: number[][], labels: number[], t: number): number {
  return logits.reduce((s, l, i) => s - safeLog(softmax(l, t)[labels[i]!] ?? 0), 0);
}

/** Logits with a margin for the true class (right) or for the next class (wrong). */
function cvLogits(right: number, wrong: number, margin: number): { logits: number[][]; labels: number[] } {
  const logits: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < right + wrong; i++) {
    const label = i % 3;
    const top = i < right ? label : (label + 1) % 3;
    logits.push([0, 1, 2].map((c) => (c === top ? margin : 0)));
    labels.push(label);
  }
  return { logits, labels };
}

describe('fitTemperature', () => {
  it('minimises the likelihood of cross-validated predictions, with no pull toward uniform', () => {
    const { logits, labels } = cvLogits(16, 4, 2);
    const t = fitTemperature(logits, labels);
    expect(nll(logits, labels, t)).toBeLessThanOrEqual(nll(logits, labels, t * 1.05) + 1e-9);
    expect(nll(logits, labels, t)).toBeLessThanOrEqual(nll(logits, labels, t / 1.05) + 1e-9);
    // With one margin for every sample the likelihood's optimum states exactly the accuracy, 80%.
    expect(meanConfidence(logits, t)).toBeCloseTo(0.8, 3);
  });

  it('holds a perfect cross-validation to the rule of succession instead of 100%', () => {
    const { logits, labels } = cvLogits(10, 0, 3);
    const t = fitTemperature(logits, labels);
    expect(meanConfidence(logits, t)).toBeCloseTo(11 / 12, 3);
  });

  it('counts copies once: a sample sent twice at half weight is one sample', () => {
    const { logits, labels } = cvLogits(16, 4, 2);
    const doubled = fitTemperature([...logits, ...logits], [...labels, ...labels], new Array(40).fill(0.5));
    expect(doubled).toBeCloseTo(fitTemperature(logits, labels), 4);
  });
});

describe('shrinkTemperature', () => {
  it('moves log T from the model’s own probabilities (T = 1) in proportion to the samples behind the fit', () => {
    expect(shrinkTemperature(4, 0)).toBe(1);
    expect(shrinkTemperature(4, 10)).toBeCloseTo(4 ** (10 / (10 + TEMPERATURE_PRIOR_SAMPLES)), 9);
    expect(shrinkTemperature(0.25, TEMPERATURE_PRIOR_SAMPLES)).toBeCloseTo(0.5, 9);
    expect(shrinkTemperature(4, 1e7)).toBeCloseTo(4, 3);
  });

  it('is what a trained voice keeps: six clips cannot take its readings all the way to uniform', () => {
    // Pure noise: fitted alone, the likelihood runs to the largest temperature searched (50).
    const rand = seededRandom(26);
    const samples: LabelledSample[] = EMOTIONS.flatMap((emotion) =>
      [0, 1].map(() => ({
        emotion,
        voice: { durationSec: 2, stats: { pitch: rand(), energy: rand(), features_version: VOICE_FEATURES_VERSION } },
      })),
    );
    const m = trainPersonModel(samples, EMOTIONS, () => ({}));
    if (!m.ok) throw new Error(m.message);
    const voice = (m.value as unknown as { voice: { temperature: number; nearChance: boolean } }).voice;
    expect(voice.temperature).toBeCloseTo(shrinkTemperature(50, 6), 2);
    // Such a voice is near chance: its readings are "not sure" whatever they say.
    expect(voice.nearChance).toBe(true);
  });
});

describe('the generic face beside a few photos', () => {
  const generic = (face: FaceFeatures): Probabilities => ({
    happy: face.expressions.happy ?? 0,
    neutral: face.expressions.neutral ?? 0,
    sad: face.expressions.sad ?? 0,
  });
  const photo = (expressions: Record<string, number>, lift: number): FaceFeatures => ({
    faceCount: 1,
    box: { x: 0, y: 0, width: 200, height: 200 },
    score: 0.9,
    expressions,
    landmarks: [],
    descriptor: [],
    geometry: { mouthCornerLift: lift },
  });

  it('keeps its own calibration when three photos, each sent twice, are all misread', () => {
    // Each photo reads confidently as the next emotion: alone, these three would flatten the face to chance.
    const photos: LabelledSample[] = EMOTIONS.flatMap((emotion, i) => {
      const wrong = EMOTIONS[(i + 1) % 3]!;
      const f = photo({ happy: 0.05, neutral: 0.05, sad: 0.05, [wrong]: 0.9 }, i);
      return [
        { emotion, face: f },
        { emotion, face: f },
      ];
    });
    const r = trainPersonModel(photos, EMOTIONS, generic);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.report.face!.samples).toBe(6);
    const p = predictWithModel(r.value, { face: photo({ happy: 0.9, neutral: 0.05, sad: 0.05 }, 0) }, generic);
    expect(p.generic).toBe(true);
    expect(p.face!.emotion).toBe('happy');
    // The generic model says 90%; three distinct photos move that a tenth of the way, not to 33%.
    expect(p.face!.confidence).toBeGreaterThan(0.75);
  });
});

describe('fusion weight', () => {
  const pair = (label: number, face: number[], voice: number[]) => ({ face, voice, label });
  const sure = (c: number, p = 0.9) => [0, 1, 2].map((k) => (k === c ? p : (1 - p) / 2));
  const evidence = { face: { n: 12, accuracy: 0.5 }, voice: { n: 12, accuracy: 0.75 } };

  it('moves from the prior in proportion to the evidence: confident misreadings weigh, flat ones do not', () => {
    // The face is confidently wrong on half the pairs: the pairs themselves say it hurts.
    const wrongFace = Array.from({ length: 12 }, (_, i) =>
      pair(i % 3, sure(i % 2 ? i % 3 : (i + 1) % 3), sure(i % 3, 0.6)),
    );
    expect(learnFusion(wrongFace, evidence).weights.face!).toBeLessThan(0.4);
    // The same accuracy with flat probabilities says almost nothing: the weight stays near ½.
    const flatFace = wrongFace.map((p) => ({ ...p, face: sure(p.face.indexOf(0.9), 0.36) }));
    expect(Math.abs(learnFusion(flatFace, evidence).weights.face! - 0.5)).toBeLessThan(0.05);
  });

  it('gives none to a signal at or below chance in cross-validation', () => {
    const pairs = [0, 1, 2].map((c) => pair(c, sure((c + 1) % 3, 0.4), sure(c)));
    const f = learnFusion(pairs, { face: { n: 3, accuracy: 1 / 3 }, voice: { n: 3, accuracy: 1 } });
    expect(f.weights).toEqual({ face: 0, voice: 1 });
  });
});

describe('fusion temperature', () => {
  it('of an independent product: the larger weight (both count fully when equal)', () => {
    expect(independentTemperature({ face: 0.5, voice: 0.5 })).toBeCloseTo(0.5, 9);
    expect(independentTemperature({ face: 0.25, voice: 0.75 })).toBeCloseTo(0.75, 9);
    expect(independentTemperature({ face: 0, voice: 1 })).toBeCloseTo(1, 9);
    expect(independentTemperature({})).toBe(1);
  });

  it('learned from three pairs stays near the independent product', () => {
    const pairs = [0, 1, 2].map((label) => {
      const p = [0.1, 0.1, 0.1];
      p[label] = 0.8;
      return { face: p, voice: p, label };
    });
    const f = learnFusion(pairs, { face: { n: 3, accuracy: 1 }, voice: { n: 3, accuracy: 1 } });
    const t0 = independentTemperature(f.weights);
    // Three perfect pairs alone would drive the temperature far down; three distinct samples move it little.
    expect(Math.abs(Math.log(f.temperature / t0))).toBeLessThan(0.2);
  });

  it('two calibrated signals that agree make a reading more confident than either alone', () => {
    const rand = seededRandom(7);
    // A voice separable with some overlap, so its calibrated probabilities are neither flat nor certain.
    const samples: LabelledSample[] = EMOTIONS.flatMap((emotion, cls) =>
      Array.from({ length: 6 }, () => ({
        emotion,
        voice: {
          durationSec: 2,
          stats: {
            pitchMean: cls * 2 + (rand() - 0.5) * 3,
            energyStd: rand(),
            features_version: VOICE_FEATURES_VERSION,
          },
        },
      })),
    );
    const generic = (face: FaceFeatures): Probabilities => ({
      happy: face.expressions.happy ?? 0,
      neutral: face.expressions.neutral ?? 0,
      sad: face.expressions.sad ?? 0,
    });
    const r = trainPersonModel(samples, EMOTIONS, generic);
    if (!r.ok) throw new Error(r.message);
    const face: FaceFeatures = {
      faceCount: 1,
      box: { x: 0, y: 0, width: 200, height: 200 },
      score: 0.9,
      expressions: { neutral: 0.1, happy: 0.8, sad: 0.1 },
      landmarks: [],
      descriptor: [],
      geometry: {},
    };
    const clip = { durationSec: 2, stats: { pitchMean: 0, energyStd: 0.5, features_version: VOICE_FEATURES_VERSION } };
    const p = predictWithModel(r.value, { face, voice: clip }, generic);
    expect(p.voice!.emotion).toBe('happy');
    expect(p.face!.emotion).toBe('happy');
    expect(p.fused.emotion).toBe('happy');
    expect(p.fused.confidence).toBeGreaterThan(Math.max(p.voice!.confidence, p.face!.confidence));
  });
});
