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
});
