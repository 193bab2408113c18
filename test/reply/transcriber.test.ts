import {
  OpenAiTranscriber,
  cleanTranscript,
  pcmToWav,
  replyConfigFromEnv,
  createReplyServices,
  MAX_RESPONSE_BYTES,
  silentLogger,
  type Logger,
  type SpokenAudio,
} from '../../src/reply';
import { decodeAudio } from '../../src/ml/audio';
import { TranscriptionStandin } from '../standins/transcriptionStandin';

const SECRET_KEY = 'sk-test-transcribe-key-0123456789';
const SAID = 'How do you spell tree?';

/** `seconds` of a 220 Hz tone at 16 kHz, as the voice channel hands over (float, mono). */
function tone(seconds: number): SpokenAudio {
  const samples = new Float32Array(Math.round(seconds * 16000));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.5 * Math.sin((2 * Math.PI * 220 * i) / 16000);
  return { kind: 'pcm', pcm: { samples, sampleRate: 16000 } };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string, context?: Record<string, unknown>): void =>
    void lines.push(`${message} ${JSON.stringify(context ?? {})}`);
  return { ...silentLogger, lines, info: record, warn: record };
}

describe('pcmToWav', () => {
  it('writes 16 kHz mono 16-bit WAV: a 15 s question is 480,044 bytes and decodes back to the same audio', () => {
    const audio = tone(15) as Extract<SpokenAudio, { kind: 'pcm' }>;
    const wav = pcmToWav(audio.pcm);
    expect(wav.byteLength).toBe(480_044);
    const view = Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
    expect(view.toString('ascii', 0, 4)).toBe('RIFF');
    expect(view.readUInt16LE(22)).toBe(1); // mono
    expect(view.readUInt32LE(24)).toBe(16000);
    expect(view.readUInt16LE(34)).toBe(16);
    const back = decodeAudio(wav);
    expect(back.ok).toBe(true);
    if (back.ok) {
      expect(back.value.samples.length).toBe(audio.pcm.samples.length);
      expect(Math.abs(back.value.samples[4]! - audio.pcm.samples[4]!)).toBeLessThan(1e-4);
    }
  });

  it('clamps samples outside [-1, 1]', () => {
    const wav = Buffer.from(pcmToWav({ samples: Float32Array.from([2, -2, 0]), sampleRate: 16000 }));
    expect([wav.readInt16LE(44), wav.readInt16LE(46), wav.readInt16LE(48)]).toEqual([32767, -32768, 0]);
  });
});

describe('cleanTranscript', () => {
  it.each([
    ['  How do you spell tree?\n', { ok: true, text: 'How do you spell tree?' }],
    ['[BLANK_AUDIO]', { ok: false, reason: 'unintelligible' }],
    [' (inaudible) ♪ ', { ok: false, reason: 'unintelligible' }],
    ['Thanks for watching!', { ok: false, reason: 'unintelligible' }],
    ['  ', { ok: false, reason: 'empty' }],
    ['', { ok: false, reason: 'empty' }],
    ["[music] what's the time *coughs*", { ok: true, text: "what's the time" }],
  ])('%j', (raw, expected) => {
    expect(cleanTranscript(raw)).toEqual(expected);
  });

  it('cuts a very long transcript to what a typed question may hold', () => {
    const r = cleanTranscript('word '.repeat(500));
    expect(r.ok && r.text.length).toBe(1000);
  });
});

