import { spawn } from 'node:child_process';
import path from 'node:path';
import { openStore } from '../../src/storage';
import { SqliteStore } from '../../src/storage/SqliteStore';
import { tempDir } from './helpers/fixtures';

const WRITER = path.join(__dirname, 'helpers', 'crashWriter.ts');

/**
 * Runs the writer on the project's Node (jest already runs on it: process.execPath) with tsx, and
 * SIGKILLs it as soon as `shouldKill` accepts a stdout line. Spawning node directly, not through npx,
 * so the signal reaches the writer itself rather than an npx wrapper. Resolves with every line seen.
 */
function runAndKill(dataDir: string, mode: string, shouldKill: (line: string) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, mode], {
      cwd: path.resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let pending = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (!killed && shouldKill(line)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`writer exited without being killed (signal ${signal}); stderr: ${stderr.slice(-2000)}`));
    });
  });
}

describe('crash safety', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('a SIGKILL inside an open transaction loses only that transaction', async () => {
    const lines = await runAndKill(dir, 'mid-transaction', (line) => line === 'IN_TXN');
    expect(lines).toEqual(['COMMITTED 0', 'COMMITTED 1', 'COMMITTED 2', 'IN_TXN']);

    const store = (await openStore({ dataDir: dir })) as SqliteStore;
    expect(store.integrityCheck()).toBe('ok');
    expect(await store.countSamples('crash')).toEqual({
      batch0: { face: 25, voice: 25 },
      batch1: { face: 25, voice: 25 },
      batch2: { face: 25, voice: 25 },
    });
    expect((await store.getConsent('crash'))?.revokedAt).toBeNull();
    await store.close();
  });

  it('a SIGKILL in a tight commit loop keeps every reported commit', async () => {
    const lines = await runAndKill(dir, 'commit-loop', (line) => line === 'LOOP 300');
    const lastReported = Math.max(...lines.filter((l) => l.startsWith('LOOP ')).map((l) => Number(l.slice(5))));
    expect(lastReported).toBeGreaterThanOrEqual(300);

    const store = await openStore({ dataDir: dir });
    expect((store as SqliteStore).integrityCheck()).toBe('ok');
    const loopRows = (await store.countSamples('crash')).loop?.voice ?? 0;
    // Reported commits are durable; at most the one in flight after the last report can also be there.
    expect(loopRows).toBeGreaterThanOrEqual(lastReported + 1);
    expect(loopRows).toBeLessThanOrEqual(lastReported + 2);
    expect(await store.listSamples('crash', { emotion: 'batch2' })).toHaveLength(50);
    await store.close();
  });
});
