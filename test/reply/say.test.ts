import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Run the CLI exactly as other tools do (tsx, the project's Node), returning stdout, stderr, status. */
function say(args: string[], env: Record<string, string> = {}) {
  const root = join(__dirname, '..', '..');
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'src', 'cli', 'say.ts'), ...args],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ATTUNE_ANSWERER: '', ATTUNE_TTS: '', ...env },
      timeout: 60_000,
    },
  );
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('say CLI (the issue-4 contract)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attune-say-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one JSON document with the answer and writes the WAV', () => {
    const out = join(dir, 'answer.wav');
    const r = say(['--emotion', 'sad', '--confidence', '0.4', '--out', out, 'How do you spell tree?']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const doc = JSON.parse(lines[0]!) as { text: string; emotion: string; audio: string; seconds: number };
    expect(Object.keys(doc)).toEqual(['text', 'emotion', 'audio', 'seconds']);
    expect(doc.text).toBe('You sound a bit down — am I right? The word tree is spelled T-R-E-E.');
    expect(doc.emotion).toBe('sad');
    expect(doc.audio).toBe(out);
    const wav = readFileSync(out);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    const rate = wav.readUInt32LE(24);
    expect(doc.seconds).toBeCloseTo(wav.readUInt32LE(40) / 2 / rate, 2);
    expect(doc.seconds).toBeGreaterThan(2);
  });

  it('gives null audio and seconds without --out', () => {
    const r = say(['--emotion', 'happy', 'Who am I?', '--name', 'Ada']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      text: "You're Ada, of course! Good to have you here.",
      emotion: 'happy',
      audio: null,
      seconds: null,
    });
  });

  it.each([
    [['What time is it?'], /--emotion is required/u],
    [['--emotion', 'happy'], /QUESTION is missing/u],
    [['--emotion', 'happy', '--confidence', '1.5', 'hi'], /--confidence must be a number from 0 to 1/u],
    [['--emotion', 'happy', '--confidence', 'abc', 'hi'], /--confidence must be a number/u],
    [['--emotion', 'happy', '--engine', 'festival', 'hi'], /--engine must be offline or google/u],
    [['--emotion', 'happy', '--out', 'answer.mp3', 'hi'], /--out must name a .wav file/u],
    [['--emotion', 'happy', '--bogus', 'hi'], /Unknown option '--bogus'/u],
    [['--emotion', 'happy', 'two', 'questions'], /one quoted argument/u],
    [['--emotion', '!!', 'hi'], /--emotion must be a word/u],
    [['--emotion', 'happy', '   '], /QUESTION is empty/u],
  ])('exits 2 with a clear message for %j', (args, message) => {
    const r = say(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/usage: npm run --silent say/u);
  });

  it('exits 2 on an invalid answerer configuration in the environment', () => {
    const r = say(['--emotion', 'happy', 'hi'], { ATTUNE_ANSWERER: 'openai' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/OPENAI_BASE_URL is required/u);
  });
});

describe('say CLI with --engine google', () => {
  it('speaks through the Google engine configured by the environment (a local stand-in here)', async () => {
    const { GoogleTtsStandin, encodeMp3, toneSamples } = await import('../standins/googleTtsStandin');
    const standin = new GoogleTtsStandin(encodeMp3(toneSamples(150, 1, 24000), 24000));
    await standin.start();
    const dir = mkdtempSync(join(tmpdir(), 'attune-say-g-'));
    try {
      const out = join(dir, 'g.wav');
      // spawnSync would block the stand-in's event loop, so run the CLI asynchronously.
      const { spawn } = await import('node:child_process');
      const root = join(__dirname, '..', '..');
      const child = spawn(
        process.execPath,
        [
          join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          join(root, 'src', 'cli', 'say.ts'),
          '--emotion',
          'neutral',
          '--engine',
          'google',
          '--out',
          out,
          'Who am I?',
        ],
        {
          cwd: root,
          env: { ...process.env, ATTUNE_ANSWERER: '', ATTUNE_TTS: 'google', GOOGLE_TTS_HOST: standin.host },
        },
      );
      let stdout = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(status).toBe(0);
      const doc = JSON.parse(stdout) as { seconds: number };
      expect(standin.texts).toEqual(["I don't know your name yet: this chat didn't tell me."]);
      expect(readFileSync(out).readUInt32LE(24)).toBe(24000);
      expect(doc.seconds).toBeGreaterThan(0.95);
    } finally {
      await standin.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
