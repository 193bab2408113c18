import type { LabelledSample } from '../ml/types';
import type { StoredSample } from './types';

/**
 * Stored samples as the engine's training input. Each stored sample holds one signal, so each becomes
 * one LabelledSample with only that signal set (the engine trains each signal on its own samples).
 */
export function toLabelledSamples(samples: readonly StoredSample[]): LabelledSample[] {
  return samples.map((s) =>
    s.signal === 'face' ? { emotion: s.emotion, face: s.features } : { emotion: s.emotion, voice: s.features },
  );
}
