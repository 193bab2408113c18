import { NOT_UNDERSTOOD } from '../../src/bot/ask/spokenQuestion';
import { consentTextVersion } from '../../src/bot/calibration/consent';
import { describeWithData } from '../helpers/sharedData';
import { TranscriptionStandin } from '../standins/transcriptionStandin';
import { originalText, startHarness, waitForText, TEST_IDS, type Harness } from './helpers/harness';
import { asClientSends, ravdessClips, ravdessOgg } from './helpers/media';

/**
 * Asking by speaking, end to end: the real bot under DAVE, its transcriber pointed at the local
 * transcription stand-in, which answers a fixed transcript per request.
 */
describeWithData('end to end: /ask by speaking, transcribed by an OpenAI-compatible service', () => {
  let h: Harness;
  const stt = new TranscriptionStandin();
  const alice = TEST_IDS.alice;
  const ask = (options: Record<string, unknown> = {}, userId = alice) =>
    h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId,
      name: 'ask',
      options: options as never,
    });
  const clip = (n: number) => asClientSends(ravdessClips(2, 'happy', 3)[n]!);

  beforeAll(async () => {
    await stt.start();
    h = await startHarness({ env: stt.env({ TRANSCRIBE_LANGUAGE: 'en' }) });
    h.standin.joinVoice(alice, TEST_IDS.guild, TEST_IDS.voice);
    await h.standin.waitFor(
      () => h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(alice)?.channelId === TEST_IDS.voice,
    );
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await stt.stop();
  });
  beforeEach(() => {
    stt.requests.length = 0;
    stt.behaviour = { kind: 'text', text: 'How do you spell tree?' };
  });

  test('without consent to sending audio, nothing is recorded or sent; the reply says where audio would go and what to do', async () => {
    const refused = ask();
    const text = await waitForText(refused, 'have not agreed');
    expect(refused.ephemeral).toBe(true);
    expect(text).toContain(stt.baseUrl.replace(/^http:\/\/|\/v1$/gu, ''));
    expect(text).toContain('/ask question:');
    const profile = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: alice,
      name: 'profile',
    });
    expect(await waitForText(profile, 'Spoken questions')).toContain('none of yours are sent');
    expect(stt.requests).toHaveLength(0);
  });

  test('a spoken question is transcribed and answered: "> you said: …", the emotion read from the same audio, one upload of 16 kHz mono WAV', async () => {
    const host = new URL(stt.baseUrl).host;
    await h.store.grantConsent(alice, { textVersion: consentTextVersion(host), scope: ['face', 'voice'] });
    const handle = ask();
    await waitForText(handle, 'Listening…');
    const question = clip(0);
    const spoken = await h.standin.speak(alice, question);
    const text = await waitForText(handle, 'T-R-E-E');
    expect(text).toContain('> you said: How do you spell tree?');
    // The voice was read too (before calibration: it says what reading a voice needs).
    expect(text).toMatch(/voice calibration first|\*\*Voice:\*\*/u);
    expect(stt.requests).toHaveLength(1);
    const req = stt.requests[0]!;
    expect(req.fields).toEqual({ model: 'whisper-standin', language: 'en', response_format: 'json' });
    expect(req.file).toMatchObject({ filename: 'question.wav', contentType: 'audio/wav' });
    // 32 KB per second of what was said (within the utterance's end-of-speech margin).
    const seconds = (req.file!.data.length - 44) / 32000;
    expect(Math.abs(seconds - question.length * 0.02)).toBeLessThan(0.3);
    expect(req.receivedAt).toBeGreaterThanOrEqual(spoken.endedAt - 200);
    // Logged just after the answer is shown.
    const answered = () => h.logs.find((l) => l['event'] === 'ask.answered' && l['spoken'] === true);
    await h.standin.waitFor(() => answered() !== undefined, 5_000, 'ask.answered');
    expect(answered()).toMatchObject({ transcription: 'ok', intent: 'spell' });
    // Logs never hold what was said.
    expect(JSON.stringify(h.logs)).not.toContain('spell tree');
    const profile = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: alice,
      name: 'profile',
    });
    expect(await waitForText(profile, 'Spoken questions')).toContain(`sent to **${host}**`);
  }, 60_000);

  test('the service failing still answers: "could not make out the words", with the emotion reading shown', async () => {
    stt.behaviour = { kind: 'status', status: 503 };
    const handle = ask();
    await waitForText(handle, 'Listening…');
    await h.standin.speak(alice, clip(1));
    const text = await waitForText(handle, NOT_UNDERSTOOD);
    expect(text).not.toContain('you said');
    // The reading is still shown (here: what the voice could and could not tell).
    expect(text).toContain('How you came across');
    expect(stt.requests).toHaveLength(1);
    await h.standin.waitFor(
      () => h.logs.some((l) => l['event'] === 'ask.answered' && l['transcription'] === 'unavailable'),
      5_000,
      'ask.answered',
    );
  }, 60_000);

  test('a typed question wins: the audio is read for emotion only and nothing is sent', async () => {
    const handle = ask({ question: 'What time is it?' });
    await waitForText(handle, 'Listening…');
    await h.standin.speak(alice, clip(2));
    const text = await waitForText(handle, /It's \d/u);
    expect(text).toContain('> What time is it?');
    expect(stt.requests).toHaveLength(0);
  }, 60_000);

  test('an attached recording is sent as it came when no question is typed', async () => {
    stt.behaviour = { kind: 'text', text: "What's the time?" };
    const voice = h.standin.addAttachment(ravdessOgg(3, 'happy', 0), { filename: 'q.ogg', contentType: 'audio/ogg' });
    h.standin.leaveVoice(alice, TEST_IDS.guild);
    try {
      const handle = ask({ voice });
      const text = await waitForText(handle, /It's \d/u);
      expect(text).toContain("> you said: What's the time?");
      expect(stt.requests[0]!.file).toMatchObject({ filename: 'question.ogg', contentType: 'audio/ogg' });
      expect(stt.requests[0]!.file!.data.subarray(0, 4).toString()).toBe('OggS');
    } finally {
      h.standin.joinVoice(alice, TEST_IDS.guild, TEST_IDS.voice);
      await h.standin.waitFor(
        () => h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(alice)?.channelId === TEST_IDS.voice,
      );
    }
  }, 60_000);

  test('admins can turn transcription off for the server; spoken questions are then refused with what to do', async () => {
    const off = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.bob,
      name: 'attune-settings',
      subcommand: 'transcription',
      options: { enabled: false },
    });
    expect(await waitForText(off, 'Spoken questions sent for transcription: **off**')).toBeTruthy();
    const refused = ask();
    expect(await waitForText(refused, 'turned spoken questions off')).toContain('/ask question:');
    expect(originalText(refused)).not.toContain('Listening');
    expect(stt.requests).toHaveLength(0);
    const on = h.standin.runSlashCommand({
      guildId: TEST_IDS.guild,
      channelId: TEST_IDS.text,
      userId: TEST_IDS.bob,
      name: 'attune-settings',
      subcommand: 'transcription',
      options: { enabled: true },
    });
    expect(await waitForText(on, 'Spoken questions sent for transcription: **on**')).toBeTruthy();
  });
});
