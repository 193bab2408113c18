import { DISCORD_MESSAGE_LIMIT, fitDiscordMessage } from '../../../src/bot/format/message';

describe('Discord messages', () => {
  it('fits Discord messages: unchanged when short, cut at a sentence with an ellipsis when long', () => {
    expect(fitDiscordMessage('Short answer.')).toBe('Short answer.');
    const long = 'A sentence that repeats. '.repeat(200);
    const fitted = fitDiscordMessage(long);
    expect(fitted.length).toBeLessThanOrEqual(DISCORD_MESSAGE_LIMIT);
    expect(fitted.endsWith('repeats.…')).toBe(true);
    const noSpaces = 'y'.repeat(5000);
    expect(fitDiscordMessage(noSpaces)).toHaveLength(DISCORD_MESSAGE_LIMIT);
  });

  it('fits within a smaller room: what is left beside the reading above an answer', () => {
    expect(fitDiscordMessage('One. Two. Three.', 10)).toBe('One. Two.…');
  });
});
