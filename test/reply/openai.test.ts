import { BuiltinAnswerer, OpenAiAnswerer, silentLogger, type Logger } from '../../src/reply';
import { OpenAiStandin } from '../standins/openaiStandin';
import { FIXED_NOW, question, reading } from './helpers';

const SECRET_KEY = 'sk-test-secret-key-0123456789';
const QUESTION_TEXT = 'What is my secret diary entry about?';

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string, context?: Record<string, unknown>): void => {
    lines.push(`${message} ${JSON.stringify(context ?? {})}`);
  };
  return { ...silentLogger, lines, info: record, warn: record };
}

describe('OpenAiAnswerer against a local stand-in', () => {
  const standin = new OpenAiStandin();
  const builtin = new BuiltinAnswerer({ now: () => FIXED_NOW });
  beforeAll(() => standin.start());
  afterAll(() => standin.stop());
  beforeEach(() => {
    standin.requests.length = 0;
  });

  const make = (logger: Logger, timeoutMs = 2000) =>
    new OpenAiAnswerer({
      baseUrl: standin.baseUrl,
      model: 'test-model',
      apiKey: SECRET_KEY,
      timeoutMs,
      fallback: builtin,
      logger,
    });

  it('sends the question with the reading in the instructions and returns the model text', async () => {
    standin.behaviour = { kind: 'reply', content: '  It sounds like a quiet day — want to talk it through?  ' };
    const logger = recordingLogger();
    const answer = await make(logger).answer(question(QUESTION_TEXT, { reading: reading('sad', 0.82, 'both') }));
    expect(answer).toEqual({
      text: 'It sounds like a quiet day — want to talk it through?',
      emotion: 'sad',
      intensity: 0.82,
      intent: 'model',
      source: 'openai',
    });
    expect(standin.requests).toHaveLength(1);
    const req = standin.requests[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    const body = req.body as { model: string; messages: Array<{ role: string; content: string }> };
    expect(body.model).toBe('test-model');
    expect(body.messages[1]).toEqual({ role: 'user', content: QUESTION_TEXT });
    const system = body.messages[0]!.content;
    expect(body.messages[0]!.role).toBe('system');
    expect(system).toContain('face: sad (82%), voice: sad (82%)');
    expect(system).toContain('sad, confidence 82%');
    expect(system).toMatch(/never claim to know what they feel inside/u);
    expect(system).toContain('"Sam"');
    expect(system).toContain('Europe/London');
    expect(logger.lines).toHaveLength(0);
  });

  it('tells the model when the reading is unsure', async () => {
    standin.behaviour = { kind: 'reply', content: 'ok' };
    await make(recordingLogger()).answer(question('hi', { reading: reading('happy', 0.4) }));
    const system = (standin.requests[0]!.body as { messages: Array<{ content: string }> }).messages[0]!.content;
    expect(system).toMatch(/uncertain: do not state it as fact/u);
  });

  const failures: Array<[string, OpenAiStandin['behaviour'], RegExp]> = [
    ['HTTP 500', { kind: 'status', status: 500 }, /HTTP 500/u],
    ['HTTP 401', { kind: 'status', status: 401 }, /HTTP 401/u],
    ['a timeout', { kind: 'hang', ms: 5000 }, /no answer within 300 ms/u],
    ['malformed JSON', { kind: 'malformed' }, /not valid JSON/u],
    ['no choices', { kind: 'no_choices' }, /no choices/u],
  ];

  it.each(failures)(
    'falls back to the built-in answer on %s and logs it without question or key',
    async (_name, behaviour, reason) => {
      standin.behaviour = behaviour;
      const logger = recordingLogger();
      const started = Date.now();
      const answer = await make(logger, 300).answer(question('What time is it?', { reading: reading('neutral', 0.9) }));
      expect(Date.now() - started).toBeLessThan(3000);
      expect(answer.source).toBe('builtin');
      expect(answer.text).toBe("It's 15:20.");
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatch(reason);
      expect(logger.lines[0]).toMatch(/^reply\.answerer_fell_back .*"fallback":"builtin"/u);
      expect(logger.lines[0]).not.toContain('What time is it');
      expect(logger.lines[0]).not.toContain(SECRET_KEY);
    },
  );

  it('falls back when the server cannot be reached at all', async () => {
    const logger = recordingLogger();
    const answerer = new OpenAiAnswerer({
      baseUrl: 'http://127.0.0.1:1/v1',
      model: 'm',
      timeoutMs: 1000,
      fallback: builtin,
      logger,
    });
    const answer = await answerer.answer(question('Who am I?'));
    expect(answer).toMatchObject({ text: "You're Sam.", source: 'builtin' });
    expect(logger.lines).toHaveLength(1);
  });

  it('does not call the model for an empty question', async () => {
    const answer = await make(recordingLogger()).answer(question('   '));
    expect(answer.intent).toBe('empty');
    expect(standin.requests).toHaveLength(0);
  });
});
