import { CONSENT_SCOPE, CONSENT_TEXT_VERSION } from '../../src/bot/calibration/consent';
import type { Json } from '../standin';
import { describeWithData } from '../helpers/sharedData';
import { startHarness, waitForText, TEST_IDS, type Harness, waitForStore } from './helpers/harness';
import { ravdessOgg, yaleFace } from './helpers/media';

const EMOTIONS = ['happy', 'neutral', 'sad'] as const;
const YALE = { happy: ['happy', 'wink'], neutral: ['normal', 'noglasses'], sad: ['sad', 'sleepy'] } as const;

/** The buttons of a message, as Discord shows them. */
function buttons(message: Json | undefined): Array<{ custom_id: string; label: string; disabled?: boolean }> {
  const rows = (message?.['components'] ?? []) as Array<{
    components: Array<{ custom_id: string; label: string; disabled?: boolean }>;
  }>;
  return rows.flatMap((r) => r.components);
}

describeWithData('end to end: learning from corrections under /ask answers', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    // Alice calibrated (real features from real photos and recordings, trained by the real engine);
    // the calibration flow itself is covered by calibrateAndAsk.test.ts.
    const { store, engine } = h;
    await store.grantConsent(TEST_IDS.alice, { textVersion: CONSENT_TEXT_VERSION, scope: CONSENT_SCOPE });
    for (const emotion of EMOTIONS) {
      for (const [n, condition] of YALE[emotion].entries()) {
        const face = await engine.analyzeFace(yaleFace(1, condition));
        if (!face.ok) throw new Error(face.message);
        await store.addSample({
          personId: TEST_IDS.alice,
          emotion,
          signal: 'face',
          features: face.value,
          metadata: { source: 'attachment' },
        });
        const voice = await engine.analyzeVoice(ravdessOgg(1, emotion, n));
        if (!voice.ok) throw new Error(voice.message);
        await store.addSample({
          personId: TEST_IDS.alice,
          emotion,
          signal: 'voice',
          features: voice.value,
          metadata: { source: 'voice_message' },
        });
      }
    }
    const model = await engine.train(
      (await store.listSamples(TEST_IDS.alice)).map((s) =>
        s.signal === 'face' ? { emotion: s.emotion, face: s.features } : { emotion: s.emotion, voice: s.features },
      ),
      [...EMOTIONS],
    );
    if (!model.ok) throw new Error(model.message);
    await store.saveModel(TEST_IDS.alice, model.value);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  test('someone without consent gets an answer without buttons, and nothing of theirs is held', async () => {
    const { standin } = h;
    const photo = standin.addAttachment(yaleFace(2, 'happy'), { filename: 'me.jpg', contentType: 'image/jpeg' });
    const ask = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.bob,
      name: 'ask',
      options: { question: 'Tell me a joke', photo },
    });
    await waitForText(ask, '**Overall:**');
    expect(buttons(ask.originalJson)).toEqual([]);
    expect(h.bot.ctx.corrections.size).toBe(0);
    expect(await h.store.describePerson(TEST_IDS.bob)).toBeNull();
  }, 60_000);

  test('/ask with a photo and a voice file → "I was feeling …" stores both with that label, retrains, /profile counts them, /forget removes them', async () => {
    const { standin, store } = h;
    const before = await store.listSamples(TEST_IDS.alice);
    const modelBefore = await store.loadModel(TEST_IDS.alice);
    const photo = standin.addAttachment(yaleFace(1, 'glasses'), { filename: 'now.jpg', contentType: 'image/jpeg' });
    const voice = standin.addAttachment(ravdessOgg(1, 'sad', 2), { filename: 'q.ogg', contentType: 'audio/ogg' });
    const ask = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'ask',
      options: { question: 'How do you spell tree?', photo, voice },
    });
    await waitForText(ask, 'T-R-E-E', 30_000);
    // Nothing stored by the answer itself: the features are only held in memory.
    expect(await store.listSamples(TEST_IDS.alice)).toHaveLength(before.length);
    expect(h.bot.ctx.corrections.size).toBe(1);
    const offered = buttons(ask.originalJson);
    const labels = offered.map((b) => b.label);
    expect(labels.filter((l) => l.startsWith('I was feeling ')).length).toBeGreaterThanOrEqual(2);
    expect(labels.every((l) => l === "That's right" || EMOTIONS.some((e) => l === `I was feeling ${e}`))).toBe(true);
    // The label to correct to: one the answer did not state.
    const target = offered.find((b) => b.label.startsWith('I was feeling '))!;
    const emotion = target.label.replace('I was feeling ', '');

    // Only the person who asked.
    const bobs = standin.clickButton({ message: ask.original!, customId: target.custom_id, userId: TEST_IDS.bob });
    await bobs.waitForAck();
    expect(String(bobs.originalJson?.['content'] ?? bobs.followUps[0]?.json['content'])).toContain(
      'Only the person who asked',
    );
    expect(buttons(ask.originalJson)).toHaveLength(offered.length);

    const click = standin.clickButton({ message: ask.original!, customId: target.custom_id, userId: TEST_IDS.alice });
    await click.waitForAck();
    const thanks = await click.waitForFollowUp(1, 10_000);
    expect(String(thanks.json['content'])).toContain(`as **${emotion}**`);
    expect(buttons(ask.originalJson)).toEqual([
      expect.objectContaining({ label: `Corrected: ${emotion}`, disabled: true }),
    ]);
    const corrections = (await store.listSamples(TEST_IDS.alice)).filter((s) => s.metadata.source === 'correction');
    expect(corrections.map((s) => [s.signal, s.emotion])).toEqual([
      ['face', emotion],
      ['voice', emotion],
    ]);

    // Retrained in the background, with the two new samples.
    await h.bot.ctx.models.settled();
    const modelAfter = await store.loadModel(TEST_IDS.alice);
    expect(modelAfter?.createdAt).not.toBe(modelBefore?.createdAt);
    const counts = modelAfter!.report.counts[emotion]!;
    expect(counts.face + counts.voice).toBe(2 + 2 + 2);
    expect(h.logs.some((l) => JSON.stringify(l).includes('"model.retrained"'))).toBe(true);
    // The log says a reading was corrected, never the person's id.
    expect(JSON.stringify(h.logs)).toContain('ask.corrected');
    expect(JSON.stringify(h.logs)).not.toContain(TEST_IDS.alice);

    const profile = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'profile',
    });
    expect(await waitForText(profile, 'of them from your corrections')).toContain('• 2 of them from your corrections');

    // The reading was taken once: what is left is a disabled button no one can press.
    expect(() => standin.clickButton({ message: ask.original!, customId: 'fix:done', userId: TEST_IDS.alice })).toThrow(
      'disabled',
    );

    // Another answer's reading is still held when /forget runs: it is dropped with everything else.
    const photo2 = standin.addAttachment(yaleFace(1, 'happy'), { filename: 'again.jpg', contentType: 'image/jpeg' });
    const ask2 = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'ask',
      options: { question: 'Tell me a joke', photo: photo2 },
    });
    await waitForText(ask2, '**Overall:**', 30_000);
    expect(h.bot.ctx.corrections.size).toBe(1);
    const forget = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'forget',
    });
    await waitForText(forget, 'cannot be undone');
    await standin
      .clickButton({ message: forget.original!, customId: `forget:confirm:${TEST_IDS.alice}`, userId: TEST_IDS.alice })
      .waitForAck();
    await waitForText(forget, `(${before.length + 2} samples`);
    expect(await store.listSamples(TEST_IDS.alice)).toEqual([]);
    expect(h.bot.ctx.corrections.size).toBe(0);
    const late = standin.clickButton({
      message: ask2.original!,
      customId: buttons(ask2.originalJson)[0]!.custom_id,
      userId: TEST_IDS.alice,
    });
    await late.waitForAck();
    expect(buttons(ask2.originalJson)[0]).toMatchObject({
      label: expect.stringContaining('Expired') as unknown,
      disabled: true,
    });
    await waitForStore(
      async () => (await store.listSamples(TEST_IDS.alice)).length === 0,
      2000,
      'nothing stored after /forget',
    );
    expect(await store.loadModel(TEST_IDS.alice)).toBeNull();
  }, 120_000);
});
