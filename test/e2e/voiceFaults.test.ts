import type { SpeakOptions } from '../standin';
import { activeSeconds } from '../standin';
import { describeWithData } from '../helpers/sharedData';
import { originalText, startHarness, waitForText, TEST_IDS, type Harness, waitForStore } from './helpers/harness';
import { asClientSends, ravdessClips } from './helpers/media';
import { textOf } from '../standin/util/text';

const XCHACHA = 'aead_xchacha20_poly1305_rtpsize';
const AES_GCM = 'aead_aes256_gcm_rtpsize';

/**
 * Voice faults of real Discord, end to end under DAVE (the stand-in's default): each must leave the
 * utterance whole (>= 95% of its frames, decoded length within 5% of what was sent), never decode a
 * frame that failed to decrypt, and keep the calibration in the voice channel.
 */
describeWithData('end to end under DAVE: voice faults leave every utterance whole', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  /** Every audio frame the bot's receive path hands on for `userId` (what a recording decodes). */
  function tap(userId: string): { frames: Buffer[]; stop: () => void } {
    const voice = h.bot.ctx.voice.get(TEST_IDS.guild);
    if (!voice) throw new Error('the bot is not in voice');
    const frames: Buffer[] = [];
    const stop = voice.receive.listen(userId, (e) => {
      if (e.type === 'audio') frames.push(e.opus);
    });
    return { frames, stop };
  }

  const utterances = () => h.logs.filter((l) => l['event'] === 'voice.utterance');

  /**
   * Speaks `clip` with `options` and checks the clip the bot recorded against what was sent: every
   * frame it decoded is one of the clip's plain frames (never ciphertext, never someone else's), at
   * least 95% of them arrived, the decoded length is within 5%, and the calibration took the clip.
   */
  async function speakAndCheck(
    userId: string,
    clip: Buffer[],
    options: SpeakOptions,
    during?: () => Promise<void>,
    pauseFrames = 0,
  ) {
    const before = (await h.store.listSamples(userId)).length;
    const logged = utterances().length;
    const t = tap(userId);
    try {
      const speaking = h.standin.speak(userId, clip, options);
      await during?.();
      await speaking;
      await waitForStore(
        async () => (await h.store.listSamples(userId)).length === before + 1,
        15_000,
        'the clip stored',
      );
    } finally {
      t.stop();
    }
    const sent = new Set(clip.map((p) => p.toString('hex')));
    const foreign = t.frames.filter((f) => !sent.has(f.toString('hex')));
    // A pause's quiet frames are the stand-in's own (not in `clip`); nothing else may be foreign.
    expect(foreign.length).toBeLessThanOrEqual(pauseFrames);
    expect(t.frames.length - foreign.length).toBeGreaterThanOrEqual(Math.ceil(0.95 * clip.length));
    const log = utterances()[logged]!;
    expect(log['endReason']).toBe('client_stopped');
    const sentSeconds = (clip.length + pauseFrames) * 0.02;
    expect(Math.abs(Number(log['seconds']) - sentSeconds)).toBeLessThanOrEqual(0.05 * sentSeconds);
    expect((await h.store.listSamples(userId)).at(-1)?.metadata.source).toBe('voice_channel');
    return log;
  }

  test('a calibration in the voice channel survives corrupted, padded, padding-only and re-keyed traffic', async () => {
    const { standin } = h;
    const alice = TEST_IDS.alice;
    standin.joinVoice(alice, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitFor(
      () => h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(alice)?.channelId === TEST_IDS.voice,
    );
    const cal = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: alice,
      name: 'calibrate',
      options: { samples: 3, emotions: 'happy, sad' },
    });
    await waitForText(cal, 'I agree');
    await standin.clickButton({ message: cal.original!, customId: `cal:agree:${alice}`, userId: alice }).waitForAck();
    await waitForText(cal, 'Say in the voice channel');
    await standin
      .clickButton({ message: cal.original!, customId: `cal:skip-face:${alice}`, userId: alice })
      .waitForAck();
    await standin.waitForDave(TEST_IDS.guild, { members: [standin.botUser.id, alice] });
    // The first instruction after "I agree" never told alice, who is in a voice channel, to send a voice message.
    const edits = cal.responses.map((r) => textOf('body' in r ? (r.body as Record<string, unknown>)['content'] : ''));
    expect(edits.some((c) => c.includes('Send a voice message'))).toBe(false);
    // Every version of the progress message from here on (edits come through the buttons' interactions).
    const seen = new Set<string>();
    const watch = setInterval(() => seen.add(textOf(cal.originalJson?.['content'])), 20);

    const happy = ravdessClips(1, 'happy', 3).map((c) => asClientSends(c));
    const sad = ravdessClips(1, 'sad', 3).map((c) => asClientSends(c));
    const mid = (clip: Buffer[]) => Math.floor(clip.length / 2);

    // One packet failing transport authentication in the middle of a clip.
    const one = await speakAndCheck(alice, happy[0]!, { corruptAt: [mid(happy[0]!)] });
    expect((one['dropped'] as Record<string, number>)['transport']).toBe(1);
    expect(one['concealed']).toBe(1);

    // A burst of 40 padding-only packets on the speaker's SSRC (they used to count as DAVE failures).
    const padded = await speakAndCheck(alice, happy[1]!, {
      paddingBursts: [{ afterFrame: mid(happy[1]!), count: 40 }],
    });
    expect((padded['dropped'] as Record<string, number>)['empty']).toBe(40);
    expect(padded['concealed']).toBe(0);

    // DAVE ciphertext damaged (transport intact), RTP padding and CSRCs on every packet.
    const damaged = await speakAndCheck(alice, happy[2]!, {
      daveCorruptAt: [5, mid(happy[2]!)],
      rtpPadding: { bytes: 9 },
      csrcs: [42, 43],
    });
    expect((damaged['dropped'] as Record<string, number>)['dave_failed']).toBe(2);
    await waitForText(cal, '▶ **sad**');

    // A third member joins in the middle of a recording (a new epoch), then leaves during the next.
    const joined = await speakAndCheck(alice, sad[0]!, {}, async () => {
      await new Promise((r) => setTimeout(r, 400));
      standin.joinVoice(TEST_IDS.bob, TEST_IDS.guild, TEST_IDS.voice);
    });
    expect(Number(joined['audio'])).toBeGreaterThan(0);
    await standin.waitForDave(TEST_IDS.guild, { members: [standin.botUser.id, alice, TEST_IDS.bob] });
    const epochBefore = standin.dave(TEST_IDS.guild).epoch;
    await speakAndCheck(alice, sad[1]!, {}, async () => {
      await new Promise((r) => setTimeout(r, 400));
      standin.leaveVoice(TEST_IDS.bob, TEST_IDS.guild);
    });
    expect(standin.dave(TEST_IDS.guild).epoch).toBeGreaterThan(epochBefore);

    // A pause inside the sentence: the client keeps sending quiet frames for 400 ms.
    const paused = await speakAndCheck(
      alice,
      sad[2]!,
      { pauses: [{ afterFrame: mid(sad[2]!), ms: 400, kind: 'quiet' }] },
      undefined,
      20,
    );
    expect(paused['audio']).toBe(sad[2]!.length + 20);

    await waitForText(cal, /Calibration done!|Calibration saved/, 60_000);
    expect((await h.store.listSamples(alice)).every((s) => s.metadata.source === 'voice_channel')).toBe(true);
    clearInterval(watch);
    // The progress message showed that Attune was hearing her, and never asked for voice messages.
    expect([...seen].some((c) => c.includes('Hearing you'))).toBe(true);
    expect([...seen].some((c) => c.includes('Send a voice message'))).toBe(false);
  }, 180_000);
});

