import fs from 'node:fs';
import { z } from 'zod';
import { parseReplyEnv, REPLY_ENV_VARIABLES, type ReplyConfig } from '../reply/config';
import { parseMasterKey } from '../storage';
import { LOG_LEVELS, type LogLevel } from './util/log';

/** Discord's own attachment hosts; the only ones fetched from unless configuration adds more. */
export const DISCORD_CDN_HOSTS: readonly string[] = ['cdn.discordapp.com', 'media.discordapp.net'];

/** The bot's configuration, validated once at start-up. */
export interface BotConfig {
  token: string;
  applicationId: string;
  dataDir: string;
  devGuildId: string | null;
  /** REST base without the version, e.g. `https://discord.com/api`. */
  apiUrl: string;
  /** Hosts (`name` or `name:port`) attachments may be fetched from. */
  attachmentHosts: string[];
  timeZone: string;
  keepRawMedia: boolean;
  /** Largest image accepted, bytes. */
  maxImageBytes: number;
  /** Largest audio file accepted, bytes. */
  maxAudioBytes: number;
  /** Minutes an idle calibration waits before it ends (samples stay stored). */
  calibrationIdleMinutes: number;
  /** PostgreSQL URL (several processes share it), or null for the embedded SQLite store. Not enumerable. */
  databaseUrl: string | null;
  /** The master key text (hex or base64), or null: SQLite then uses `<dataDir>/master.key`. Not enumerable. */
  masterKey: string | null;
  /**
   * Shard processes this host runs (`ATTUNE_SHARDS`, or `ATTUNE_SHARD_LIST` + `ATTUNE_TOTAL_SHARDS`),
   * or null: one process with no sharding manager, as `npm start` always did.
   */
  sharding: ShardingConfig | null;
  /** Least severe log lines written (`ATTUNE_LOG_LEVEL`). */
  logLevel: LogLevel;
  /** The answerer, speech and transcription settings (ATTUNE_ANSWERER, ATTUNE_TTS, ... see src/reply/config.ts). */
  reply: ReplyConfig;
  /** Every raw variable except the token, so the reply core can read its own settings from the same source. */
  env: Record<string, string | undefined>;
}

/**
 * How this host shards: `auto` takes Discord's recommended count (all shards here), `count` runs N
 * shards here, `list` runs the given shard ids of `totalShards` spread over several hosts.
 */
export type ShardingConfig =
  { mode: 'auto' } | { mode: 'count'; count: number } | { mode: 'list'; shardList: number[]; totalShards: number };

/** More shards than this is a typo, not a bot (Discord's largest bots run a few thousand). */
const MAX_SHARDS = 16_384;

/** `0,1,2` or ranges `0-3,8`: whole shard ids, ascending and distinct in the result. */
const shardList = z
  .string()
  .regex(
    /^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/,
    'must be shard ids or ranges, comma-separated (e.g. `0,1` or `0-3`)',
  )
  .transform((text, ctx) => {
    const ids = new Set<number>();
    for (const part of text.split(',')) {
      const [from, to = from] = part.split('-').map((n) => Number(n.trim())) as [number, number?];
      if (to < from || to - from >= MAX_SHARDS) {
        ctx.addIssue({ code: 'custom', message: `has a range ${part.trim()} that does not run from low to high` });
        return z.NEVER;
      }
      for (let id = from; id <= to; id += 1) ids.add(id);
    }
    return [...ids].sort((a, b) => a - b);
  });

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? `is required (${what})` : 'must be text'),
});

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)');

const boolFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const hostList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h.length > 0),
  )
  .pipe(z.array(z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/, 'must be host names or host:port, comma-separated')));

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/London');

/** A whole number from 1 to `max`, written in decimal; every way of breaking it gets the same rule. */
const positiveInt = (max: number, unit = '') => {
  const rule = `must be a whole number${unit ? ` of ${unit}` : ''} from 1 to ${max}`;
  return z.string().regex(/^\d+$/, rule).transform(Number).pipe(z.number().min(1, rule).max(max, rule));
};

