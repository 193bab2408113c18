/** The factory the bot and the CLI use: configuration in, answerer and speech engine out. */
import { fail, ok, type Result } from '../ml/types';
import { BuiltinAnswerer } from './answer/BuiltinAnswerer';
import { OpenAiAnswerer } from './answer/OpenAiAnswerer';
import { parseReplyConfig, type ReplyConfig } from './config';
import { EspeakEngine } from './speech/EspeakEngine';
import { FallbackSpeechEngine } from './speech/FallbackSpeechEngine';
import { GoogleTtsEngine } from './speech/GoogleTtsEngine';
import { MAX_SPEECH_CHARS } from './speech/limits';
import { collectChunks } from './speech/pcm';
import { splitSentences } from './text/split';
import { OpenAiTranscriber } from './transcribe/OpenAiTranscriber';
import {
  silentLogger,
  type Answerer,
  type PcmChunk,
  type Logger,
  type SpeechEngine,
  type SpeechStyle,
  type Transcriber,
} from './types';

/**
 * What the bot (and the CLI) use of the reply core. Small, so tests can pass fakes, and the bot
 * still answers in text when a part is missing.
 */
export interface ReplyServices {
  answerer: Answerer;
  /** Text to speech; null: text replies only. */
  speech: SpeechEngine | null;
  /** Speech to text for spoken questions; null when none is configured (the default). */
  transcriber: Transcriber | null;
  /** Stop workers and free decoders. */
  close(): Promise<void>;
}

/** What {@link createReplyServices} builds: every service, with the configuration it came from. */
export type ConfiguredReplyServices = ReplyServices & { config: ReplyConfig; speech: SpeechEngine };

export interface ReplyDependencies {
  logger?: Logger;
  /** Clock for the built-in answerer (tests). */
  now?: () => Date;
}

/** Validate `config` and build the services it names; an invalid config is a failure, not a throw. */
export function createReplyServices(
  config: unknown = {},
  deps: ReplyDependencies = {},
): Result<ConfiguredReplyServices> {
  const parsed = parseReplyConfig(config);
  if (!parsed.ok) return parsed;
  const cfg = parsed.value;
  const logger = deps.logger ?? silentLogger;
  const builtin = new BuiltinAnswerer(deps.now ? { now: deps.now } : {});
  const answerer: Answerer =
    cfg.answerer.kind === 'openai' ? new OpenAiAnswerer({ ...cfg.answerer, fallback: builtin, logger }) : builtin;
  let speech: SpeechEngine;
  if (cfg.tts.kind === 'google') {
    const google = new GoogleTtsEngine({
      lang: cfg.tts.lang,
      timeoutMs: cfg.tts.timeoutMs,
      ...(cfg.tts.host ? { host: cfg.tts.host } : {}),
    });
    speech = cfg.tts.fallbackToOffline ? new FallbackSpeechEngine(google, new EspeakEngine(), logger) : google;
  } else {
    speech = new EspeakEngine({ voice: cfg.tts.voice });
  }
  const transcriber = cfg.transcriber.kind === 'openai' ? new OpenAiTranscriber({ ...cfg.transcriber, logger }) : null;
  return ok({
    config: cfg,
    answerer,
    speech,
    transcriber,
    close: () => speech.close(),
  });
}

/** Synthesise a whole text; empty or oversized text is a failure. Engine errors propagate. */
export async function renderSpeech(engine: SpeechEngine, text: string, style: SpeechStyle): Promise<Result<PcmChunk>> {
  if (typeof text !== 'string' || splitSentences(text).length === 0) return fail('empty', 'there is no text to speak');
  if (text.length > MAX_SPEECH_CHARS)
    return fail('too_large', `the text is ${text.length} characters; at most ${MAX_SPEECH_CHARS} can be spoken`);
  const pcm = await collectChunks(engine.synthesize(text, style));
  if (pcm.samples.length === 0) return fail('silence', 'the speech engine produced no audio for this text');
  return ok(pcm);
}
