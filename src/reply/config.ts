/**
 * Reply configuration: which answerer and which speech engine, validated once with zod. Defaults are
 * the offline pair (built-in answerer, eSpeak NG), so a fresh install answers and speaks without network.
 */
import { z } from 'zod';
import { fail, ok, type Result } from '../ml/types';

const httpUrl = z.url({
  protocol: /^https?$/u,
  error: (issue) => (issue.input === undefined ? 'is required (an http(s) URL)' : 'must be an http(s) URL'),
});

/** A timeout in whole milliseconds within [min, max]; the message states the rule. */
const millis = (min: number, max: number, fallback: number) => {
  const rule = `must be a whole number of milliseconds from ${min} to ${max}`;
  return z.number({ error: rule }).int(rule).min(min, rule).max(max, rule).default(fallback);
};

const modelName = z.string({ error: 'is required (a model name)' }).min(1, 'is required (a model name)');

export const AnswererConfigSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('builtin') }),
    z.object({
      kind: z.literal('openai'),
      /** e.g. https://api.openai.com/v1, or http://127.0.0.1:11434/v1 for Ollama. */
      baseUrl: httpUrl,
      model: modelName,
      apiKey: z.string().min(1).optional(),
      timeoutMs: millis(100, 120_000, 15_000),
    }),
  ],
  { error: 'must be builtin or openai' },
);

export const TtsConfigSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: z.literal('offline'),
      voice: z
        .string()
        .regex(/^[a-z]{2,3}(-[a-z0-9]+)*$/iu, 'must be an eSpeak voice name such as en-us')
        .default('en-us'),
    }),
    z.object({
      kind: z.literal('google'),
      lang: z
        .string()
        .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/u, 'must be a language code such as en')
        .default('en'),
      host: httpUrl.optional(),
      timeoutMs: millis(100, 60_000, 10_000),
      /** Speak with the offline engine when Google cannot be reached. */
      fallbackToOffline: z.boolean().default(true),
    }),
  ],
  { error: 'must be offline or google' },
);

/** Speech to text for spoken questions: none (the default) or an OpenAI-compatible transcription API. */
export const TranscriberConfigSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('none') }),
    z.object({
      kind: z.literal('openai'),
      /** e.g. https://api.openai.com/v1, or http://127.0.0.1:8080/v1 for a self-hosted server. */
      baseUrl: httpUrl,
      model: modelName.default('whisper-1'),
      apiKey: z.string().min(1).optional(),
      language: z
        .string()
        .regex(/^[a-z]{2,3}$/u, 'must be an ISO-639-1 code such as en')
        .optional(),
      timeoutMs: millis(100, 120_000, 10_000),
    }),
  ],
  { error: 'must be none or openai' },
);

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
 * Each environment variable the reply core reads, and the configuration field it fills: a problem
 * with a field is reported under its variable, so an operator reads `OPENAI_TIMEOUT_MS must be ...`
 * rather than a path inside the configuration object.
 */
export const REPLY_ENV_VARIABLES = {
  ATTUNE_ANSWERER: 'answerer.kind',
  OPENAI_BASE_URL: 'answerer.baseUrl',
  OPENAI_MODEL: 'answerer.model',
  OPENAI_API_KEY: 'answerer.apiKey',
  OPENAI_TIMEOUT_MS: 'answerer.timeoutMs',
  ATTUNE_TTS: 'tts.kind',
  ESPEAK_VOICE: 'tts.voice',
  GOOGLE_TTS_LANG: 'tts.lang',
  GOOGLE_TTS_HOST: 'tts.host',
  GOOGLE_TTS_TIMEOUT_MS: 'tts.timeoutMs',
  ATTUNE_TRANSCRIBER: 'transcriber.kind',
  TRANSCRIBE_BASE_URL: 'transcriber.baseUrl',
  TRANSCRIBE_MODEL: 'transcriber.model',
  TRANSCRIBE_API_KEY: 'transcriber.apiKey',
  TRANSCRIBE_LANGUAGE: 'transcriber.language',
  TRANSCRIBE_TIMEOUT_MS: 'transcriber.timeoutMs',
} as const;

const VARIABLE_OF_FIELD = new Map<string, string>(
  Object.entries(REPLY_ENV_VARIABLES).map(([name, field]) => [field, name]),
);

/**
 * Validate the reply settings of an environment; each problem names its variable and the rule it
 * breaks (never the value: a key may be among them). Empty values count as unset.
 */
export function parseReplyEnv(
  env: Record<string, string | undefined>,
): { ok: true; value: ReplyConfig } | { ok: false; problems: string[] } {
  const text = (name: keyof typeof REPLY_ENV_VARIABLES): string | undefined => env[name]?.trim() || undefined;
  // A number that is not one stays text, so the schema reports the variable's rule rather than NaN.
  const num = (name: keyof typeof REPLY_ENV_VARIABLES): number | string | undefined => {
    const v = text(name);
    return v === undefined || !/^-?\d+(\.\d+)?$/u.test(v) ? v : Number(v);
  };
  const answererKind = text('ATTUNE_ANSWERER') ?? 'builtin';
  const ttsKind = text('ATTUNE_TTS') ?? 'offline';
  const transcriberKind = text('ATTUNE_TRANSCRIBER') ?? 'none';
  const answerer =
    answererKind === 'openai'
      ? {
          kind: 'openai',
          baseUrl: text('OPENAI_BASE_URL'),
          model: text('OPENAI_MODEL'),
          apiKey: text('OPENAI_API_KEY'),
          timeoutMs: num('OPENAI_TIMEOUT_MS'),
        }
      : { kind: answererKind };
  const tts =
    ttsKind === 'google'
      ? {
          kind: 'google',
          lang: text('GOOGLE_TTS_LANG'),
          host: text('GOOGLE_TTS_HOST'),
          timeoutMs: num('GOOGLE_TTS_TIMEOUT_MS'),
        }
      : { kind: ttsKind, voice: text('ESPEAK_VOICE') };
  const transcriber =
    transcriberKind === 'openai'
      ? {
          kind: 'openai',
          baseUrl: text('TRANSCRIBE_BASE_URL'),
          model: text('TRANSCRIBE_MODEL'),
          apiKey: text('TRANSCRIBE_API_KEY'),
          language: text('TRANSCRIBE_LANGUAGE'),
          timeoutMs: num('TRANSCRIBE_TIMEOUT_MS'),
        }
      : { kind: transcriberKind };
  const parsed = ReplyConfigSchema.safeParse({ answerer, tts, transcriber });
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((i) => {
      const field = i.path.join('.');
      return `${VARIABLE_OF_FIELD.get(field) ?? field} ${i.message}`;
    }),
  };
}

/**
 * Build the configuration from environment variables ({@link REPLY_ENV_VARIABLES}); the failure
 * message lists each bad variable with its rule.
 */
export function replyConfigFromEnv(env: Record<string, string | undefined>): Result<ReplyConfig> {
  const parsed = parseReplyEnv(env);
  return parsed.ok ? parsed : fail('invalid', `fix these settings: ${parsed.problems.join('; ')}`);
}
