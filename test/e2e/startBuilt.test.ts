/**
 * The production path: `npm run build`, then the compiled bot (what `npm start` runs) against the
 * stand-in, on Node alone. A preload makes any attempt to load tsx, a .ts file or a devDependency
 * fail, in the main thread and in every worker thread (they inherit it), so the engine, speech and
 * voice-message threads are proven to start from dist/ with the production dependencies. Builds only when dist/ is missing or older than its
 * sources (scripts/check-build.cjs, the check `npm start` runs first).
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_IDS, startTestStandin } from '../standin/fixtures';
import type { Standin } from '../standin';
import { demoFace } from './helpers/media';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist', 'src', 'bot', 'main.js');
const PRODUCTION_ONLY = path.join(__dirname, 'helpers', 'productionOnly.cjs');
const run = promisify(execFile);

describe('end to end: the compiled bot (npm run build, npm start)', () => {
  let standin: Standin;
  let dataDir: string;
  beforeAll(async () => {
    const fresh = await run(process.execPath, ['scripts/check-build.cjs'], { cwd: ROOT }).then(
      () => true,
      () => false,
    );
    if (!fresh) await run(process.execPath, ['scripts/build.cjs'], { cwd: ROOT, timeout: 240_000 });
    await run(process.execPath, ['scripts/check-build.cjs'], { cwd: ROOT });
    standin = await startTestStandin();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-built-'));
  }, 300_000);
  afterAll(async () => {
    await standin?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('dist/ holds the bot, its workers and the pinned-file manifest, and no TypeScript', () => {
    for (const file of [
      'src/bot/main.js',
      'src/ml/worker/engineWorker.js',
      'src/bot/voice/voiceMessage/encodeWorker.js',
      'src/reply/speech/espeakWorker.mjs',
      'models/manifest.json',
      'models/generic-face.json',
    ])
      expect(fs.existsSync(path.join(ROOT, 'dist', file))).toBe(true);
    const files = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? files(p) : [p];
      });
    expect(files(path.join(ROOT, 'dist')).filter((f) => /\.(ts|cjs)$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  test('starts without tsx or devDependencies, reads a face and answers with a voice message, stops cleanly on SIGTERM', async () => {
    const bot = spawn(process.execPath, ['--require', PRODUCTION_ONLY, MAIN], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...standin.env(),
        ATTUNE_DATA_DIR: dataDir,
        ATTUNE_EXTRA_ATTACHMENT_HOSTS: new URL(standin.cdnUrl).host,
        MALLOC_ARENA_MAX: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    bot.stdout.on('data', (d) => (output += String(d)));
    bot.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
    try {
      await standin.waitFor(() => output.includes('"event":"bot.started"'), 60_000, 'the compiled bot to start');
      const photo = standin.addAttachment(demoFace(1), { filename: 'me.jpg', contentType: 'image/jpeg' });
      const ask = standin.runSlashCommand({
        guildId: TEST_IDS.guild,
        channelId: TEST_IDS.text,
        userId: TEST_IDS.alice,
        name: 'ask',
        options: { question: 'What time is it?', photo },
      });
      // The face reading comes from the engine thread; the voice message from the eSpeak and
      // encoder threads.
      await ask.waitForOriginal((j) => /\*\*Face:\*\* \w+/.test(String(j['content'])), 30_000);
      const voiceMessage = await ask.waitForFollowUp(1, 30_000);
      expect(voiceMessage.files[0]?.data.subarray(0, 4).toString()).toBe('OggS');
    } finally {
      bot.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).not.toContain('productionOnly');
    expect(output).not.toContain(standin.token);
  }, 120_000);
});
