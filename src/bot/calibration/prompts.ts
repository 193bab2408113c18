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

/** The sentence to read for the `n`-th clip (0-based) of an emotion; rotates so clips differ. */
export function promptSentence(emotion: Emotion, n: number): string {
  let offset = 0;
  for (const ch of emotion) offset += ch.charCodeAt(0);
  return SENTENCES[(offset + n) % SENTENCES.length]!;
}
