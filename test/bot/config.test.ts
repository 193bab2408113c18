import { ConfigError, parseConfig } from '../../src/bot/config';

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
    expect(require('node:util').inspect(c, { depth: 5 })).not.toContain(TOKEN);
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
