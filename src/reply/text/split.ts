/** Splitting answer text into sentences and pieces within a length limit (speech engines, messages). */

/**
 * Split text into sentences, keeping each sentence's closing punctuation. Abbreviation-free heuristics:
 * a sentence ends at . ! ? or … followed by whitespace, or at a line break.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  // The lookbehind keeps the punctuation with its sentence; decimals like 3.5 have no space after the dot.
  for (const part of text.split(/(?<=[.!?…])\s+|\n+/u)) {
    const trimmed = part.trim();
    if (trimmed.length > 0) sentences.push(trimmed);
  }
  return sentences;
}

/**
 * Split text into pieces of at most `maxChars` characters, breaking at sentence boundaries first, then
 * at clause punctuation, then between words; a single word longer than the limit is cut hard.
 * Short neighbouring sentences are NOT merged: each piece is one sentence so speech can start early.
 */
export function splitForEngine(text: string, maxChars: number): string[] {
  if (!Number.isInteger(maxChars) || maxChars < 1)
    throw new RangeError(`maxChars must be a positive integer, got ${maxChars}`);
  const pieces: string[] = [];
  for (const sentence of splitSentences(text)) pieces.push(...splitLong(sentence, maxChars));
  return pieces;
}

function splitLong(sentence: string, maxChars: number): string[] {
  if (sentence.length <= maxChars) return [sentence];
  // Prefer clause boundaries (, ; : —), then spaces.
  const clauses = sentence.split(/(?<=[,;:—])\s+/u);
  if (clauses.length > 1) return packWords(clauses, maxChars);
  return packWords(sentence.split(/\s+/u), maxChars);
}

/** Greedily pack units (clauses or words) into pieces under the limit; oversize units are cut. */
function packWords(units: string[], maxChars: number): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const unit of units) {
    if (unit.length > maxChars) {
      if (current) pieces.push(current);
      current = '';
      // Clauses that are still too long go down to words; a single long word is cut.
      const words = unit.split(/\s+/u);
      if (words.length > 1) pieces.push(...packWords(words, maxChars));
      else for (let i = 0; i < unit.length; i += maxChars) pieces.push(unit.slice(i, i + maxChars));
      continue;
    }
    const joined = current ? `${current} ${unit}` : unit;
    if (joined.length <= maxChars) current = joined;
    else {
      pieces.push(current);
      current = unit;
    }
  }
  if (current) pieces.push(current);
  return pieces;
}

/**
 * Make text fit `maxChars` characters: unchanged when short enough, otherwise cut at the last sentence
 * boundary (or word) that fits, with an ellipsis.
 */
export function fitText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const room = maxChars - 1; // one character for the ellipsis
  const head = text.slice(0, room);
  const sentenceEnd = Math.max(head.lastIndexOf('. '), head.lastIndexOf('! '), head.lastIndexOf('? '));
  if (sentenceEnd > room / 2) return `${head.slice(0, sentenceEnd + 1)}…`;
  const space = head.lastIndexOf(' ');
  return `${space > room / 2 ? head.slice(0, space) : head}…`;
}
