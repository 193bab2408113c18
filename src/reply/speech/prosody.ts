/**
 * Emotion → prosody. Expressed happiness is faster, higher, wider in pitch and louder; sadness is
 * slower, lower, flatter and softer; tension is fast, loud and wide but not raised. Engines map these
 * relative factors onto their own controls.
 */
import { moodOf, type Mood } from '../answer/tone';
import type { SpeechStyle } from '../types';

/** Relative prosody: 1 means the engine's neutral voice. */
export interface Prosody {
  /** Speaking-rate factor. */
  rate: number;
  /** Mean-pitch factor (f0 multiplier). */
  pitch: number;
  /** Pitch-range factor (how much the intonation moves). */
  range: number;
  /** Loudness factor (linear amplitude). */
  gain: number;
}

const FULL: Record<Mood, Prosody> = {
  bright: { rate: 1.18, pitch: 1.22, range: 1.7, gain: 1.3 },
  plain: { rate: 1, pitch: 1, range: 1, gain: 1 },
  low: { rate: 0.76, pitch: 0.85, range: 0.35, gain: 0.62 },
  tense: { rate: 1.12, pitch: 0.96, range: 1.4, gain: 1.35 },
};

/**
 * The prosody for a style: the mood's full prosody scaled geometrically by intensity, so intensity 0
 * is neutral, 1 is the full mood and 0.5 is halfway on a log scale (how pitch and loudness are heard).
 */
export function prosodyFor(style: SpeechStyle): Prosody {
  const full = FULL[moodOf(style.emotion)];
  const k = Number.isFinite(style.intensity) ? Math.min(1, Math.max(0, style.intensity)) : 0;
  return {
    rate: full.rate ** k,
    pitch: full.pitch ** k,
    range: full.range ** k,
    gain: full.gain ** k,
  };
}
