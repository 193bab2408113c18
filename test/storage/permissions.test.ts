import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DB_FILE_NAME, MASTER_KEY_FILE_NAME, openStore } from '../../src/storage/openStore';
import type { AttuneStore } from '../../src/storage';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('data folder and database files are owner-only', () => {
  let root: string;
  let oldUmask: number;
  let store: AttuneStore | null = null;

  beforeEach(() => {
    // The usual umask (group and others may read): what made the files 0644 before.
    oldUmask = process.umask(0o022);
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-perm-'));
  });
  afterEach(async () => {
    await store?.close();
    store = null;
    process.umask(oldUmask);
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Open, write once (so the WAL holds something), and list the modes while the store is open. */
  async function openAndWrite(dataDir: string): Promise<Record<string, number>> {
    store = await openStore({ dataDir });
    await store.grantConsent('42', { textVersion: 'v1', scope: ['face', 'voice'] });
    const modes: Record<string, number> = { dir: mode(dataDir) };
    for (const name of fs.readdirSync(dataDir)) modes[name] = mode(path.join(dataDir, name));
    return modes;
  }

  it('a new folder is 0700 and the database, -wal and -shm files are 0600', async () => {
    const modes = await openAndWrite(path.join(root, 'nested', 'data'));
    expect(modes).toEqual({
      dir: 0o700,
      [DB_FILE_NAME]: 0o600,
      [`${DB_FILE_NAME}-wal`]: 0o600,
      [`${DB_FILE_NAME}-shm`]: 0o600,
      [MASTER_KEY_FILE_NAME]: 0o600,
    });
  });

  it('an existing 0755 folder with 0644 files left by an older version is tightened', async () => {
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir, { mode: 0o755 });
    // An older Attune made the database with SQLite's default mode.
    store = await openStore({ dataDir });
    await store.close();
    store = null;
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, DB_FILE_NAME), 0o644);
    expect(mode(dataDir)).toBe(0o755);

    const modes = await openAndWrite(dataDir);
    expect(modes.dir).toBe(0o700);
    for (const name of [DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`])
      expect([name, modes[name]]).toEqual([name, 0o600]);
    // The data written before is still there.
    expect(await store!.getConsent('42')).not.toBeNull();
  });
});
