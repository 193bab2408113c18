import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { CONFIG_VARIABLES, ConfigError, parseConfig } from '../../src/bot/config';
import { containing, matching } from '../helpers/matchers';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
const base = { DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: '123456789012345678' };

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills defaults and always allows Discord CDN hosts', () => {
    const c = parseConfig({ ...base, ATTUNE_EXTRA_ATTACHMENT_HOSTS: ' 127.0.0.1:8123 ,LocalHost ' });
    expect(c).toMatchObject({
      applicationId: '123456789012345678',
      dataDir: './data',
      devGuildId: null,
      apiUrl: 'https://discord.com/api',
      attachmentHosts: ['cdn.discordapp.com', 'media.discordapp.net', '127.0.0.1:8123', 'localhost'],
      timeZone: 'UTC',
      keepRawMedia: false,
      maxImageBytes: 8 * 1024 * 1024,
      calibrationIdleMinutes: 10,
    });
    expect(c.token).toBe(TOKEN);
  });

  it('names every missing variable', () => {
    expect(problems({})).toEqual([
      'DISCORD_TOKEN is required (the bot token from the Developer Portal)',
      'DISCORD_APPLICATION_ID is required (the application id from the Developer Portal)',
    ]);
    // An empty line in .env counts as unset.
    expect(problems({ DISCORD_TOKEN: '  ', DISCORD_APPLICATION_ID: '' })).toHaveLength(2);
  });

  it('names each invalid variable without echoing its value', () => {
    const list = problems({
      DISCORD_TOKEN: 'short-secret',
      DISCORD_APPLICATION_ID: 'my-app',
      DISCORD_DEV_GUILD_ID: '12',
      DISCORD_API_URL: 'ftp://example.com/api',
      ATTUNE_EXTRA_ATTACHMENT_HOSTS: 'ok.example, not a host',
      ATTUNE_TIME_ZONE: 'Mars/Olympus',
      ATTUNE_KEEP_RAW_MEDIA: 'perhaps',
      ATTUNE_MAX_IMAGE_MB: '500',
      ATTUNE_CALIBRATION_IDLE_MINUTES: 'ten',
    });
    expect(list.map((p) => p.split(' ')[0])).toEqual([
      'DISCORD_TOKEN',
      'DISCORD_APPLICATION_ID',
      'DISCORD_DEV_GUILD_ID',
      'DISCORD_API_URL',
      'ATTUNE_EXTRA_ATTACHMENT_HOSTS',
      'ATTUNE_TIME_ZONE',
      'ATTUNE_KEEP_RAW_MEDIA',
      'ATTUNE_MAX_IMAGE_MB',
      'ATTUNE_CALIBRATION_IDLE_MINUTES',
    ]);
    expect(list.join('\n')).not.toContain('short-secret');
  });

  it('never shows the token when the config is printed or serialised', () => {
    const c = parseConfig({ ...base, DISCORD_API_URL: 'http://127.0.0.1:9999/api/' });
    expect(c.apiUrl).toBe('http://127.0.0.1:9999/api');
    expect(JSON.stringify(c)).not.toContain(TOKEN);
    expect(inspect(c, { depth: 5 })).not.toContain(TOKEN);
    expect(c.env.DISCORD_TOKEN).toBeUndefined();
  });

  describe('sharding', () => {
    const pg = { DATABASE_URL: 'postgres://attune@db/attune', ATTUNE_MASTER_KEY: 'ab'.repeat(32) };

    it('is off with nothing set: one process, as before', () => {
      expect(parseConfig(base).sharding).toBeNull();
    });

    it('reads ATTUNE_SHARDS as auto or a count, and a host share as a list of the total', () => {
      expect(parseConfig({ ...base, ...pg, ATTUNE_SHARDS: 'auto' }).sharding).toEqual({ mode: 'auto' });
      expect(parseConfig({ ...base, ...pg, ATTUNE_SHARDS: '4' }).sharding).toEqual({ mode: 'count', count: 4 });
      expect(parseConfig({ ...base, ...pg, ATTUNE_SHARD_LIST: '0-2, 5', ATTUNE_TOTAL_SHARDS: '6' }).sharding).toEqual({
        mode: 'list',
        shardList: [0, 1, 2, 5],
        totalShards: 6,
      });
      // One shard process is one process: SQLite still serves it.
      expect(parseConfig({ ...base, ATTUNE_SHARDS: '1' }).sharding).toEqual({ mode: 'count', count: 1 });
    });

    it('names the variable and the rule when a value or a combination is wrong', () => {
      expect(problems({ ...base, ...pg, ATTUNE_SHARDS: '0' })).toEqual([
        'ATTUNE_SHARDS must be auto or a whole number of shards from 1 to 16384',
      ]);
      expect(problems({ ...base, ...pg, ATTUNE_SHARDS: 'many' })).toEqual([
        'ATTUNE_SHARDS must be auto or a whole number of shards from 1 to 16384',
      ]);
      expect(problems({ ...base, ...pg, ATTUNE_SHARD_LIST: 'one', ATTUNE_TOTAL_SHARDS: '2' })[0]).toMatch(
        /^ATTUNE_SHARD_LIST must be shard ids or ranges/,
      );
      expect(problems({ ...base, ...pg, ATTUNE_SHARD_LIST: '3-1', ATTUNE_TOTAL_SHARDS: '4' })[0]).toMatch(
        /^ATTUNE_SHARD_LIST has a range 3-1/,
      );
      expect(problems({ ...base, ...pg, ATTUNE_SHARD_LIST: '0,4', ATTUNE_TOTAL_SHARDS: '4' })).toEqual([
        'ATTUNE_SHARD_LIST has shard 4, but ATTUNE_TOTAL_SHARDS is 4 (ids run from 0 to 3)',
      ]);
      expect(problems({ ...base, ...pg, ATTUNE_SHARD_LIST: '0,1' })[0]).toMatch(
        /^ATTUNE_SHARD_LIST needs ATTUNE_TOTAL_SHARDS/,
      );
      expect(problems({ ...base, ...pg, ATTUNE_TOTAL_SHARDS: '4' })[0]).toMatch(
        /^ATTUNE_TOTAL_SHARDS needs ATTUNE_SHARD_LIST/,
      );
      expect(problems({ ...base, ...pg, ATTUNE_SHARDS: '2', ATTUNE_SHARD_LIST: '0' })[0]).toMatch(
        /^ATTUNE_SHARDS cannot be combined with ATTUNE_SHARD_LIST/,
      );
    });

    it('refuses several shard processes on SQLite', () => {
      expect(problems({ ...base, ATTUNE_SHARDS: '2' })).toEqual([
        'ATTUNE_SHARDS needs DATABASE_URL: shard processes must share one PostgreSQL database (the SQLite store serves a single process)',
      ]);
      expect(problems({ ...base, ATTUNE_SHARDS: 'auto' })[0]).toMatch(/^ATTUNE_SHARDS needs DATABASE_URL/);
      expect(problems({ ...base, ATTUNE_SHARD_LIST: '0', ATTUNE_TOTAL_SHARDS: '2' })[0]).toMatch(
        /^ATTUNE_SHARD_LIST needs DATABASE_URL/,
      );
    });
  });
});

