/** Finding the word a person wants spelled, and spelling it out letter by letter. */
import { editDistance } from './normalise';

/** Words that sit between "spell" and the word itself ("spell the word tree for me"). */
const FILLER = new Set([
  'the',
  'word',
  'words',
  'out',
  'it',
  'me',
  'please',
  'for',
  'a',
  'an',
  'name',
  'of',
  'to',
  'us',
  'do',
  'you',
  'can',
  'could',
  'would',
  'how',
  'is',
  'are',
  'spell',
  'spelled',
  'spelt',
  'spelling',
  'write',
  'written',
  'correctly',
  'properly',
  'again',
  'in',
  'english',
  'i',
  'should',
  'we',
  'one',
]);

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
    for (let i = after + 1; i < words.length; i++) {
      if (FILLER.has(lower[i]!)) continue;
      // Spoken numbers come as digits ("42") or as two words ("forty two"): spell the written form.
      if (/^\d{1,4}$/.test(words[i]!)) return numberInWords(Number(words[i]));
      if (TENS.includes(lower[i]!) && UNITS.indexOf(lower[i + 1] ?? '') > 0) return `${lower[i]}-${lower[i + 1]}`;
      return words[i]!;
    }
  }
  const before = lower.findIndex((w) => w === 'spelled' || w === 'spelt' || w === 'written');
  if (before > 0) {
    for (let i = before - 1; i >= 0; i--) if (!FILLER.has(lower[i]!)) return words[i]!;
  }
  return null;
}

const UNITS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** A number from 0 to 9999 as English words: 42 → "forty-two", 305 → "three hundred and five". */
export function numberInWords(n: number): string {
  if (n < 20) return UNITS[n]!;
  if (n < 100) return TENS[Math.floor(n / 10)]! + (n % 10 ? `-${UNITS[n % 10]}` : '');
  if (n < 1000) return `${UNITS[Math.floor(n / 100)]} hundred${n % 100 ? ` and ${numberInWords(n % 100)}` : ''}`;
  return `${UNITS[Math.floor(n / 1000)]} thousand${n % 1000 ? `${n % 1000 < 100 ? ' and' : ''} ${numberInWords(n % 1000)}` : ''}`;
}

/** Spell a word out: "tree" → "T-R-E-E"; apostrophes and hyphens are named so they can be spoken. */
export function spellOut(word: string): string {
  return [...word.normalize('NFC')]
    .map((ch) =>
      ch === "'" ? 'apostrophe' : ch === '-' ? 'hyphen' : ch === ' ' ? 'space' : ch.toLocaleUpperCase('en'),
    )
    .join('-');
}
