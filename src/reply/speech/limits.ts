/** Longest text `renderSpeech` accepts, and the longest answer an answerer gives: a few minutes of speech. */
export const MAX_SPEECH_CHARS = 5000;
