/** Shared builders for reply tests. */
import { uncertaintyThreshold } from '../../src/ml/model';
import { DEFAULT_EMOTIONS, type Prediction } from '../../src/ml/types';
import type { Question } from '../../src/reply';

/** A reading as the recognition core would give it (unsure below its threshold for the default emotions). */
export function reading(
  emotion: string,
  confidence: number,
  signals: 'voice' | 'face' | 'both' = 'voice',
  uncertain?: boolean,
): Prediction {
  const r = {
    emotion,
    probabilities: { [emotion]: confidence },
    confidence,
    uncertain: uncertain ?? confidence < uncertaintyThreshold(DEFAULT_EMOTIONS.length),
  };
  return {
    ...(signals !== 'voice' ? { face: r } : {}),
    ...(signals !== 'face' ? { voice: r } : {}),
    fused: r,
    generic: false,
    weights: signals === 'both' ? { face: 0.5, voice: 0.5 } : signals === 'face' ? { face: 1 } : { voice: 1 },
  };
}

export function question(text: string, overrides: Partial<Question> = {}): Question {
  return {
    text,
    reading: reading('neutral', 0.9),
    displayName: 'Sam',
    timeZone: 'Europe/London',
    locale: 'en-GB',
    ...overrides,
  };
}

/** 2025-03-04 15:20:00 UTC, a Tuesday: 15:20 in London, 10:20 in New York, 0:20 (5 March) in Tokyo. */
export const FIXED_NOW = new Date('2025-03-04T15:20:00Z');
