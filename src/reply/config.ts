/**
 * Reply configuration: which answerer and which speech engine, validated once with zod. Defaults are
 * the offline pair (built-in answerer, eSpeak NG), so a fresh install answers and speaks without network.
 */
import { z } from 'zod';
import { fail, ok, type Result } from '../ml/types';

const httpUrl = z.url({ protocol: /^https?$/u, error: 'must be an http(s) URL' });

export const AnswererConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin') }),
  z.object({
    kind: z.literal('openai'),
    /** e.g. https://api.openai.com/v1, or http://127.0.0.1:11434/v1 for Ollama. */
    baseUrl: httpUrl,
    model: z.string().min(1, 'model name is required'),
    apiKey: z.string().min(1).optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(15_000),
  }),
]);

export const TtsConfigSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('offline'),
    voice: z
      .string()
      .regex(/^[a-z]{2,3}(-[a-z0-9]+)*$/iu, 'an eSpeak voice name such as en-us')
      .default('en-us'),
  }),
  z.object({
    kind: z.literal('google'),
    lang: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/u, 'a language code such as en')
      .default('en'),
    host: httpUrl.optional(),
    timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    /** Speak with the offline engine when Google cannot be reached. */
    fallbackToOffline: z.boolean().default(true),
  }),
]);

/** Speech to text for spoken questions: none (the default) or an OpenAI-compatible transcription API. */
export const TranscriberConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({
    kind: z.literal('openai'),
    /** e.g. https://api.openai.com/v1, or http://127.0.0.1:8080/v1 for a self-hosted server. */
    baseUrl: httpUrl,
    model: z.string().min(1, 'model name is required').default('whisper-1'),
    apiKey: z.string().min(1).optional(),
    language: z
      .string()
      .regex(/^[a-z]{2,3}$/u, 'an ISO-639-1 code such as en')
      .optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
  }),
]);

export const ReplyConfigSchema = z.object({
  answerer: AnswererConfigSchema.prefault({ kind: 'builtin' }),
  tts: TtsConfigSchema.prefault({ kind: 'offline' }),
  transcriber: TranscriberConfigSchema.prefault({ kind: 'none' }),
});

export type AnswererConfig = z.infer<typeof AnswererConfigSchema>;
export type TtsConfig = z.infer<typeof TtsConfigSchema>;
export type TranscriberConfig = z.infer<typeof TranscriberConfigSchema>;
/** Validated configuration (defaults filled in). */
export type ReplyConfig = z.infer<typeof ReplyConfigSchema>;
/** What callers may write: every field with a default is optional. */
export type ReplyConfigInput = z.input<typeof ReplyConfigSchema>;

/** Validate a configuration object; the failure message names each bad field. */
export function parseReplyConfig(input: unknown): Result<ReplyConfig> {
  const parsed = ReplyConfigSchema.safeParse(input ?? {});
  if (parsed.success) return ok(parsed.data);
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
  return fail('invalid', `reply configuration is invalid: ${problems.join('; ')}`);
}

/**
 * Build the configuration from environment variables: ATTUNE_ANSWERER (builtin|openai), OPENAI_BASE_URL,
 * OPENAI_MODEL, OPENAI_API_KEY, OPENAI_TIMEOUT_MS, ATTUNE_TTS (offline|google), ESPEAK_VOICE,
 * GOOGLE_TTS_LANG, GOOGLE_TTS_HOST (a stand-in or proxy), GOOGLE_TTS_TIMEOUT_MS, ATTUNE_TRANSCRIBER
 * (none|openai), TRANSCRIBE_BASE_URL, TRANSCRIBE_MODEL, TRANSCRIBE_API_KEY, TRANSCRIBE_LANGUAGE,
 * TRANSCRIBE_TIMEOUT_MS.
 */
export function replyConfigFromEnv(env: Record<string, string | undefined>): Result<ReplyConfig> {
  const num = (v: string | undefined): number | undefined => (v === undefined || v === '' ? undefined : Number(v));
  const answererKind = env.ATTUNE_ANSWERER || 'builtin';
  const ttsKind = env.ATTUNE_TTS || 'offline';
  const answerer =
    answererKind === 'openai'
      ? {
          kind: 'openai',
          baseUrl: env.OPENAI_BASE_URL,
          model: env.OPENAI_MODEL,
          apiKey: env.OPENAI_API_KEY || undefined,
          timeoutMs: num(env.OPENAI_TIMEOUT_MS),
        }
      : { kind: answererKind };
  const tts =
    ttsKind === 'google'
      ? {
          kind: 'google',
          lang: env.GOOGLE_TTS_LANG || undefined,
          host: env.GOOGLE_TTS_HOST || undefined,
          timeoutMs: num(env.GOOGLE_TTS_TIMEOUT_MS),
        }
      : { kind: ttsKind, voice: env.ESPEAK_VOICE || undefined };
  const transcriberKind = env.ATTUNE_TRANSCRIBER || 'none';
  const transcriber =
    transcriberKind === 'openai'
      ? {
          kind: 'openai',
          baseUrl: env.TRANSCRIBE_BASE_URL,
          model: env.TRANSCRIBE_MODEL || undefined,
          apiKey: env.TRANSCRIBE_API_KEY || undefined,
          language: env.TRANSCRIBE_LANGUAGE || undefined,
          timeoutMs: num(env.TRANSCRIBE_TIMEOUT_MS),
        }
      : { kind: transcriberKind };
  return parseReplyConfig({ answerer, tts, transcriber });
}
