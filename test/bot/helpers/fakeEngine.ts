import type { AttuneEngine } from '../../../src/ml/engine';
import { MODEL_VERSION } from '../../../src/ml/model';
import {
  fail,
  ok,
  type Emotion,
  type FaceFeatures,
  type LabelledSample,
  type Pcm,
  type PersonModel,
  type Prediction,
  type Result,
  type VoiceFeatures,
} from '../../../src/ml/types';

/** A face whose only distinguishing value is `tag` (so tests can see which photo became which sample). */
/**
 * A face tagged `tag`, of person `person` (descriptors of one person lie 0.05 apart, of two people
 * 1.0 apart), found among `faces` faces.
 */
export function fakeFace(tag: number, person = 0, faces = 1): FaceFeatures {
  const descriptor = Array.from({ length: 128 }, () => 0);
  descriptor[person % 128] = 1 / Math.SQRT2;
  descriptor[127 - (tag % 64)] = (descriptor[127 - (tag % 64)] ?? 0) + 0.05 / Math.SQRT2;
  return {
    faceCount: faces,
    box: { x: 10, y: 10, width: 100, height: 100 },
    score: 0.9,
    expressions: { neutral: 0.5, happy: 0.5 },
    landmarks: [],
    descriptor,
    geometry: { tag },
  };
}

/**
 * A deterministic engine for unit tests. Images: first byte 0 → no face, else a face tagged with the
 * first byte, of the person in the second byte (default 0), among as many faces as the third (default 1). Audio: an all-zero PCM or bytes starting with 0 → silence. `train` waits for
 * `trainGate` when set, so tests can observe the training state.
 */
export class FakeEngine implements AttuneEngine {
  trained: LabelledSample[][] = [];
  trainGate: Promise<void> | null = null;
  closed = false;

  analyzeFace(image: Uint8Array): Promise<Result<FaceFeatures>> {
    const [tag, person = 0, faces = 1] = image;
    if (tag === undefined) return Promise.resolve(fail('empty', 'That image is empty.'));
    if (tag === 0) return Promise.resolve(fail('no_face', 'No face found in that photo.'));
    return Promise.resolve(ok(fakeFace(tag, person, faces)));
  }

  analyzeVoice(audio: Uint8Array | Pcm): Promise<Result<VoiceFeatures>> {
    const silent = audio instanceof Uint8Array ? audio[0] === 0 : audio.samples.every((s) => s === 0);
    if (silent) return Promise.resolve(fail('silence', 'No speech in that clip.'));
    const len = audio instanceof Uint8Array ? audio.length : audio.samples.length / audio.sampleRate;
    return Promise.resolve(ok<VoiceFeatures>({ durationSec: len, stats: { len } }));
  }

  async train(samples: LabelledSample[], emotions: readonly Emotion[]) {
    this.trained.push(samples);
    if (this.trainGate) await this.trainGate;
    const counts: Record<Emotion, { face: number; voice: number }> = {};
    for (const e of emotions) counts[e] = { face: 0, voice: 0 };
    for (const s of samples) {
      const count = (counts[s.emotion] ??= { face: 0, voice: 0 });
      if (s.face) count.face++;
      if (s.voice) count.voice++;
    }
    const model: PersonModel = {
      version: MODEL_VERSION,
      emotions: [...emotions],
      createdAt: '2026-01-01T00:00:00.000Z',
      face: {},
      voice: {},
      fusion: { face: 0.5, voice: 0.5 },
      report: {
        face: { accuracy: 0.8, n: 6 },
        voice: { accuracy: 0.6, n: 6 },
        fused: { accuracy: 0.9, n: 6 },
        confusion: {
          labels: [...emotions],
          counts: emotions.map((_, i) => emotions.map((__, j) => (i === j ? 2 : 0))),
        },
        counts,
      },
    };
    return ok(model);
  }

  predict(model: PersonModel | null, input: { face?: FaceFeatures; voice?: VoiceFeatures }): Promise<Prediction> {
    const reading = (emotion: Emotion, confidence: number) => ({
      emotion,
      probabilities: { [emotion]: confidence },
      confidence,
      uncertain: confidence < 0.5,
    });
    return Promise.resolve({
      face: input.face ? reading('happy', 0.8) : undefined,
      voice: input.voice && model ? reading('sad', 0.4) : undefined,
      fused: reading('happy', 0.7),
      generic: model === null,
      weights: { face: 1 },
    });
  }

  interactive<T>(work: () => Promise<T>): Promise<T> {
    return work();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
