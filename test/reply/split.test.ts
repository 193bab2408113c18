import { splitForEngine, splitSentences } from '../../src/reply';

describe('sentence splitting', () => {
  it('splits at sentence ends and keeps the punctuation', () => {
    expect(splitSentences('Hello there! It is 3.5 degrees. Really?\nYes… ok')).toEqual([
      'Hello there!',
      'It is 3.5 degrees.',
      'Really?',
      'Yes…',
      'ok',
    ]);
    expect(splitSentences('  \n ')).toEqual([]);
  });

  it('keeps every piece within an engine limit, breaking at clauses, then words, then hard', () => {
    const long = `${'This clause is rather long, '.repeat(12)}and ends here. Short one.`;
    const pieces = splitForEngine(long, 200);
    expect(pieces.every((p) => p.length <= 200)).toBe(true);
    expect(pieces.at(-1)).toBe('Short one.');
    expect(pieces.join(' ').replace(/\s+/gu, ' ')).toBe(long.replace(/\s+/gu, ' ').trim());
    const word = 'x'.repeat(450);
    expect(splitForEngine(word, 200).map((p) => p.length)).toEqual([200, 200, 50]);
    expect(() => splitForEngine('hi', 0)).toThrow(RangeError);
  });
});