describe('OpenAiTranscriber against a local stand-in', () => {
  const standin = new TranscriptionStandin();
  beforeAll(() => standin.start());
  afterAll(() => standin.stop());
  beforeEach(() => {
    standin.requests.length = 0;
    standin.requireKey = null;
    standin.behaviour = { kind: 'text', text: SAID };
  });

  const make = (opts: { timeoutMs?: number; language?: string; apiKey?: string } = {}, logger?: Logger) =>
    new OpenAiTranscriber({
      baseUrl: `${standin.baseUrl}/`,
      model: 'whisper-test',
      timeoutMs: opts.timeoutMs ?? 2000,
      ...(opts.language ? { language: opts.language } : {}),
      ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
      ...(logger ? { logger } : {}),
    });

  it('sends one multipart request (WAV file, model, language, json format, key) and returns the words', async () => {
    standin.requireKey = SECRET_KEY;
    const result = await make({ language: 'en', apiKey: SECRET_KEY }).transcribe(tone(2));
    expect(result).toMatchObject({ ok: true, text: SAID, uploadBytes: 64_044 });
    expect(standin.requests).toHaveLength(1);
    const req = standin.requests[0]!;
    expect(req.path).toBe('/v1/audio/transcriptions');
    expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/u);
    expect(req.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(req.fields).toEqual({ model: 'whisper-test', language: 'en', response_format: 'json' });
    expect(req.file).toMatchObject({ filename: 'question.wav', contentType: 'audio/wav' });
    expect(req.file!.data.length).toBe(64_044);
    expect(req.file!.data.subarray(0, 4).toString()).toBe('RIFF');
    expect(req.bodyBytes).toBeLessThan(64_044 + 1000);
  });

  it('a 15 s question uploads at most 500 KB', async () => {
    const result = await make().transcribe(tone(15));
    expect(result.ok).toBe(true);
    expect(standin.requests[0]!.bodyBytes).toBeLessThanOrEqual(500 * 1024);
    expect(standin.requests[0]!.bodyBytes).toBeLessThanOrEqual(500_000);
  });

  it('sends no language or key when none is configured, and an attached file as it came', async () => {
    const ogg = Buffer.from('OggS fake voice message bytes');
    const result = await make().transcribe({
      kind: 'file',
      bytes: ogg,
      filename: 'voice-message.ogg',
      contentType: 'audio/ogg',
    });
    expect(result).toMatchObject({ ok: true, text: SAID, uploadBytes: ogg.length });
    const req = standin.requests[0]!;
    expect(req.headers.authorization).toBeUndefined();
    expect(req.fields).toEqual({ model: 'whisper-test', response_format: 'json' });
    expect(req.file).toMatchObject({ filename: 'voice-message.ogg', contentType: 'audio/ogg' });
    expect(req.file!.data.equals(ogg)).toBe(true);
  });

  it.each([
    ['an HTTP error', { kind: 'status', status: 500 }, 'unavailable', /HTTP 500/u],
    ['a refused key', { kind: 'status', status: 401 }, 'unavailable', /HTTP 401/u],
    ['broken JSON', { kind: 'malformed' }, 'bad_response', /not valid JSON/u],
    ['JSON without "text"', { kind: 'wrong_shape' }, 'bad_response', /no "text"/u],
    ['an empty transcript', { kind: 'text', text: '' }, 'empty', /empty/u],
    ['only noise notes', { kind: 'text', text: '[BLANK_AUDIO]' }, 'unintelligible', /no words/u],
  ] as const)(
    '%s is a failure result with a reason, logged without the key',
    async (_name, behaviour, reason, message) => {
      standin.behaviour = behaviour;
      const logger = recordingLogger();
      const result = await make({ apiKey: SECRET_KEY }, logger).transcribe(tone(1));
      expect(result).toMatchObject({ ok: false, reason });
      if (!result.ok) expect(result.message).toMatch(message);
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines.join()).not.toContain(SECRET_KEY);
    },
  );

  it('gives up at the timeout when the service never answers', async () => {
    standin.behaviour = { kind: 'hang' };
    const started = Date.now();
    const result = await make({ timeoutMs: 300 }).transcribe(tone(1));
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('gives up at the timeout when the reply trickles in', async () => {
    standin.behaviour = { kind: 'trickle', text: SAID, bytesPerTick: 2, tickMs: 100 };
    const started = Date.now();
    const result = await make({ timeoutMs: 400 }).transcribe(tone(1));
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('accepts a slow reply that ends within the timeout', async () => {
    standin.behaviour = { kind: 'trickle', text: SAID, bytesPerTick: 8, tickMs: 20 };
    expect(await make({ timeoutMs: 3000 }).transcribe(tone(1))).toMatchObject({ ok: true, text: SAID });
  });

  it('stops reading a huge reply at its limit', async () => {
    standin.behaviour = { kind: 'huge', bytes: 20 * 1024 * 1024 };
    const result = await make({ timeoutMs: 5000 }).transcribe(tone(1));
    expect(result).toMatchObject({ ok: false, reason: 'bad_response' });
    if (!result.ok) expect(result.message).toContain(String(MAX_RESPONSE_BYTES));
  });

  it('fails fast when nothing listens at the address', async () => {
    const result = await new OpenAiTranscriber({
      baseUrl: 'http://127.0.0.1:9/v1',
      model: 'm',
      timeoutMs: 2000,
    }).transcribe(tone(1));
    expect(result).toMatchObject({ ok: false, reason: 'unavailable' });
  });

  it('can be cancelled by the caller', async () => {
    standin.behaviour = { kind: 'hang' };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await make({ timeoutMs: 5000 }).transcribe(tone(1), controller.signal);
    expect(result).toMatchObject({ ok: false, reason: 'unavailable', message: 'cancelled' });
  });
});

describe('transcriber configuration', () => {
  it('is off by default', () => {
    const config = replyConfigFromEnv({});
    expect(config.ok && config.value.transcriber).toEqual({ kind: 'none' });
    const services = createReplyServices();
    expect(services.ok && services.value.transcriber).toBeNull();
  });

  it('reads the openai settings from the environment, with defaults', () => {
    const config = replyConfigFromEnv({
      ATTUNE_TRANSCRIBER: 'openai',
      TRANSCRIBE_BASE_URL: 'http://10.0.0.5:8080/v1',
      TRANSCRIBE_LANGUAGE: 'en',
    });
    expect(config.ok && config.value.transcriber).toEqual({
      kind: 'openai',
      baseUrl: 'http://10.0.0.5:8080/v1',
      model: 'whisper-1',
      language: 'en',
      timeoutMs: 10_000,
    });
    const services = createReplyServices(config.ok ? config.value : {});
    expect(services.ok && services.value.transcriber?.host).toBe('10.0.0.5:8080');
  });

  it.each([
    [{ ATTUNE_TRANSCRIBER: 'openai' }, /TRANSCRIBE_BASE_URL is required \(an http\(s\) URL\)/u],
    [{ ATTUNE_TRANSCRIBER: 'openai', TRANSCRIBE_BASE_URL: 'ftp://x' }, /TRANSCRIBE_BASE_URL must be an http\(s\) URL/u],
    [
      { ATTUNE_TRANSCRIBER: 'openai', TRANSCRIBE_BASE_URL: 'http://x/v1', TRANSCRIBE_LANGUAGE: 'English' },
      /TRANSCRIBE_LANGUAGE must be an ISO-639-1 code/u,
    ],
    [
      { ATTUNE_TRANSCRIBER: 'openai', TRANSCRIBE_BASE_URL: 'http://x/v1', TRANSCRIBE_TIMEOUT_MS: '5' },
      /TRANSCRIBE_TIMEOUT_MS must be a whole number of milliseconds from 100 to 120000/u,
    ],
    [{ ATTUNE_TRANSCRIBER: 'whisper' }, /ATTUNE_TRANSCRIBER must be none or openai/u],
  ])('refuses %j', (env, problem) => {
    const config = replyConfigFromEnv(env);
    expect(config.ok).toBe(false);
    if (!config.ok) expect(config.message).toMatch(problem);
  });
});
