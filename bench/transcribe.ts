/**
 * `npm run --silent bench:transcribe [-- --json]`: asking by speaking, measured against the local
 * Discord stand-in (DAVE voice) and the transcription stand-in answering after 300 ms, with the real
 * engine workers and offline speech. Prints numbers; asserts nothing. Needs ../shared/data (RAVDESS).
 *  1. Answer latency: the person's last audio packet (before their client's five silence frames) →
 *     the answer with "> you said: …" in @original, for spoken questions of 2–4 s.
 *  2. Upload size of a 15 s question (continuous speech up to the 15 s recording limit).
 */
import { consentTextVersion } from '../src/bot/calibration/consent';
import { TranscriptionStandin } from '../test/standins/transcriptionStandin';
import { originalText, startHarness, TEST_IDS } from '../test/e2e/helpers/harness';
import { asClientSends, ravdessClips } from '../test/e2e/helpers/media';

const JSON_OUTPUT = process.argv.includes('--json');
const SERVICE_MS = 300;
const SILENCE_FRAMES = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const stt = new TranscriptionStandin();
  await stt.start();
  stt.behaviour = { kind: 'text', text: 'How do you spell tree?', delayMs: SERVICE_MS };
  const h = await startHarness({ env: stt.env({ TRANSCRIBE_LANGUAGE: 'en' }) });
  const { standin } = h;
  const alice = TEST_IDS.alice;
  try {
    await h.store.grantConsent(alice, {
      textVersion: consentTextVersion(new URL(stt.baseUrl).host),
      scope: ['face', 'voice'],
    });
    standin.joinVoice(alice, TEST_IDS.guild, TEST_IDS.voice);
    await standin.waitFor(
      () => h.bot.client.guilds.cache.get(TEST_IDS.guild)!.voiceStates.cache.get(alice)?.channelId === TEST_IDS.voice,
    );

    const askOnce = async (clip: Buffer[]) => {
      const handle = standin.runSlashCommand({
        guildId: TEST_IDS.guild,
        channelId: TEST_IDS.text,
        userId: alice,
        name: 'ask',
        options: {},
      });
      await handle.waitFor((x) => originalText(x).includes('Listening…'), 20_000, 'listening');
      const spoken = await standin.speak(alice, clip);
      const lastVoicePacket = spoken.endedAt - SILENCE_FRAMES * 20;
      await handle.waitFor((x) => originalText(x).includes('you said'), 30_000, 'answer');
      const afterSpeech = Date.now() - lastVoicePacket;
      // Let the spoken reply finish so the next question is not queued behind it.
      await standin
        .waitForBotAudio(TEST_IDS.guild, { minPackets: 10, quietMs: 300, timeoutMs: 30_000 })
        .catch(() => undefined);
      return afterSpeech;
    };

    // Warm-up: the first analysis and the first connection to the service.
    await askOnce(asClientSends(ravdessClips(1, 'neutral', 1)[0]));
    const questions = ravdessClips(1, 'happy', 4)
      .concat(ravdessClips(1, 'sad', 3))
      .map((clip) => asClientSends(clip));
    const afterSpeech: number[] = [];
    const serviceMs: number[] = [];
    const questionSeconds: number[] = [];
    for (const clip of questions) {
      stt.requests.length = 0;
      afterSpeech.push(await askOnce(clip));
      questionSeconds.push(Number((clip.length * 0.02).toFixed(2)));
      const answered = [...h.logs].reverse().find((l) => l['event'] === 'ask.answered');
      serviceMs.push(Number(answered?.['transcriptionMs']));
    }

    // A 15 s question: continuous speech, clips back to back, up to the recording limit.
    stt.requests.length = 0;
    const long = [...ravdessClips(3, 'happy', 4), ...ravdessClips(4, 'sad', 4), ...ravdessClips(4, 'happy', 4)].flatMap(
      (c) => asClientSends(c, 0),
    );
    await askOnce(long);
    const upload = stt.requests[0]!;
    const longSeconds = (upload.file!.data.length - 44) / 32000;

    const result = {
      service_delay_ms: SERVICE_MS,
      answer_after_speech_median_ms: median(afterSpeech),
      answer_after_speech_ms: afterSpeech,
      transcription_round_trip_ms: serviceMs,
      question_seconds: questionSeconds,
      long_question_seconds: Number(longSeconds.toFixed(2)),
      long_question_upload_bytes: upload.bodyBytes,
      long_question_file_bytes: upload.file!.data.length,
      upload_format: upload.file!.contentType,
    };
    if (JSON_OUTPUT) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(
        [
          `Asking by speaking (transcription stand-in answering after ${SERVICE_MS} ms; Discord stand-in, DAVE voice)`,
          `answer after the spoken question ends: median ${result.answer_after_speech_median_ms} ms (${afterSpeech.join(' ')}; questions ${questionSeconds.join(' ')} s)   target <= 500 ms`,
          `transcription round trip:               ${serviceMs.join(' ')} ms`,
          `a ${result.long_question_seconds} s question uploads:          ${result.long_question_upload_bytes} bytes (${upload.file!.contentType}, file ${result.long_question_file_bytes})   target <= 500 KB`,
        ].join('\n') + '\n',
      );
    }
  } finally {
    await h.close();
    await stt.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
