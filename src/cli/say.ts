/**
 * `npm run --silent say -- --emotion EMOTION [--confidence C] [--engine offline|google] [--out FILE.wav] "QUESTION"`
 *
 * Answers QUESTION as Attune would for a person expressing EMOTION and prints ONE JSON document on
 * stdout: {"text", "emotion", "audio", "seconds"}. With --out the spoken answer is written as a WAV
 * file and "audio"/"seconds" are its path and duration; otherwise both are null. Logs go to stderr.
 * Bad arguments print a message on stderr and exit with code 2. Other tools rely on this contract.
 *
 * Extra options: --name NAME (display name), --tz ZONE (IANA time zone), --locale TAG,
 * --signal voice|face|both (which signal the reading came from; default voice).
 * The answerer comes from the environment (ATTUNE_ANSWERER=openai, OPENAI_BASE_URL, ...).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '../bot/util/log';
import { uncertaintyThreshold } from '../ml/model';
import { DEFAULT_EMOTIONS, type Prediction, type SignalReading } from '../ml/types';
import { createReplyServices, encodeWav, renderSpeech, replyConfigFromEnv } from '../reply';

const USAGE =
  'usage: npm run --silent say -- --emotion EMOTION [--confidence C] [--engine offline|google] [--out FILE.wav] "QUESTION"';

class UsageError extends Error {}

interface SayArgs {
  emotion: string;
  confidence: number;
  engine: 'offline' | 'google';
  out: string | null;
  question: string;
  name: string;
  timeZone: string;
  locale: string;
  signal: 'voice' | 'face' | 'both';
}

/** Parse and check the command line; throws UsageError with a specific message. */
export function parseSayArgs(argv: string[]): SayArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        emotion: { type: 'string' },
        confidence: { type: 'string' },
        engine: { type: 'string' },
        out: { type: 'string' },
        name: { type: 'string' },
        tz: { type: 'string' },
        locale: { type: 'string' },
        signal: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (!values.emotion) throw new UsageError('--emotion is required (e.g. happy, neutral, sad)');
  if (!/^[a-z][a-z_-]{0,31}$/iu.test(values.emotion))
    throw new UsageError(`--emotion must be a word such as happy, neutral or sad (got "${values.emotion}")`);
  const confidence = values.confidence === undefined ? 0.9 : Number(values.confidence);
  if (
    values.confidence !== undefined &&
    (values.confidence.trim() === '' || !Number.isFinite(confidence) || confidence < 0 || confidence > 1)
  ) {
    throw new UsageError(`--confidence must be a number from 0 to 1 (got "${values.confidence}")`);
  }
  const engine = values.engine ?? 'offline';
  if (engine !== 'offline' && engine !== 'google')
    throw new UsageError(`--engine must be offline or google (got "${engine}")`);
  const signal = values.signal ?? 'voice';
  if (signal !== 'voice' && signal !== 'face' && signal !== 'both')
    throw new UsageError(`--signal must be voice, face or both (got "${signal}")`);
  if (values.out !== undefined && !/\.wav$/iu.test(values.out))
    throw new UsageError(`--out must name a .wav file (got "${values.out}")`);
  if (positionals.length !== 1)
    throw new UsageError(
      positionals.length === 0 ? 'the QUESTION is missing' : 'give the QUESTION as one quoted argument',
    );
  const question = positionals[0]!;
  if (question.trim() === '') throw new UsageError('the QUESTION is empty');
  const timeZone = values.tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new UsageError(`--tz must be an IANA time zone such as Europe/London (got "${timeZone}")`);
  }
  return {
    emotion: values.emotion.toLowerCase(),
    confidence,
    engine,
    out: values.out ?? null,
    question,
    name: values.name ?? '',
    timeZone,
    locale: values.locale ?? 'en-GB',
    signal,
  };
}

/** A reading as the recognition core would give it, from the command line's emotion and confidence. */
export function readingFromArgs(emotion: string, confidence: number, signal: SayArgs['signal']): Prediction {
  const reading: SignalReading = {
    emotion,
    probabilities: { [emotion]: confidence },
    confidence,
    // The model's own rule for its default emotions: the reply reads `uncertain`, never the figure.
    uncertain: confidence < uncertaintyThreshold(DEFAULT_EMOTIONS.length),
  };
  const face = signal === 'face' || signal === 'both';
  const voice = signal === 'voice' || signal === 'both';
  return {
    ...(face ? { face: reading } : {}),
    ...(voice ? { voice: reading } : {}),
    fused: reading,
    generic: false,
    weights: face && voice ? { face: 0.5, voice: 0.5 } : face ? { face: 1 } : { voice: 1 },
  };
}

/** The bot's JSON lines, on stderr: stdout carries the one JSON document other tools read. */
const stderrLogger = createLogger({ write: (line) => process.stderr.write(`${line}\n`) });

async function main(): Promise<number> {
  let args: SayArgs;
  try {
    args = parseSayArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`say: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const env = replyConfigFromEnv(process.env);
  if (!env.ok) {
    process.stderr.write(`say: ${env.message}\n`);
    return 2;
  }
  // --engine picks the kind; settings for that kind (voice, host, timeout) still come from the environment.
  const tts = args.engine === env.value.tts.kind ? env.value.tts : { kind: args.engine };
  const services = createReplyServices({ answerer: env.value.answerer, tts }, { logger: stderrLogger });
  if (!services.ok) {
    process.stderr.write(`say: ${services.message}\n`);
    return 2;
  }
  const { answerer, speech } = services.value;
  try {
    const answer = await answerer.answer({
      text: args.question,
      reading: readingFromArgs(args.emotion, args.confidence, args.signal),
      displayName: args.name,
      timeZone: args.timeZone,
      locale: args.locale,
    });
    let seconds: number | null = null;
    if (args.out !== null) {
      const pcm = await renderSpeech(speech, answer.text, { emotion: answer.emotion, intensity: answer.intensity });
      if (!pcm.ok) {
        process.stderr.write(`say: ${pcm.message}\n`);
        return 1;
      }
      writeFileSync(args.out, encodeWav(pcm.value.samples, pcm.value.sampleRate));
      seconds = Math.round((pcm.value.samples.length / pcm.value.sampleRate) * 1000) / 1000;
      stderrLogger.info('say.wrote_speech', { engine: speech.name, seconds });
    }
    process.stdout.write(`${JSON.stringify({ text: answer.text, emotion: args.emotion, audio: args.out, seconds })}\n`);
    return 0;
  } finally {
    await services.value.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`say: failed: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
