import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEST_IDS, startTestStandin } from '../standin/fixtures';
import type { Standin } from '../standin';

const ROOT = path.resolve(__dirname, '../..');

describe('end to end: `npm start` and `deploy-commands` as separate processes against the stand-in', () => {
  let standin: Standin;
  let dataDir: string;
  beforeAll(async () => {
    standin = await startTestStandin();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-proc-'));
  });
  afterAll(async () => {
    await standin?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('deploys the commands to a guild, starts, answers /profile, stops cleanly on SIGTERM', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      ...standin.env(),
      ATTUNE_DATA_DIR: dataDir,
      ATTUNE_EXTRA_ATTACHMENT_HOSTS: new URL(standin.cdnUrl).host,
    };
    const deployed = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli/deploy-commands.ts', '--guild', TEST_IDS.guild],
      { cwd: ROOT, env },
    );
    expect(deployed.stdout).toContain(`Registered 5 commands in server ${TEST_IDS.guild}`);
    expect(
      standin
        .commands(TEST_IDS.guild)
        .map((c) => c['name'])
        .sort(),
    ).toEqual(['ask', 'attune-settings', 'calibrate', 'forget', 'profile']);

    const bot = spawn(process.execPath, ['--import', 'tsx', 'src/bot/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    bot.stdout.on('data', (d) => (stdout += String(d)));
    bot.stderr.on('data', (d) => (stdout += String(d)));
    const exited = new Promise<number | null>((resolve) => bot.once('exit', (code) => resolve(code)));
    try {
      await standin.waitFor(() => stdout.includes('"event":"bot.started"'), 60_000, 'the bot process to start');
      const profile = standin.runSlashCommand({
        guildId: TEST_IDS.guild,
        channelId: TEST_IDS.text,
        userId: TEST_IDS.alice,
        name: 'profile',
      });
      await profile.waitForOriginal((j) => String(j['content']).includes('I hold nothing about you'), 10_000);
    } finally {
      bot.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('event');
    expect(stdout).not.toContain(standin.token);
    expect(stdout).not.toContain(TEST_IDS.alice);
  }, 120_000);

  test('a missing setting stops the bot with exit code 1 and names it', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/bot/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DISCORD_TOKEN: standin.token },
    });
    await expect(run).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('DISCORD_APPLICATION_ID is required') as unknown,
    });
    await run.catch((e: { stderr: string }) => expect(e.stderr).not.toContain(standin.token));
  }, 60_000);
});
