/**
 * `npm run bench:reply [-- --json] [-- --runs N]`: speed of the reply core on this machine.
 * - built-in answer time (median over a mix of the ten prototype questions and paraphrases; target < 5 ms)
 * - offline speech for a 20-word reply: time to the first audio chunk (target < 300 ms median) and to
 *   the whole reply, both after a warm-up; the one-off cold start (worker + engine load) is reported apart.
 * - Ogg Opus voice-message encoding of that reply (the bot's Discord format, src/bot/voice/voiceMessage).
 */
import { parseArgs } from 'node:util';
import { toVoiceMessage } from '../src/bot/voice/voiceMessage';
import { BuiltinAnswerer, EspeakEngine, concatChunks, type Question } from '../src/reply';

/** Exactly 20 words, two sentences: what a typical spoken answer looks like. */
const TWENTY_WORDS =
  "It's twenty past three in the afternoon. No rush: take things at your own pace, and ask me anything else.";

const QUESTIONS = [
  'Can you help me?',
  'What is the weather today?',
  'Can you find me a route home?',
  'What time is it?',
  'Can you turn the light on?',
  'What song is this?',
  'Who am I?',
  'What is there to watch on Netflix?',
  'Are unicorns real?',
  'How do you spell tree?',
  'whats the wether like tomorrow',
  'any good films on tonight?',
  'what is the capital of France?',
  'how do u spel necessary',
  'hey, how are you doing?',
  'thanks a lot!',
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round = (v: number): number => Math.round(v * 100) / 100;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, runs: { type: 'string' } } });
  const runs = values.runs ? Math.max(3, Number.parseInt(values.runs, 10) || 15) : 15;
  const answerer = new BuiltinAnswerer();
  const reading = {
    fused: { emotion: 'sad', probabilities: { sad: 0.8 }, confidence: 0.8, uncertain: false },
    voice: { emotion: 'sad', probabilities: { sad: 0.8 }, confidence: 0.8, uncertain: false },
    generic: false,
    weights: { voice: 1 },
  };
  const ask = (text: string): Question => ({
    text,
    reading,
    displayName: 'Sam',
    timeZone: 'Europe/London',
    locale: 'en-GB',
  });
  for (const q of QUESTIONS) answerer.answerNow(ask(q)); // warm-up (JIT, Intl formatters)
  const answerTimes: number[] = [];
  for (let r = 0; r < 20; r++) {
    for (const q of QUESTIONS) {
      const t = performance.now();
      answerer.answerNow(ask(q));
      answerTimes.push(performance.now() - t);
    }
  }

  const engine = new EspeakEngine();
  const coldStart = performance.now();
  await engine.warmUp();
  const coldMs = performance.now() - coldStart;
  const firstChunk: number[] = [];
  const total: number[] = [];
  const encode: number[] = [];
  let audioSeconds = 0;
  const styles = ['happy', 'neutral', 'sad'];
  for (let r = 0; r < runs + 2; r++) {
    const t = performance.now();
    let first = -1;
    const chunks = [];
    for await (const chunk of engine.synthesize(TWENTY_WORDS, { emotion: styles[r % 3]!, intensity: 1 })) {
      if (first < 0) first = performance.now() - t;
      chunks.push(chunk);
    }
    const done = performance.now() - t;
    const pcm = concatChunks(chunks);
    const e = performance.now();
    await toVoiceMessage(pcm);
    if (r >= 2) {
      // the first two runs warm the JIT
      firstChunk.push(first);
      total.push(done);
      encode.push(performance.now() - e);
      audioSeconds = pcm.samples.length / pcm.sampleRate;
    }
  }
  await engine.close();

  const result = {
    builtinAnswerMedianMs: round(median(answerTimes)),
    builtinAnswerP95Ms: round([...answerTimes].sort((a, b) => a - b)[Math.floor(answerTimes.length * 0.95)]!),
    offlineColdStartMs: Math.round(coldMs),
    offlineFirstChunkMedianMs: round(median(firstChunk)),
    offlineTotalMedianMs: round(median(total)),
    voiceMessageEncodeMedianMs: round(median(encode)),
    replyWords: TWENTY_WORDS.split(/\s+/u).length,
    replyAudioSeconds: round(audioSeconds),
    runs,
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  process.stdout.write(
    [
      `built-in answer: median ${result.builtinAnswerMedianMs} ms, p95 ${result.builtinAnswerP95Ms} ms (target < 5 ms)`,
      `offline speech, ${result.replyWords}-word reply (${result.replyAudioSeconds} s of audio), ${runs} runs after warm-up:`,
      `  first audio chunk: median ${result.offlineFirstChunkMedianMs} ms (target < 300 ms)`,
      `  whole reply: median ${result.offlineTotalMedianMs} ms`,
      `  cold start (worker + engine load, once per process): ${result.offlineColdStartMs} ms`,
      `voice message (Ogg Opus) encoding: median ${result.voiceMessageEncodeMedianMs} ms`,
    ].join('\n') + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:reply failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
