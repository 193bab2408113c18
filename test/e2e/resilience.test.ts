import { describeWithData } from '../helpers/sharedData';
import { startHarness, waitForText, TEST_IDS, type Harness, waitForStore } from './helpers/harness';
import { ravdessClips, ravdessOgg } from './helpers/media';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWithData('end to end: a calibration survives reconnects and undecryptable packets', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  async function startVoiceOnlyCalibration(userId: string) {
    const { standin } = h;
    standin.joinVoice(userId, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitFor(
      () => h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(userId)?.channelId === TEST_IDS.voice,
    );
    const cal = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId,
      name: 'calibrate',
      options: { samples: 2, emotions: 'happy, sad' },
    });
    await waitForText(cal, 'I agree');
    await standin.clickButton({ message: cal.original!, customId: `cal:agree:${userId}`, userId }).waitForAck();
    await waitForText(cal, 'Say in the voice channel');
    await standin.clickButton({ message: cal.original!, customId: `cal:skip-face:${userId}`, userId }).waitForAck();
    await cal.waitFor((x) => !String(x.originalJson?.['content']).includes('photos'), 5000, 'photos hidden');
    return cal;
  }

  test('gateway reconnect mid-flow, then packets that fail to decrypt: the calibration stays in the voice channel, nothing lost', async () => {
    const { standin } = h;
    const alice = TEST_IDS.alice;
    const cal = await startVoiceOnlyCalibration(alice);
    const [c1, c2] = ravdessClips(1, 'happy', 2);
    await standin.speak(alice, c1, { frameMs: 5 });
    await waitForStore(async () => (await h.store.countSamples(alice)).happy?.voice === 1, 15_000, 'clip 1');

    expect(['resumed', 'ready']).toContain(await standin.forceGatewayReconnect('op7'));
    await standin.speak(alice, c2, { frameMs: 5 });
    await waitForStore(
      async () => (await h.store.countSamples(alice)).happy?.voice === 2,
      15_000,
      'clip 2 after the gateway reconnect',
    );
    await waitForText(cal, '▶ **sad**');

    // Packets failing authentication, between clips and inside one: each is dropped on its own
    // (with @discordjs/voice's own receive streams, each one ended the recording).
    for (let i = 0; i < 3; i++) {
      await sleep(100);
      standin.sendCorruptPacket(alice);
    }
    const sad = ravdessClips(1, 'sad', 2);
    for (const [n, clip] of sad.entries()) {
      await standin.speak(alice, clip, { frameMs: 5, corruptAt: [Math.floor(clip.length / 2)] });
      await waitForStore(
        async () => (await h.store.countSamples(alice)).sad?.voice === n + 1,
        15_000,
        `sad clip ${n + 1} in the channel`,
      );
    }
    await waitForText(cal, /Calibration done!|Calibration saved/, 60_000);
    const sources = (await h.store.listSamples(alice)).map((s) => s.metadata.source);
    expect(sources).toEqual(['voice_channel', 'voice_channel', 'voice_channel', 'voice_channel']);
    expect(String(cal.originalJson?.['content'])).not.toContain('voice message');
  }, 120_000);

  test('the voice connection is cut: the flow says so, keeps its clips, and takes voice messages', async () => {
    const { standin } = h;
    const bob = TEST_IDS.bob;
    const cal = await startVoiceOnlyCalibration(bob);
    await standin.waitForBotVoice(TEST_IDS.guild);
    const [c1] = ravdessClips(2, 'happy', 1);
    await standin.speak(bob, c1, { frameMs: 5 });
    await waitForStore(async () => (await h.store.countSamples(bob)).happy?.voice === 1, 15_000, 'clip 1');

    standin.disconnectBotFromVoice(TEST_IDS.guild);
    await waitForText(cal, 'lost the voice connection', 15_000);
    expect((await h.store.countSamples(bob)).happy?.voice).toBe(1);
    standin.sendVoiceMessage({
      channelId: TEST_IDS.text,
      userId: bob,
      ogg: ravdessOgg(2, 'happy', 1),
      durationSecs: 3.5,
    });
    await waitForStore(
      async () => (await h.store.countSamples(bob)).happy?.voice === 2,
      15_000,
      'voice message after the cut',
    );
    await waitForText(cal, '▶ **sad**');
    // Cancel keeps what was taken.
    await standin.clickButton({ message: cal.original!, customId: `cal:cancel:${bob}`, userId: bob }).waitForAck();
    await waitForText(cal, 'Calibration cancelled');
    expect((await h.store.countSamples(bob)).happy?.voice).toBe(2);
  }, 120_000);
});