describe('every configuration error names the variable and the rule', () => {
  const openai = { ATTUNE_ANSWERER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', OPENAI_MODEL: 'm' };
  const google = { ATTUNE_TTS: 'google' };
  const transcriber = { ATTUNE_TRANSCRIBER: 'openai', TRANSCRIBE_BASE_URL: 'http://127.0.0.1:1/v1' };
  const pg = { DATABASE_URL: 'postgres://attune@db/attune', ATTUNE_MASTER_KEY: 'ab'.repeat(32) };
  // [variable, bad value, other variables it needs to be read, what the message must say]
  const cases: [string, string, Record<string, string>, string][] = [
    ['DISCORD_TOKEN', 'short', {}, 'looks too short to be a bot token'],
    ['DISCORD_APPLICATION_ID', 'my-app', {}, 'must be a Discord id (17 to 20 digits)'],
    ['DISCORD_DEV_GUILD_ID', '12', {}, 'must be a Discord id (17 to 20 digits)'],
    ['DISCORD_API_URL', 'ftp://example.com/api', {}, 'must be an http(s) URL'],
    ['ATTUNE_EXTRA_ATTACHMENT_HOSTS', 'not a host', {}, 'must be host names or host:port, comma-separated'],
    ['ATTUNE_TIME_ZONE', 'Mars/Olympus', {}, 'must be an IANA time zone such as Europe/London'],
    ['ATTUNE_KEEP_RAW_MEDIA', 'perhaps', {}, 'must be true or false'],
    ['ATTUNE_MAX_IMAGE_MB', '26', {}, 'must be a whole number of megabytes from 1 to 25'],
    ['ATTUNE_MAX_IMAGE_MB', 'eight', {}, 'must be a whole number of megabytes from 1 to 25'],
    ['ATTUNE_MAX_AUDIO_MB', '0', {}, 'must be a whole number of megabytes from 1 to 25'],
    ['ATTUNE_MAX_AUDIO_MB', '2.5', {}, 'must be a whole number of megabytes from 1 to 25'],
    ['ATTUNE_CALIBRATION_IDLE_MINUTES', '121', {}, 'must be a whole number of minutes from 1 to 120'],
    ['ATTUNE_LOG_LEVEL', 'loud', {}, 'must be one of debug, info, warn, error'],
    ['ATTUNE_SHARDS', 'many', pg, 'must be auto or a whole number of shards from 1 to 16384'],
    [
      'ATTUNE_SHARD_LIST',
      '3-1',
      { ...pg, ATTUNE_TOTAL_SHARDS: '4' },
      'has a range 3-1 that does not run from low to high',
    ],
    ['ATTUNE_SHARD_LIST', 'a,b', { ...pg, ATTUNE_TOTAL_SHARDS: '4' }, 'must be shard ids or ranges'],
    ['ATTUNE_TOTAL_SHARDS', '0', { ...pg, ATTUNE_SHARD_LIST: '0' }, 'must be a whole number from 1 to 16384'],
    [
      'DATABASE_URL',
      'mysql://db',
      { ATTUNE_MASTER_KEY: 'ab'.repeat(32) },
      'must be a postgres:// or postgresql:// URL',
    ],
    ['ATTUNE_MASTER_KEY', 'secret', {}, 'must be 32 bytes as 64 hex digits or 44 base64 characters'],
    ['ATTUNE_ANSWERER', 'bogus', {}, 'must be builtin or openai'],
    ['OPENAI_BASE_URL', 'ftp://host', openai, 'must be an http(s) URL'],
    ['OPENAI_TIMEOUT_MS', 'soon', openai, 'must be a whole number of milliseconds from 100 to 120000'],
    ['OPENAI_TIMEOUT_MS', '99', openai, 'must be a whole number of milliseconds from 100 to 120000'],
    ['ATTUNE_TTS', 'loud', {}, 'must be offline or google'],
    ['ESPEAK_VOICE', '../../etc', {}, 'must be an eSpeak voice name such as en-us'],
    ['GOOGLE_TTS_LANG', 'English!', google, 'must be a language code such as en'],
    ['GOOGLE_TTS_HOST', 'gopher://x', google, 'must be an http(s) URL'],
    ['GOOGLE_TTS_TIMEOUT_MS', '60001', google, 'must be a whole number of milliseconds from 100 to 60000'],
    ['ATTUNE_TRANSCRIBER', 'whisper', {}, 'must be none or openai'],
    ['TRANSCRIBE_BASE_URL', 'ftp://x', transcriber, 'must be an http(s) URL'],
    ['TRANSCRIBE_LANGUAGE', 'English', transcriber, 'must be an ISO-639-1 code such as en'],
    ['TRANSCRIBE_TIMEOUT_MS', '5', transcriber, 'must be a whole number of milliseconds from 100 to 120000'],
  ];

  it.each(cases)('%s=%s', (name, value, needs, rule) => {
    const list = problems({ ...base, ...needs, [name]: value });
    expect(list).toEqual([`${name} ${rule}`].map((p) => containing(p)));
    expect(list[0]!.startsWith(`${name} `)).toBe(true);
  });

  it.each([
    ['OPENAI_BASE_URL', openai],
    ['OPENAI_MODEL', openai],
    ['TRANSCRIBE_BASE_URL', transcriber],
  ])('a missing %s is named as required', (name, env) => {
    const { [name]: _dropped, ...rest } = env as Record<string, string>;
    expect(problems({ ...base, ...rest })).toEqual([matching(new RegExp(`^${name} is required`))]);
  });

  it('covers every variable it reads, and .env.example lists each of them', () => {
    // Variables whose every value is accepted (text, or a key whose format the service decides).
    const free = ['ATTUNE_DATA_DIR', 'OPENAI_MODEL', 'OPENAI_API_KEY', 'TRANSCRIBE_MODEL', 'TRANSCRIBE_API_KEY'];
    const tested = new Set(cases.map(([name]) => name));
    expect(CONFIG_VARIABLES.filter((v) => !tested.has(v) && !free.includes(v))).toEqual([]);
    const example = fs.readFileSync(path.resolve(__dirname, '../../.env.example'), 'utf8');
    expect(CONFIG_VARIABLES.filter((v) => !new RegExp(`^#? ?${v}=`, 'm').test(example))).toEqual([]);
    // ...and names nothing it does not read.
    const listed = [...example.matchAll(/^#? ?([A-Z][A-Z0-9_]{3,})=/gm)].map((m) => m[1]);
    expect(listed.filter((v) => v !== undefined && !CONFIG_VARIABLES.includes(v))).toEqual([]);
  });

  it('reads the log level and the reply settings with the rest', () => {
    const c = parseConfig({ ...base, ATTUNE_LOG_LEVEL: 'warn', ...openai });
    expect(c.logLevel).toBe('warn');
    expect(c.reply.answerer).toMatchObject({ kind: 'openai', model: 'm' });
    expect(parseConfig(base).logLevel).toBe('info');
  });
});
