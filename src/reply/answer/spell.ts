/** Finding the word a person wants spelled, and spelling it out letter by letter. */
import { editDistance } from './normalise';

/** Words that sit between "spell" and the word itself ("spell the word tree for me"). */
const FILLER = new Set(['the', 'word', 'words', 'out', 'it', 'me', 'please', 'for', 'a', 'an', 'name', 'of', 'to', 'us',
  'do', 'you', 'can', 'could', 'would', 'how', 'is', 'are', 'spell', 'spelled', 'spelt', 'spelling', 'write', 'written',
  'correctly', 'properly', 'again', 'in', 'english', 'i', 'should', 'we', 'one']);

/** Plain words of the text, lower case, keeping inner apostrophes and hyphens ("don't", "well-being"). */
function rawWords(text: string): string[] {
  return text
    .normalize('NFKC')
    .replace(/[\u2018\u2019\u02bc]/gu, "'")
    .split(/[^\p{L}\p{N}'-]+/u)
    .map((w) => w.replace(/^['-]+|['-]+$/gu, ''))
    .filter(Boolean);
}

/**
 * The word to spell, or null when the question names none. Quoted words win; otherwise the first
 * non-filler word after "spell"/"write", or the word before "spelled"/"spelt"/"written".
 */
export function extractWordToSpell(text: string): string | null {
  const quoted = /["“”'‘’]([\p{L}][\p{L}'-]*)["“”'‘’]/u.exec(text);
  if (quoted?.[1]) return quoted[1];
  const words = rawWords(text);
  const lower = words.map((w) => w.toLowerCase());
  // One slip is forgiven ("spel", "sepll"), matching the intent matcher's typo correction.
  const after = lower.findIndex((w) => editDistance(w, 'spell') <= 1 || w === 'spelling' || w === 'write');
  if (after >= 0) {
    for (let i = after + 1; i < words.length; i++) if (!FILLER.has(lower[i]!)) return words[i]!;
  }
  const before = lower.findIndex((w) => w === 'spelled' || w === 'spelt' || w === 'written');
  if (before > 0) {
    for (let i = before - 1; i >= 0; i--) if (!FILLER.has(lower[i]!)) return words[i]!;
  }
  return null;
}

/** Spell a word out: "tree" → "T-R-E-E"; apostrophes and hyphens are named so they can be spoken. */
export function spellOut(word: string): string {
  return [...word.normalize('NFC')]
    .map((ch) => (ch === "'" ? 'apostrophe' : ch === '-' ? 'hyphen' : ch.toLocaleUpperCase('en')))
    .join('-');
}
