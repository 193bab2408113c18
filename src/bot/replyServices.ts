import {
  createReplyServices,
  replyConfigFromEnv,
  VoiceMessageEncoder,
  type Answerer,
  type PcmChunk,
  type SpeechEngine,
  type Transcriber,
  type VoiceMessage,
} from '../reply';
import { fail, ok, type Result } from '../ml/types';
import type { ReplyLogger } from '../reply/types';

/**
 * What the bot needs from the reply core: an answerer, a speech engine (null: text replies only) and
 * a voice message encoder. A small interface so tests can pass fakes and the bot still answers in
 * text when speech is unavailable.
 */
export interface ReplyServices {
  answerer: Answerer;
  speech: SpeechEngine | null;
  toVoiceMessage: ((pcm: PcmChunk) => Promise<VoiceMessage>) | null;
  /** Speech to text for spoken questions; null (the default) when none is configured. Optional for fakes. */
  transcriber?: Transcriber | null;
  close(): Promise<void>;
}

/** Builds the reply services from the environment (ATTUNE_ANSWERER, ATTUNE_TTS, ... see src/reply/config.ts). */
export function replyServicesFromEnv(
  env: Record<string, string | undefined>,
  logger: ReplyLogger,
): Result<ReplyServices> {
  const config = replyConfigFromEnv(env);
  if (!config.ok) return fail('invalid', config.message);
  const services = createReplyServices(config.value, { logger });
  if (!services.ok) return services;
  // Encoding a voice message costs hundreds of milliseconds of CPU: in its own thread, not the gateway's.
  const encoder = new VoiceMessageEncoder();
  return ok({
    answerer: services.value.answerer,
    speech: services.value.speech,
    transcriber: services.value.transcriber,
    toVoiceMessage: (pcm) => encoder.encode(pcm),
    close: async () => {
      await Promise.all([services.value.close(), encoder.close()]);
    },
  });
}
