/**
 * Making a service's transcript usable as a question. Speech-to-text models mark what is not speech
 * with bracketed or starred notes ("[BLANK_AUDIO]", "(inaudible)", "*coughs*", "♪") and, on silence
 * or noise, tend to produce a few stock phrases from their training subtitles; neither is a question.
 */

/** Longest question kept: what /ask accepts when typed. */
export const MAX_TRANSCRIPT_CHARS = 1000;

/** Phrases Whisper-family models produce from silence or noise (compared after normalising). */
const NOISE_PHRASES = new Set([
  'you',
  'thanks for watching',
  'thank you for watching',
  'thanks for watching bye',
  'please subscribe',
  'subtitles by the amara org community',
]);

const NOTE = /\[[^\]]*\]|\([^)]*\)|\*[^*]*\*|[♪♫]+/gu;

/** Lower case letters and digits only, single spaces: for comparing with the noise phrases. */
function plain(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export type CleanTranscript = { ok: true; text: string } | { ok: false; reason: 'empty' | 'unintelligible' };

/**
 * The question in a transcript: notes removed, whitespace collapsed, cut to {@link MAX_TRANSCRIPT_CHARS}.
 * `empty` when nothing was said; `unintelligible` when there were only notes or stock noise phrases.
 */
export function cleanTranscript(raw: string): CleanTranscript {
  const hadText = /\S/u.test(raw);
  const text = raw.replace(NOTE, ' ').replace(/\s+/gu, ' ').trim();
  if (!/[\p{L}\p{N}]/u.test(text)) return { ok: false, reason: hadText ? 'unintelligible' : 'empty' };
  if (NOISE_PHRASES.has(plain(text))) return { ok: false, reason: 'unintelligible' };
  return { ok: true, text: text.length > MAX_TRANSCRIPT_CHARS ? `${text.slice(0, MAX_TRANSCRIPT_CHARS - 1)}…` : text };
}
