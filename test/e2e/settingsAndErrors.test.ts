import { startHarness, waitForText, TEST_IDS, type Harness } from './helpers/harness';
import { demoFace } from './helpers/media';

describe('end to end: admin settings are enforced; expected problems get clear ephemeral answers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ enableVoice: false });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const run = (
    userId: string,
    name: string,
    extra: { subcommand?: string; options?: Record<string, never>; channelId?: string } = {},
  ) =>
    h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: extra.channelId ?? TEST_IDS.text,
      userId,
      name,
      subcommand: extra.subcommand,
      options: extra.options,
    });

  test('voice turned off by an admin: /ask in a voice channel answers without listening and says why', async () => {
    h.standin.joinVoice(TEST_IDS.alice, TEST_IDS.guild, TEST_IDS.voice);
    await h.standin.waitFor(
      () =>
        h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(TEST_IDS.alice)?.channelId ===
        TEST_IDS.voice,
    );
    const photo = h.standin.addAttachment(demoFace(1), { filename: 'a.jpg', contentType: 'image/jpeg' });
    const ask = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'ask',
      options: { question: 'hello', photo },
    });
    const text = await waitForText(ask, '**Overall:**');
    expect(text).toContain('Voice features are turned off');
    expect(h.standin.botVoiceChannel(TEST_IDS.guild)).toBeUndefined();
  });

  test('only Manage Server members change settings; a channel list restricts commands but never /forget or /profile', async () => {
    const denied = run(TEST_IDS.alice, 'attune-settings', { subcommand: 'voice', options: { enabled: true } as never });
    expect(await waitForText(denied, 'Manage Server')).toBeTruthy();
    // bob turned voice off in beforeAll; alice, without Manage Server, cannot turn it back on.
    expect((await h.store.getGuildSettings(TEST_IDS.guild)).voiceEnabled).toBe(false);

    const allow = run(TEST_IDS.bob, 'attune-settings', {
      subcommand: 'allow-channel',
      options: { channel: TEST_IDS.voice } as never,
    });
    expect(await waitForText(allow, `<#${TEST_IDS.voice}>`)).toContain('Allowed channels');
    const refused = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'ask',
      options: { question: 'hi' },
    });
    expect(await waitForText(refused, 'limited Attune to')).toBeTruthy();
    expect(refused.ephemeral || refused.callbackType === 5).toBe(true);
    const profile = run(TEST_IDS.alice, 'profile');
    expect(await waitForText(profile, 'I hold nothing about you')).toBeTruthy();
    const clear = run(TEST_IDS.bob, 'attune-settings', { subcommand: 'allow-all-channels' });
    expect(await waitForText(clear, 'any channel')).toBeTruthy();
  });

  test('bad input: a wrong emotions option, a text file sent as a photo', async () => {
    const bad = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'calibrate',
      options: { emotions: 'happy' },
    });
    expect(await waitForText(bad, '2 to 6 single words')).toBeTruthy();
    expect(bad.ephemeral).toBe(true);

    const notAnImage = h.standin.addAttachment(Buffer.from('this is not a picture at all'), {
      filename: 'me.jpg',
      contentType: 'image/jpeg',
    });
    const ask = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'ask',
      options: { question: 'hi', photo: notAnImage },
    });
    const text = await waitForText(ask, 'How you came across');
    // The core's own failure message is shown (format not recognised), and the answer still comes.
    expect(text).toMatch(/nothing to read from \(\(.+\)\)/);
    expect(h.logs.some((l) => l['level'] === 'error')).toBe(false);
  });

  test('no message pings anyone: a question full of mentions is quoted with allowed_mentions set to parse nothing', async () => {
    const question = `@everyone @here <@&${TEST_IDS.guild}> <@${TEST_IDS.bob}> how do you spell tree?`;
    const ask = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'ask',
      options: { question },
    });
    const text = await waitForText(ask, 'T-R-E-E');
    expect(text).toContain('@everyone');
    const withContent = ask.responses.filter(
      (r) => 'body' in r && typeof (r.body as Record<string, unknown>)['content'] === 'string',
    );
    expect(withContent.length).toBeGreaterThan(0);
    for (const r of withContent) {
      const body = (r as { body: Record<string, unknown> }).body;
      expect(body['allowed_mentions']).toMatchObject({ parse: [] });
    }
  });

  test('the same person running /calibrate twice in the same moment gets one calibration and one clear refusal', async () => {
    const first = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.bob,
      name: 'calibrate',
    });
    const second = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.bob,
      name: 'calibrate',
    });
    await first.waitForAck();
    await second.waitForAck();
    const texts = await Promise.all(
      [first, second].map((x) =>
        x
          .waitFor((y) => /I agree|already have a calibration/.test(y.text()), 10_000, 'consent or refusal')
          .then(() => x.text()),
      ),
    );
    expect(texts.filter((t) => t.includes('already have a calibration running'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('I agree'))).toHaveLength(1);
    expect(h.bot.ctx.calibrations.size).toBe(1);
  });

  test('/ask with a group photo says which face it read', async () => {
    const photo = h.standin.addAttachment(demoFace(6), { filename: 'group.jpg', contentType: 'image/jpeg' });
    const ask = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'ask',
      options: { question: 'hello', photo },
    });
    const text = await waitForText(ask, '**Overall:**');
    expect(text).toMatch(/I found [2-9] faces in the photo and read the largest one/);
  });
});
