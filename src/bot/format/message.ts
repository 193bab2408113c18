/** Discord's message limit, and text made to fit it. */
import { fitText, packSentences } from '../../reply';

/** Discord rejects message content longer than this many characters. */
export const DISCORD_MESSAGE_LIMIT = 2000;

/**
 * Make text fit one Discord message (or `limit` characters of one): unchanged when short enough,
 * otherwise cut at the last sentence boundary (or word) that fits, with an ellipsis.
 */
export function fitDiscordMessage(text: string, limit: number = DISCORD_MESSAGE_LIMIT): string {
  return fitText(text, limit);
}

/** Split text into as many Discord messages as needed, each within the limit, at sentence boundaries. */
export function splitDiscordMessages(text: string, limit: number = DISCORD_MESSAGE_LIMIT): string[] {
  return packSentences(text, limit);
}
