import {
  BuiltinAnswerer,
  EspeakEngine,
  FallbackSpeechEngine,
  GoogleTtsEngine,
  OpenAiAnswerer,
  createReplyServices,
  parseReplyConfig,
  replyConfigFromEnv,
} from '../../src/reply';

describe('reply configuration', () => {
  it('defaults to the offline pair: built-in answerer and eSpeak', () => {
    const parsed = parseReplyConfig({});
    expect(parsed).toEqual({
      ok: true,
      value: { answerer: { kind: 'builtin' }, tts: { kind: 'offline', voice: 'en-us' }, transcriber: { kind: 'none' } },
    });
    const services = createReplyServices();
    if (!services.ok) throw new Error(services.message);
    expect(services.value.answerer).toBeInstanceOf(BuiltinAnswerer);
    expect(services.value.speech).toBeInstanceOf(EspeakEngine);
  });

  it('builds the OpenAI answerer and Google speech (with offline fallback) when configured', async () => {
    const services = createReplyServices({
      answerer: { kind: 'openai', baseUrl: 'http://127.0.0.1:11434/v1', model: 'llama3' },
      tts: { kind: 'google' },
    });
    if (!services.ok) throw new Error(services.message);
    expect(services.value.answerer).toBeInstanceOf(OpenAiAnswerer);
    expect(services.value.speech).toBeInstanceOf(FallbackSpeechEngine);
    expect(services.value.config.answerer).toEqual({
      kind: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
      model: 'llama3',
      timeoutMs: 15000,
    });
    const plain = createReplyServices({ tts: { kind: 'google', fallbackToOffline: false } });
    expect(plain.ok && plain.value.speech).toBeInstanceOf(GoogleTtsEngine);
    await services.value.close();
  });

  it.each([
    [{ answerer: { kind: 'gpt' } }, 'answerer.kind'],
    [{ answerer: { kind: 'openai', model: 'x' } }, 'answerer.baseUrl'],
    [{ answerer: { kind: 'openai', baseUrl: 'ftp://host', model: 'x' } }, 'answerer.baseUrl: must be an http(s) URL'],
    [{ answerer: { kind: 'openai', baseUrl: 'http://h/v1', model: '' } }, 'answerer.model: is required (a model name)'],
    [{ answerer: { kind: 'openai', baseUrl: 'http://h/v1', model: 'm', timeoutMs: -5 } }, 'answerer.timeoutMs'],
    [{ tts: { kind: 'offline', voice: '../../etc' } }, 'tts.voice'],
    [{ tts: { kind: 'loud' } }, 'tts.kind'],
    ['not an object', '(config)'],
  ])('rejects %j naming the bad field', (config, field) => {
    const parsed = createReplyServices(config);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.code).toBe('invalid');
      expect(parsed.message).toContain(field);
    }
  });

  it('reads the environment', () => {
    expect(replyConfigFromEnv({})).toEqual(parseReplyConfig({}));
    const env = replyConfigFromEnv({
      ATTUNE_ANSWERER: 'openai',
      OPENAI_BASE_URL: 'https://api.example.test/v1',
      OPENAI_MODEL: 'gpt-x',
      OPENAI_API_KEY: 'sk-1',
      OPENAI_TIMEOUT_MS: '5000',
      ATTUNE_TTS: 'google',
      GOOGLE_TTS_LANG: 'en',
    });
    expect(env).toEqual({
      ok: true,
      value: {
        answerer: {
          kind: 'openai',
          baseUrl: 'https://api.example.test/v1',
          model: 'gpt-x',
          apiKey: 'sk-1',
          timeoutMs: 5000,
        },
        tts: { kind: 'google', lang: 'en', timeoutMs: 10000, fallbackToOffline: true },
        transcriber: { kind: 'none' },
      },
    });
    const bad = replyConfigFromEnv({ ATTUNE_ANSWERER: 'openai', OPENAI_MODEL: 'm', OPENAI_TIMEOUT_MS: 'soon' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.message).toContain('OPENAI_BASE_URL is required (an http(s) URL)');
      expect(bad.message).toContain('OPENAI_TIMEOUT_MS must be a whole number of milliseconds from 100 to 120000');
      expect(bad.message).not.toContain('answerer.');
    }
  });
});
