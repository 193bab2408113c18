import { startHarness, waitForText, TEST_IDS, type Harness } from './helpers/harness';

describe('end to end: a clean shutdown', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ enableVoice: false });
  }, 60_000);
  afterAll(async () => {
    await h?.standin.close();
  });

  test('tells a running calibration that Attune is restarting and its samples are kept (not "cancelled")', async () => {
    const cal = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'calibrate',
      options: { samples: 2 },
    });
    await waitForText(cal, 'I agree');
    await h.standin
      .clickButton({ message: cal.original!, customId: `cal:agree:${TEST_IDS.alice}`, userId: TEST_IDS.alice })
      .waitForAck();
    await waitForText(cal, 'Send selfies');
    await h.bot.stop();
    const text = String(cal.originalJson?.['content']);
    expect(text).toContain('Attune is restarting');
    expect(text).toContain('samples are kept');
    expect(text).not.toContain('cancelled');
  });
});
