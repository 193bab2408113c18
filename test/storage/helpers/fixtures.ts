import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaceFeatures, PersonModel, VoiceFeatures } from '../../../src/ml/types';
import type { NewSample } from '../../../src/storage';

/** A fixed clock: every timestamp in a test is predictable. */
export const FIXED_NOW = new Date('2025-01-02T03:04:05.000Z');
export const fixedClock = (): Date => FIXED_NOW;

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-store-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Face features shaped like the real pipeline's (68 landmarks, 128-d descriptor), values from `seed`. */
export function faceFeatures(seed: number): FaceFeatures {
  return {
    faceCount: 1,
    box: { x: 10 + seed, y: 20, width: 120, height: 130 },
    score: 0.9,
    expressions: { neutral: 0.1, happy: 0.8, sad: 0.1 },
    landmarks: Array.from({ length: 136 }, (_, i) => ((i * 7 + seed) % 100) / 100),
    descriptor: Array.from({ length: 128 }, (_, i) => Math.sin(i + seed) / 3),
    geometry: { mouthCornerLift: 0.01 * seed, mouthOpen: 0.2, browHeight: 0.3 },
  };
}

export function voiceFeatures(seed: number): VoiceFeatures {
  return { durationSec: 1 + seed / 10, stats: { pitchMean: 180 + seed, energyMean: 0.05, voicedRatio: 0.7 } };
}

export function faceSample(personId: string, emotion: string, seed = 1): NewSample {
  return {
    personId,
    emotion,
    signal: 'face',
    features: faceFeatures(seed),
    metadata: { source: 'attachment', mimeType: 'image/jpeg' },
  };
}

export function voiceSample(personId: string, emotion: string, seed = 1): NewSample {
  return {
    personId,
    emotion,
    signal: 'voice',
    features: voiceFeatures(seed),
    metadata: { source: 'voice_message', durationSec: 2.5 },
  };
}

/** A small but complete PersonModel. */
export function personModel(tag: string, version = 1): PersonModel {
  return {
    version,
    emotions: ['happy', 'neutral', 'sad'],
    createdAt: '2025-01-01T00:00:00.000Z',
    face: { kind: 'test', tag, weights: [0.5, -0.25, 1] },
    voice: null,
    fusion: { face: 1 },
    report: {
      face: { accuracy: 0.75, n: 12 },
      voice: null,
      fused: { accuracy: 0.75, n: 12 },
      confusion: {
        labels: ['happy', 'neutral', 'sad'],
        counts: [
          [4, 0, 0],
          [1, 3, 0],
          [0, 2, 2],
        ],
      },
      counts: { happy: { face: 4, voice: 0 }, neutral: { face: 4, voice: 0 }, sad: { face: 4, voice: 0 } },
    },
  };
}