describeWithData('end to end under DAVE: joining a conversation, and the bot speaking', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  test('the person is already talking while Attune joins: nothing undecrypted is kept, the rest of the speech is recorded whole', async () => {
    const { standin } = h;
    const alice = TEST_IDS.alice;
    // alice and bob are already in a call with its own end-to-end encrypted group.
    standin.joinVoice(alice, TEST_IDS.guild, TEST_IDS.voice);
    standin.joinVoice(TEST_IDS.bob, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitFor(
      () => h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(alice)?.channelId === TEST_IDS.voice,
    );
    await standin.waitForDave(TEST_IDS.guild, { members: [alice, TEST_IDS.bob], channel: TEST_IDS.voice });
    expect(standin.botVoiceChannel(TEST_IDS.guild)).toBeUndefined();
    // About 7 s of continuous speech (three clips back to back, as a client would send them).
    const speech = ravdessClips(2, 'happy', 3).flatMap((c) => asClientSends(c, 0));
    const cal = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: alice,
      name: 'calibrate',
      options: { samples: 2, emotions: 'happy, sad' },
    });
    await waitForText(cal, 'I agree');
    await standin.clickButton({ message: cal.original!, customId: `cal:agree:${alice}`, userId: alice }).waitForAck();
    // She talks from the moment the bot's transport session is up, before its DAVE session is ready
    // (the stand-in only carries audio to a connected bot; on Discord she would have started earlier).
    // Her client is slow to process the group change, so for a second she keeps encrypting for the
    // alice-and-bob group the bot is not in: the bot receives her speech before it can decrypt it.
    standin.voiceClient(alice).pause();
    await standin.waitFor(
      () => standin.voice.session(TEST_IDS.guild)?.ready === true,
      10_000,
      'the bot connected to voice',
    );
    const talking = standin.speak(alice, speech);
    setTimeout(() => standin.voiceClient(alice).resume(), 1_000);
    await standin.waitFor(
      () => h.bot.ctx.voice.get(TEST_IDS.guild) !== undefined,
      10_000,
      'the bot holds its voice connection',
    );
    const voice = h.bot.ctx.voice.get(TEST_IDS.guild)!;
    const delivered: Buffer[] = [];
    const stop = voice.receive.listen(alice, (e) => {
      if (e.type === 'audio') delivered.push(e.opus);
    });
    await talking;
    await waitForStore(
      async () => (await h.store.listSamples(alice)).length === 1,
      15_000,
      'a clip from the voice channel',
    );
    stop();
    const index = new Map(speech.map((p, i) => [p.toString('hex'), i]));
    // No frame that failed to decrypt (or arrived before the session was ready) was handed on.
    expect(delivered.every((f) => index.has(f.toString('hex')))).toBe(true);
    expect(delivered.length).toBeGreaterThan(0);
    const first = index.get(delivered[0]!.toString('hex'))!;
    // From the first readable frame on, the speech arrived whole.
    expect(delivered.length).toBeGreaterThanOrEqual(Math.floor(0.95 * (speech.length - first)));
    const log = h.logs.filter((l) => l['event'] === 'voice.utterance')[0]!;
    expect(Number(log['concealed'])).toBeLessThanOrEqual(Math.ceil(0.05 * (speech.length - first)));
    expect((await h.store.listSamples(alice))[0]?.metadata.source).toBe('voice_channel');
    // Her first second could not be read, and none of it was handed on.
    const stats = voice.receive.stats();
    expect(first).toBeGreaterThanOrEqual(25);
    expect(stats.dropped.dave_not_ready + stats.dropped.dave_failed).toBeGreaterThanOrEqual(first);
    await standin.clickButton({ message: cal.original!, customId: `cal:cancel:${alice}`, userId: alice }).waitForAck();
  }, 120_000);

  test('a spoken /ask under DAVE: answered soon after the question ends, the reply waits for quiet and is decrypted whole by a member', async () => {
    const { standin } = h;
    const alice = TEST_IDS.alice;
    standin.clearBotAudio(TEST_IDS.guild);
    const ask = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: alice,
      name: 'ask',
      options: { question: 'How do you spell tree?' },
    });
    await waitForText(ask, 'Listening…').catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}\n${originalText(ask)}\n${JSON.stringify(h.logs.filter((l) => l['level'] !== 'debug').slice(-8))}`,
      );
    });
    const question = asClientSends(ravdessClips(2, 'sad', 1)[0]);
    const spoken = await standin.speak(alice, question);
    const text = await waitForText(ask, 'T-R-E-E');
    // Her voice was heard and read (she has no voice calibration, so it is not used for a reading).
    expect(text).toContain('voice calibration first');
    const packets = await standin.waitForBotAudio(TEST_IDS.guild, { minPackets: 25, quietMs: 400, timeoutMs: 30_000 });
    // Never over the person: the reply's first packet comes after her last one.
    expect(packets[0]!.at).toBeGreaterThanOrEqual(spoken.endedAt);
    const session = standin.voice.session(TEST_IDS.guild)!;
    expect(session.daveDecryptErrors).toEqual([]);
    const audio = packets.filter((p) => !(p.opus.length === 3 && p.opus[0] === 0xf8));
    const decoded = standin.decodeBotAudio(TEST_IDS.guild);
    if (!decoded.ok) throw new Error(decoded.message);
    // Every frame the bot sent decrypted and decoded: the reply's whole length, and it is speech.
    expect(decoded.value.length).toBe(audio.length * 960);
    expect(activeSeconds(decoded.value)).toBeGreaterThan(1);
  }, 60_000);

  test("/forget while Attune listens for the person's question stops the listening at once", async () => {
    const { standin } = h;
    const alice = TEST_IDS.alice;
    expect((await h.store.describePerson(alice)) !== null).toBe(true);
    const ask = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: alice,
      name: 'ask',
      options: { question: 'How do you spell tree?' },
    });
    await waitForText(ask, 'Listening…');
    const forget = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: alice,
      name: 'forget',
    });
    await forget.waitFor((x) => x.text().includes('This deletes'), 10_000, 'the forget confirmation');
    const pressed = Date.now();
    await standin
      .clickButton({ message: forget.original!, customId: `forget:confirm:${alice}`, userId: alice })
      .waitForAck();
    const text = await waitForText(ask, 'stopped listening', 5_000);
    expect(Date.now() - pressed).toBeLessThan(2_000);
    expect(text).toContain('T-R-E-E');
    expect(await h.store.describePerson(alice)).toBeNull();
  }, 60_000);
});

describe.each([
  ['XChaCha20-Poly1305 transport, DAVE', { modes: [XCHACHA, AES_GCM] }],
  ['transport-only call (DAVE protocol 0)', { dave: false }],
] as const)('end to end, %s', (_name, voiceOptions) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ voice: voiceOptions });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  test('a spoken question is recorded whole and answered; the reply reaches the channel', async () => {
    const { standin } = h;
    const alice = TEST_IDS.alice;
    standin.joinVoice(alice, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitFor(
      () => h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(alice)?.channelId === TEST_IDS.voice,
    );
    const ask = standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: alice,
      name: 'ask',
      options: { question: 'How do you spell tree?' },
    });
    await waitForText(ask, 'Listening…').catch((e: unknown) => {
      throw new Error(
        `${(e as Error).message}\n${originalText(ask)}\n${JSON.stringify(h.logs.filter((l) => l['level'] !== 'debug').slice(-8))}`,
      );
    });
    const session = standin.voice.session(TEST_IDS.guild)!;
    expect(session.mode).toBe('modes' in voiceOptions ? XCHACHA : AES_GCM);
    expect(standin.dave(TEST_IDS.guild).protocolVersion).toBe('dave' in voiceOptions ? 0 : 1);
    const question = asClientSends(ravdessClips(3, 'happy', 1)[0]);
    await standin.speak(alice, question, { corruptAt: [10] });
    await waitForText(ask, 'T-R-E-E');
    const log = h.logs.find((l) => l['event'] === 'voice.utterance')!;
    expect(log['audio']).toBe(question.length - 1);
    expect(log['concealed']).toBe(1);
    const packets = await standin.waitForBotAudio(TEST_IDS.guild, { minPackets: 25, quietMs: 400, timeoutMs: 30_000 });
    expect(session.daveDecryptErrors ?? []).toEqual([]);
    expect(session.decryptErrors).toEqual([]);
    expect(packets.length).toBeGreaterThan(25);
  }, 60_000);
});
