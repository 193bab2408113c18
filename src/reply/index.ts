/** Public face of the reply core: answering and speaking, no discord.js. */
export * from './types';
export {
  createReplyServices,
  renderSpeech,
  type ReplyServices,
  type ConfiguredReplyServices,
  type ReplyDependencies,
} from './services';
export {
  parseReplyConfig,
  parseReplyEnv,
  replyConfigFromEnv,
  REPLY_ENV_VARIABLES,
  type ReplyConfig,
  type ReplyConfigInput,
  type AnswererConfig,
  type TtsConfig,
  type TranscriberConfig,
} from './config';
export {
  OpenAiTranscriber,
  pcmToWav,
  MAX_RESPONSE_BYTES,
  type OpenAiTranscriberOptions,
} from './transcribe/OpenAiTranscriber';
export { cleanTranscript, MAX_TRANSCRIPT_CHARS } from './transcribe/transcript';
export { BuiltinAnswerer, type BuiltinAnswererOptions } from './answer/BuiltinAnswerer';
export { OpenAiAnswerer, type OpenAiAnswererOptions } from './answer/OpenAiAnswerer';
export { matchIntent } from './answer/intents';
export { toneOf, type Tone, type Mood } from './answer/tone';
export { EspeakEngine, espeakSettingsFor, type EspeakSettings } from './speech/EspeakEngine';
export { GoogleTtsEngine, GOOGLE_MAX_CHARS } from './speech/GoogleTtsEngine';
export { FallbackSpeechEngine } from './speech/FallbackSpeechEngine';
export { prosodyFor, type Prosody } from './speech/prosody';
export { MAX_SPEECH_CHARS } from './speech/limits';
export { collectChunks, concatChunks, encodeWav, durationOf, resampleChunk, toFloat, toInt16 } from './speech/pcm';
export { splitSentences, splitForEngine, fitText } from './text/split';
