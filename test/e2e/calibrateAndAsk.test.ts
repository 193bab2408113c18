import { describeWithData } from '../helpers/sharedData';
import { startHarness, originalText, waitForText, TEST_IDS, type Harness, waitForStore } from './helpers/harness';
import { ravdessClips, ravdessOgg, yaleFace } from './helpers/media';

const EMOTIONS = ['happy', 'neutral', 'sad'] as const;
const YALE = { happy: ['happy', 'wink'], neutral: ['normal', 'noglasses'], sad: ['sad', 'sleepy'] } as const;

describeWithData('end to end: calibrate with voice and selfies, then /ask with a photo and a spoken question', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  test('/ask before calibration, not in voice: generic face model, said so, reply as a voice message', async () => {
    const { standin } = h;
    const photo = standin.addAttachment(yaleFace(2, 'happy'), { filename: 'me.jpg', contentType: 'image/jpeg' });
    const ask = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.bob,
      name: 'ask',
      options: { question: 'Tell me a joke', photo },
    });
    const answer = await waitForText(ask, '**Overall:**');
    expect(answer).toContain('Not calibrated yet');
    expect(answer).toMatch(/\*\*Face:\*\* (happy|neutral|sad)/);
    expect(answer).toContain('**Voice:** —');
    const voiceMessage = await ask.waitForFollowUp(1, 30_000);
    expect(Number(voiceMessage.json['flags']) & (1 << 13)).toBe(1 << 13);
    expect(voiceMessage.json['content'] ?? '').toBe('');
    const attachment = (voiceMessage.json['attachments'] as Array<Record<string, unknown>>)[0];
    if (!attachment) throw new Error('the voice message has no attachment');
    expect(Number(attachment['duration_secs'])).toBeGreaterThan(0.5);
    expect(String(attachment['waveform']).length).toBeGreaterThan(0);
    expect(voiceMessage.files[0]?.data.subarray(0, 4).toString()).toBe('OggS');
    // Nothing is stored for someone who never consented.
    expect(await h.store.describePerson(TEST_IDS.bob)).toBeNull();
  }, 60_000);

  test('/ask before calibration with only a voice file: no reading made of nothing, and it says why', async () => {
    const { standin } = h;
    const voice = standin.addAttachment(ravdessOgg(2, 'happy', 0), { filename: 'q.ogg', contentType: 'audio/ogg' });
    const ask = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.bob,
      name: 'ask',
      options: { question: 'How do you spell tree?', voice },
    });
    const answer = await waitForText(ask, 'T-R-E-E');
    expect(answer).toContain('nothing to read from');
    expect(answer).toContain('voice calibration first');
    expect(answer).not.toContain('**Overall:**');
    expect(answer).not.toMatch(/\d+%/);
  }, 60_000);

  test('consent → clips spoken in the voice channel + selfies → accuracy with a confusion-matrix PNG', async () => {
    const { standin } = h;
    standin.joinVoice(TEST_IDS.alice, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitFor(
      () =>
        h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(TEST_IDS.alice)?.channelId ===
        TEST_IDS.voice,
    );

    const cal = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'calibrate',
      options: { samples: 2 },
    });
    const consent = await waitForText(cal, 'Nothing is recorded or analysed unless you press **I agree**');
    expect(cal.ephemeral).toBe(true);
    expect(consent).toContain('How long:');
    expect(consent).toContain('/forget');
    // Nothing is stored and the bot has not joined voice before consent.
    expect(await h.store.getConsent(TEST_IDS.alice)).toBeNull();
    expect(standin.botVoiceChannel(TEST_IDS.guild)).toBeUndefined();

    await standin
      .clickButton({ message: cal.original!, customId: `cal:agree:${TEST_IDS.alice}`, userId: TEST_IDS.alice })
      .waitForAck();
    await waitForText(cal, 'Say in the voice channel');
    expect(await h.store.getConsent(TEST_IDS.alice)).toMatchObject({ scope: ['face', 'voice'] });
    await standin.waitForBotVoice(TEST_IDS.guild);

    for (const [i, emotion] of EMOTIONS.entries()) {
      const clips = ravdessClips(1, emotion, 2);
      for (const [n, packets] of clips.entries()) {
        await standin.speak(TEST_IDS.alice, packets, { frameMs: 5 });
        await waitForStore(
          async () => ((await h.store.countSamples(TEST_IDS.alice))[emotion]?.voice ?? 0) === n + 1,
          15_000,
          `${emotion} clip ${n + 1} stored`,
        );
      }
      // Two selfies per emotion, all of one person (subject 1): Attune refuses someone else's face.
      const photos = YALE[emotion]
        .map((condition) => yaleFace(1, condition))
        .map((bytes, n) =>
          standin.addAttachment(bytes, { filename: `selfie-${emotion}-${n}.jpg`, contentType: 'image/jpeg' }),
        );
      // Several selfies in one message.
      standin.sendMessage({ channelId: TEST_IDS.text, userId: TEST_IDS.alice, attachments: photos });
      if (i < EMOTIONS.length - 1) await waitForText(cal, `▶ **${EMOTIONS[i + 1]}**`);
    }

    const done = await waitForText(cal, /Calibration done!|Calibration saved/, 60_000);
    expect(done).toMatch(/Face: \d+% \(\d+ held-out checks\)/);
    expect(done).toMatch(/Voice: \d+% \(\d+ held-out checks\)/);
    expect(done).toMatch(/Both together: \d+%/);
    const png = cal.files().find((f) => f.filename === 'confusion-matrix.png');
    expect(png?.data.subarray(1, 4).toString()).toBe('PNG');
    const model = await h.store.loadModel(TEST_IDS.alice);
    expect(model?.report.counts).toEqual({
      happy: { face: 2, voice: 2 },
      neutral: { face: 2, voice: 2 },
      sad: { face: 2, voice: 2 },
    });
    const sources = (await h.store.listSamples(TEST_IDS.alice)).map((s) => s.metadata.source);
    expect(sources.filter((s) => s === 'voice_channel')).toHaveLength(6);
    expect(sources.filter((s) => s === 'attachment')).toHaveLength(6);
    // The selfies were read, then taken out of the channel (the stand-in's bot may manage messages).
    const selfiesLeft = standin
      .messages(TEST_IDS.text)
      .filter((m) => (m.json['author'] as { id?: string } | undefined)?.id === TEST_IDS.alice);
    expect(selfiesLeft).toEqual([]);
  }, 180_000);

  test('/ask with a photo and a spoken question: reading, answer text, and speech played back into the channel', async () => {
    const { standin } = h;
    standin.clearBotAudio(TEST_IDS.guild);
    const photo = standin.addAttachment(yaleFace(9, 'happy'), { filename: 'now.jpg', contentType: 'image/jpeg' });
    const ask = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'ask',
      options: { question: 'What time is it?', photo },
    });
    await ask.waitForAck(1000);
    expect(ask.ackLatencyMs).toBeLessThan(1000);
    await waitForText(ask, 'Listening…').catch((e) => {
      throw new Error(`${(e as Error).message}\n${originalText(ask)}\n${JSON.stringify(h.logs.slice(-5))}`);
    });
    const [question] = ravdessClips(1, 'happy', 1);
    const spoken = await standin.speak(TEST_IDS.alice, question);
    const answer = await waitForText(ask, '**Overall:**', 20_000);
    expect(answer).toContain('> What time is it?');
    expect(answer).toMatch(/\*\*Face:\*\* (happy|neutral|sad|not sure)/);
    expect(answer).toMatch(/\*\*Voice:\*\* (happy|neutral|sad|not sure)/);
    expect(answer).not.toContain('Not calibrated'); // alice is calibrated
    // The answer text follows the reading (a time answer mentions a time of day).
    expect(answer.split('\n\n')[1]).toMatch(/\d{1,2}[:.]\d{2}|o'clock|noon|midnight/i);
    expect(Date.now() - spoken.endedAt).toBeGreaterThan(0);

    const packets = await standin.waitForBotAudio(TEST_IDS.guild, { minPackets: 25, quietMs: 500, timeoutMs: 30_000 });
    const pcm = standin.decodeBotAudio(TEST_IDS.guild);
    if (!pcm.ok) throw new Error(pcm.message);
    const seconds = pcm.value.length / 48000;
    // A one-sentence spoken answer: more than half a second, less than half a minute.
    expect(seconds).toBeGreaterThan(0.5);
    expect(seconds).toBeLessThan(30);
    expect(packets.length).toBe(Math.round(seconds * 50));
  }, 90_000);

  test('/forget after confirming leaves nothing about the person in storage', async () => {
    const { standin } = h;
    const forget = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'forget',
    });
    await waitForText(forget, 'cannot be undone');
    expect(await h.store.describePerson(TEST_IDS.alice)).not.toBeNull();
    await standin
      .clickButton({ message: forget.original!, customId: `forget:confirm:${TEST_IDS.alice}`, userId: TEST_IDS.alice })
      .waitForAck();
    await waitForText(forget, 'everything about you is deleted');
    expect(await h.store.describePerson(TEST_IDS.alice)).toBeNull();
    expect(await h.store.getConsent(TEST_IDS.alice)).toBeNull();
    expect(await h.store.loadModel(TEST_IDS.alice)).toBeNull();
    expect(await h.store.listSamples(TEST_IDS.alice)).toEqual([]);
    const profile = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.alice,
      name: 'profile',
    });
    expect(await waitForText(profile, 'I hold nothing about you')).toBeTruthy();
    // Logs never carried the raw user id.
    expect(JSON.stringify(h.logs)).not.toContain(TEST_IDS.alice);
    expect(originalText(forget)).toContain('samples');
  }, 30_000);
});
