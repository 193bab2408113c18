import {
  DISCORD_MESSAGE_LIMIT,
  fitDiscordMessage,
  splitDiscordMessages,
  splitForEngine,
  splitSentences,
} from '../../src/reply';

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

  it('fits Discord messages: unchanged when short, cut at a sentence with an ellipsis when long', () => {
    expect(fitDiscordMessage('Short answer.')).toBe('Short answer.');
    const long = 'A sentence that repeats. '.repeat(200);
    const fitted = fitDiscordMessage(long);
    expect(fitted.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
    expect(fitted.endsWith('repeats.…')).toBe(true);
    const noSpaces = 'y'.repeat(5000);
    expect(fitDiscordMessage(noSpaces)).toHaveLength(DISCORD_MESSAGE_LIMIT);
  });

  it('splits a long text into several messages, each within the limit', () => {
    const long = 'A sentence that repeats. '.repeat(200).trim();
    const messages = splitDiscordMessages(long);
    expect(messages.length).toBe(3);
    expect(messages.every((m) => m.length <= DISCORD_MESSAGE_LIMIT)).toBe(true);
    expect(messages.join(' ')).toBe(long);
  });
});
