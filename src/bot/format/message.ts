/** Discord's message limit, and text made to fit it. */
import { fitText } from '../../reply';

/** Discord rejects message content longer than this many characters. */
export const DISCORD_MESSAGE_LIMIT = 2000;

/**
 * Make text fit one Discord message (or `limit` characters of one): unchanged when short enough,
 * otherwise cut at the last sentence boundary (or word) that fits, with an ellipsis.
 */
export function fitDiscordMessage(text: string, limit: number = DISCORD_MESSAGE_LIMIT): string {
  return fitText(text, limit);
}
