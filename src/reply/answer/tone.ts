/**
 * From an emotion reading to a tone of voice for the answer. The tone changes wording and warmth; an
 * unsure reading becomes a gentle check ("you sound a bit down — am I right?") instead of a label.
 * Everything speaks of what the person *expresses* (sound, look), never of what they feel inside.
 */
import type { Emotion, Prediction } from '../../ml/types';

/** Broad families of expressed emotion that call for the same way of answering. */
export type Mood = 'bright' | 'low' | 'tense' | 'plain';

const MOOD_OF: Record<string, Mood> = {
  happy: 'bright',
  surprised: 'bright',
  excited: 'bright',
  joy: 'bright',
  amused: 'bright',
  sad: 'low',
  fearful: 'low',
  tired: 'low',
  disappointed: 'low',
  worried: 'low',
  anxious: 'low',
  angry: 'tense',
  frustrated: 'tense',
  disgusted: 'tense',
  annoyed: 'tense',
  stressed: 'tense',
  neutral: 'plain',
  calm: 'plain',
  normal: 'plain',
};

/** How to phrase an answer for one reading. */
export interface Tone {
  mood: Mood;
  /** The emotion label the tone came from, or null without a reading. */
  emotion: Emotion | null;
  /** True when the reading is confident enough to shape the answer fully. */
  sure: boolean;
  /** 0..1, how strongly the voice should carry the emotion. */
  intensity: number;
  /** "you sound", "you look" or "you look and sound": matches the signals the reading came from. */
  cue: string;
}

/** The mood family of an emotion label; unknown labels answer plainly. */
export function moodOf(emotion: Emotion | null): Mood {
  return emotion === null ? 'plain' : (MOOD_OF[emotion.toLowerCase()] ?? 'plain');
}

/** Describe a reading as a tone. */
export function toneOf(reading: Prediction | null): Tone {
  if (reading === null) return { mood: 'plain', emotion: null, sure: false, intensity: 0, cue: 'you seem' };
  const fused = reading.fused;
  const confidence = Number.isFinite(fused.confidence) ? Math.min(1, Math.max(0, fused.confidence)) : 0;
  // Whether a reading is sure is the model's call (src/ml/model `uncertaintyThreshold`), made once
  // there; a confidence that is no number at all is never sure.
  const sure = !fused.uncertain && Number.isFinite(fused.confidence);
  const face = reading.face !== undefined || (reading.weights.face ?? 0) > 0;
  const voice = reading.voice !== undefined || (reading.weights.voice ?? 0) > 0;
  const cue = face && voice ? 'you look and sound' : face ? 'you look' : voice ? 'you sound' : 'you seem';
  // An unsure reading still tints the voice a little, so the spoken check matches its words.
  const intensity = sure ? confidence : confidence * 0.5;
  return { mood: moodOf(fused.emotion), emotion: fused.emotion, sure, intensity, cue };
}

/** Gentle checks for an unsure reading; plain moods need no check. */
const CHECKS: Record<Mood, string | null> = {
  low: 'a bit down — am I right?',
  bright: 'fairly cheerful — am I reading that right?',
  tense: 'a little tense — is that right?',
  plain: null,
};

/** The gentle check to open an answer with, or null when none fits. */
export function gentleCheck(tone: Tone): string | null {
  if (tone.sure || tone.emotion === null) return null;
  const check = CHECKS[tone.mood];
  if (check === null) return null;
  return `${capitalise(tone.cue)} ${check}`;
}

/** A few words of warmth to close with, shaped by the mood; only for a sure reading. */
export function closing(tone: Tone, name: string): string | null {
  if (!tone.sure) return null;
  switch (tone.mood) {
    case 'low':
      return `I'm here if you want to talk, ${name}.`;
    case 'tense':
      return "Let's take it one step at a time.";
    case 'bright':
      return `${capitalise(tone.cue)} bright today, ${name} — lovely!`;
    case 'plain':
      return null;
  }
}

/** Text per mood; `pick` chooses the variant for a tone. */
export type ByMood = Record<Mood, string>;

/** Choose the mood's variant; an unsure reading uses the plain variant softened by the check instead. */
export function pick(tone: Tone, variants: ByMood): string {
  return tone.sure ? variants[tone.mood] : variants.plain;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
