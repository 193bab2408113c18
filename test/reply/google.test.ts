import {
  EspeakEngine,
  FallbackSpeechEngine,
  GOOGLE_MAX_CHARS,
  GoogleTtsEngine,
  collectChunks,
  silentLogger,
  type Logger,
} from '../../src/reply';
import { discordPcmChunks } from '../../src/bot/voice/discordPcm';
import { GoogleTtsStandin, encodeMp3, toneSamples } from '../standins/googleTtsStandin';
import { medianF0 } from './signals';

/** Google's voice is 24 kHz mono MP3; a 150 Hz tone of 1 s stands in for one spoken sentence. */
const RATE = 24000;
const standin = new GoogleTtsStandin(encodeMp3(toneSamples(150, 1, RATE), RATE));

describe('GoogleTtsEngine against a local stand-in', () => {
  beforeAll(() => standin.start());
  afterAll(() => standin.stop());
  beforeEach(() => {
    standin.behaviour = { kind: 'mp3' };
    standin.texts.length = 0;
  });

  const engine = () => new GoogleTtsEngine({ host: standin.host, timeoutMs: 500 });

  it('fetches one MP3 per sentence and decodes it in-process', async () => {
    const pcm = await collectChunks(
      engine().synthesize('Hello there. How are you?', { emotion: 'neutral', intensity: 1 }),
    );
    expect(standin.texts).toEqual(['Hello there.', 'How are you?']);
    expect(pcm.sampleRate).toBe(RATE);
    // Two 1 s tones (the decoder may add or trim a frame of padding).
    expect(pcm.samples.length / RATE).toBeGreaterThan(1.95);
    expect(pcm.samples.length / RATE).toBeLessThan(2.2);
    expect(medianF0(pcm.samples, RATE)).toBeCloseTo(150, -1);
  });

  it('keeps each request within the 200-character limit', async () => {
    const long = `${'word '.repeat(90)}end.`;
    await collectChunks(engine().synthesize(long, { emotion: null, intensity: 0 }));
    expect(standin.texts.length).toBeGreaterThan(1);
    expect(standin.texts.every((t) => t.length <= GOOGLE_MAX_CHARS)).toBe(true);
  });

  it('tints the voice: happy plays higher and shorter, sad lower and longer, measured after 48 kHz conversion', async () => {
    const measure = async (emotion: string) => {
      const parts: Buffer[] = [];
      for await (const b of discordPcmChunks(engine().synthesize('One sentence.', { emotion, intensity: 1 })))
        parts.push(b);
      const stereo = Buffer.concat(parts);
      const mono = new Int16Array(stereo.length / 4);
      for (let i = 0; i < mono.length; i++) mono[i] = stereo.readInt16LE(i * 4);
      // Every third sample (16 kHz) is plenty for a 150 Hz tone and keeps the estimator quick.
      const decimated = Int16Array.from({ length: Math.floor(mono.length / 3) }, (_, i) => mono[i * 3]!);
      return {
        f0: medianF0(decimated, 16000),
        seconds: mono.length / 48000,
        peak: Math.max(...mono.subarray(0, 48000).map(Math.abs)),
      };
    };
    const happy = await measure('happy');
    const neutral = await measure('neutral');
    const sad = await measure('sad');
    expect(neutral.f0).toBeCloseTo(150, -1);
    expect(happy.f0).toBeGreaterThan(neutral.f0 * 1.05);
    expect(sad.f0).toBeLessThan(neutral.f0 * 0.95);
    expect(sad.seconds).toBeGreaterThan(happy.seconds * 1.15);
    expect(happy.peak).toBeGreaterThan(sad.peak * 1.5);
  });

  it.each([
    ['HTTP 503', { kind: 'status', status: 503 } as const, /HTTP 503/u],
    ['a timeout', { kind: 'hang' } as const, /did not answer within 500 ms/u],
    ['a body that is not MP3', { kind: 'garbage' } as const, /could not be decoded/u],
  ])('fails clearly on %s', async (_name, behaviour, message) => {
    standin.behaviour = behaviour;
    await expect(collectChunks(engine().synthesize('Hello.', { emotion: null, intensity: 0 }))).rejects.toThrow(
      message,
    );
  });

  it('falls back to the offline engine when Google fails, and logs it without the text', async () => {
    standin.behaviour = { kind: 'status', status: 500 };
    const lines: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m, c) => void lines.push(`${m} ${JSON.stringify(c)}`) };
    const offline = new EspeakEngine();
    const speech = new FallbackSpeechEngine(engine(), offline, logger);
    const pcm = await collectChunks(speech.synthesize('A private sentence.', { emotion: 'sad', intensity: 1 }));
    expect(pcm.sampleRate).toBe(22050); // eSpeak's rate: the offline engine spoke
    expect(pcm.samples.length).toBeGreaterThan(22050);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/fallback/u);
    expect(lines[0]).not.toContain('private');
    await speech.close();
  });
});
