import { createReplyServices, replyConfigFromEnv, type ReplyServices } from '../reply';
import type { Logger, Result } from '../ml/types';

export type { ReplyServices } from '../reply';

/**
 * The bot's reply services from an environment (ATTUNE_ANSWERER, ATTUNE_TTS, ... see
 * src/reply/config.ts), voice messages included. `npm start` reads the same settings once with the
 * rest of the configuration (`BotConfig.reply`); this is for harnesses that start from variables.
 */
export function replyServicesFromEnv(env: Record<string, string | undefined>, logger: Logger): Result<ReplyServices> {
  const config = replyConfigFromEnv(env);
  if (!config.ok) return config;
  return createReplyServices(config.value, { logger, voiceMessages: true });
}
