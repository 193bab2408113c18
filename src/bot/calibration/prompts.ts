import type { Emotion } from '../../ml/types';

// Lexically neutral sentences (in the spirit of RAVDESS's fixed statements): the words carry no
// emotion, so the model learns how the person sounds, not what they say.
const SENTENCES = [
  'Kids are talking by the door.',
  'Dogs are sitting by the door.',
  'The train leaves at seven tonight.',
  'I put the blue cup on the table.',
  'We walked to the shop this morning.',
  'The meeting moved to Thursday.',
  'There are three chairs in the room.',
  'She opened the window and sat down.',
  'The letter arrived on Monday.',
  'He parked the car near the bridge.',
];

/** How to act an emotion, in a few words a person can follow. */
const DIRECTIONS: Record<string, string> = {
  happy: 'sounding and looking happy (smile!)',
  neutral: 'in your everyday neutral voice and face',
  sad: 'sounding and looking sad',
  angry: 'sounding and looking angry',
  surprised: 'sounding and looking surprised',
  fearful: 'sounding and looking afraid',
};

/** The direction for an emotion (any label works; unknown ones get a plain wording). */
export function directionFor(emotion: Emotion): string {
  return DIRECTIONS[emotion] ?? `sounding and looking ${emotion}`;
}

/** The sentence to read for the `n`-th clip (0-based) of an emotion; rotates so clips differ. */
export function promptSentence(emotion: Emotion, n: number): string {
  let offset = 0;
  for (const ch of emotion) offset += ch.charCodeAt(0);
  return SENTENCES[(offset + n) % SENTENCES.length];
}