const envSchema = z.object({
  // Tokens are ~70 characters of base64 parts; a length check catches an empty or pasted-id value.
  DISCORD_TOKEN: z
    .string(required('the bot token from the Developer Portal'))
    .min(20, 'looks too short to be a bot token'),
  DISCORD_APPLICATION_ID: z
    .string(required('the application id from the Developer Portal'))
    .regex(/^\d{17,20}$/, 'must be a Discord id (17 to 20 digits)'),
  ATTUNE_DATA_DIR: z.string().default('./data'),
  DISCORD_DEV_GUILD_ID: snowflake.optional(),
  DISCORD_API_URL: z
    .url({ message: 'must be an http(s) URL' })
    .regex(/^https?:\/\//, 'must be an http(s) URL')
    .default('https://discord.com/api'),
  ATTUNE_EXTRA_ATTACHMENT_HOSTS: hostList.default([]),
  ATTUNE_TIME_ZONE: timeZone.default('UTC'),
  ATTUNE_KEEP_RAW_MEDIA: boolFlag.default(false),
  ATTUNE_MAX_IMAGE_MB: positiveInt(25, 'megabytes').default(8),
  ATTUNE_MAX_AUDIO_MB: positiveInt(25, 'megabytes').default(8),
  ATTUNE_CALIBRATION_IDLE_MINUTES: positiveInt(120, 'minutes').default(10),
  ATTUNE_LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ATTUNE_SHARDS: z
    .string()
    .refine(
      (v) => v === 'auto' || (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_SHARDS),
      `must be auto or a whole number of shards from 1 to ${MAX_SHARDS}`,
    )
    .transform((v) => (v === 'auto' ? ('auto' as const) : Number(v)))
    .optional(),
  ATTUNE_SHARD_LIST: shardList.optional(),
  ATTUNE_TOTAL_SHARDS: positiveInt(MAX_SHARDS).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  ATTUNE_MASTER_KEY: z
    .string()
    .refine((v) => {
      try {
        parseMasterKey(v);
        return true;
      } catch {
        return false;
      }
    }, 'must be 32 bytes as 64 hex digits or 44 base64 characters (e.g. `openssl rand -base64 32`)')
    .optional(),
});

/** The bot's own variable names; the reply core's are {@link REPLY_ENV_VARIABLES}. */
const BOT_VARIABLES = Object.keys(envSchema.shape);

/** The variable names {@link loadConfig} reads, for `.env.example` and the README table. */
export const CONFIG_VARIABLES = [...BOT_VARIABLES, ...Object.keys(REPLY_ENV_VARIABLES)];

/** Thrown when the configuration is unusable; the message names every bad variable and never a value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Attune cannot start; fix these settings (environment or .env):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/**
 * Validates configuration from an environment map. Empty strings count as unset, the way `.env`
 * files are usually written (`DISCORD_DEV_GUILD_ID=`).
 */
export function parseConfig(env: Record<string, string | undefined>): BotConfig {
  const cleaned: Record<string, string> = {};
  for (const name of BOT_VARIABLES) {
    const value = env[name]?.trim();
    if (value) cleaned[name] = value;
  }
  const parsed = envSchema.safeParse(cleaned);
  const reply = parseReplyEnv(env);
  if (!parsed.success || !reply.ok) {
    // Only the variable name and the rule: a value (the token above all) must never reach a log.
    throw new ConfigError([
      ...(parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0] ?? '?')} ${i.message}`)),
      ...(reply.ok ? [] : reply.problems),
    ]);
  }
  const c = parsed.data;
  if (c.DATABASE_URL && !c.ATTUNE_MASTER_KEY) {
    // Every process sharing the database must seal and open with the same key; a per-host key file cannot be.
    throw new ConfigError(['ATTUNE_MASTER_KEY is required with DATABASE_URL (the same key in every process)']);
  }
  const sharding = shardingFrom(c);
  const { DISCORD_TOKEN: _token, DATABASE_URL: _url, ATTUNE_MASTER_KEY: _key, ...envWithoutToken } = env;
  const config: Omit<BotConfig, 'token' | 'databaseUrl' | 'masterKey'> = {
    applicationId: c.DISCORD_APPLICATION_ID,
    dataDir: c.ATTUNE_DATA_DIR,
    devGuildId: c.DISCORD_DEV_GUILD_ID ?? null,
    apiUrl: c.DISCORD_API_URL.replace(/\/+$/, ''),
    attachmentHosts: [...new Set([...DISCORD_CDN_HOSTS, ...c.ATTUNE_EXTRA_ATTACHMENT_HOSTS])],
    timeZone: c.ATTUNE_TIME_ZONE,
    keepRawMedia: c.ATTUNE_KEEP_RAW_MEDIA,
    maxImageBytes: c.ATTUNE_MAX_IMAGE_MB * 1024 * 1024,
    maxAudioBytes: c.ATTUNE_MAX_AUDIO_MB * 1024 * 1024,
    calibrationIdleMinutes: c.ATTUNE_CALIBRATION_IDLE_MINUTES,
    sharding,
    logLevel: c.ATTUNE_LOG_LEVEL,
    reply: reply.value,
    env: envWithoutToken,
  };
  // Non-enumerable: printing or serialising the config (a debug line, a crash dump) leaves the token,
  // the database URL (it may hold a password) and the master key out.
  Object.defineProperty(config, 'token', { value: c.DISCORD_TOKEN, enumerable: false });
  Object.defineProperty(config, 'databaseUrl', { value: c.DATABASE_URL ?? null, enumerable: false });
  Object.defineProperty(config, 'masterKey', { value: c.ATTUNE_MASTER_KEY ?? null, enumerable: false });
  return config as BotConfig;
}

/** The sharding variables, checked together; null when none is set. */
function shardingFrom(c: z.infer<typeof envSchema>): ShardingConfig | null {
  const { ATTUNE_SHARDS: shards, ATTUNE_SHARD_LIST: list, ATTUNE_TOTAL_SHARDS: total } = c;
  let sharding: ShardingConfig | null = null;
  if (shards !== undefined) {
    if (list !== undefined || total !== undefined) {
      throw new ConfigError([
        'ATTUNE_SHARDS cannot be combined with ATTUNE_SHARD_LIST / ATTUNE_TOTAL_SHARDS: use ATTUNE_SHARDS on one host, or ATTUNE_SHARD_LIST and ATTUNE_TOTAL_SHARDS on each of several hosts',
      ]);
    }
    sharding = shards === 'auto' ? { mode: 'auto' } : { mode: 'count', count: shards };
  } else if (list !== undefined || total !== undefined) {
    if (list === undefined)
      throw new ConfigError([
        'ATTUNE_TOTAL_SHARDS needs ATTUNE_SHARD_LIST (the shard ids this host runs, e.g. `0-3`); for every shard on one host use ATTUNE_SHARDS instead',
      ]);
    if (total === undefined)
      throw new ConfigError([
        'ATTUNE_SHARD_LIST needs ATTUNE_TOTAL_SHARDS (the shard count over every host, the same on each)',
      ]);
    const outside = list.filter((id) => id >= total);
    if (outside.length > 0)
      throw new ConfigError([
        `ATTUNE_SHARD_LIST has shard ${outside.join(', ')}, but ATTUNE_TOTAL_SHARDS is ${total} (ids run from 0 to ${total - 1})`,
      ]);
    sharding = { mode: 'list', shardList: list, totalShards: total };
  }
  // One shard process on SQLite is still one process; anything more must share PostgreSQL, or a
  // person calibrated through one shard would be unknown to the others and /forget would miss copies.
  const oneProcess = sharding === null || (sharding.mode === 'count' && sharding.count === 1);
  if (!oneProcess && !c.DATABASE_URL) {
    const name = sharding?.mode === 'list' ? 'ATTUNE_SHARD_LIST' : 'ATTUNE_SHARDS';
    throw new ConfigError([
      `${name} needs DATABASE_URL: shard processes must share one PostgreSQL database (the SQLite store serves a single process)`,
    ]);
  }
  return sharding;
}

/**
 * Reads `.env` (when present; real environment variables win, as with `process.loadEnvFile`) and
 * validates the result.
 */
export function loadConfig(envFile = '.env'): BotConfig {
  if (fs.existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}
