import fs from 'node:fs';
import path from 'node:path';
import { DB_FILE_NAME, LATEST_SCHEMA_VERSION, MIGRATIONS, SqliteStore, isStoreError, openStore, type Migration } from '../../src/storage';
import { fixedClock, tempDir, voiceSample } from './helpers/fixtures';
import { openRaw } from './helpers/dump';

describe('schema migrations', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const file = (): string => path.join(dir, DB_FILE_NAME);
  const addNickname: Migration = { version: MIGRATIONS.length + 1, description: 'nickname', sql: 'ALTER TABLE people ADD COLUMN nickname TEXT' };

  it('creates the data folder and a WAL database with every migration recorded', () => {
    const dataDir = path.join(dir, 'nested', 'data');
    openStore({ dataDir, now: fixedClock }).close();
    expect(fs.existsSync(path.join(dataDir, DB_FILE_NAME))).toBe(true);
    const raw = openRaw(path.join(dataDir, DB_FILE_NAME));
    expect(raw.prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version').all().map((r) => ({ ...r }))).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, applied_at: '2025-01-02T03:04:05.000Z' })),
    );
    expect(raw.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    const tables = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all().map((r) => r.name);
    expect(tables).toEqual(['consents', 'guild_settings', 'models', 'people', 'samples', 'schema_migrations']);
    raw.close();
  });

  it('reopening a current database applies nothing and keeps the data', () => {
    const store = openStore({ dataDir: dir });
    store.grantConsent('p1', { textVersion: 'v1', scope: ['voice'] });
    store.addSample(voiceSample('p1', 'happy'));
    store.close();
    const again = openStore({ dataDir: dir });
    expect(again.countSamples('p1')).toEqual({ happy: { face: 0, voice: 1 } });
    again.close();
    const raw = openRaw(file());
    expect(raw.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()?.n).toBe(LATEST_SCHEMA_VERSION);
    raw.close();
  });

  it('upgrades an older database in place, keeping its rows', () => {
    const old = new SqliteStore({ path: file(), migrations: [MIGRATIONS[0]] });
    old.grantConsent('p1', { textVersion: 'v1', scope: ['voice'] });
    old.addSample(voiceSample('p1', 'sad', 3));
    old.close();

    const upgraded = new SqliteStore({ path: file(), migrations: [...MIGRATIONS, addNickname] });
    expect(upgraded.listSamples('p1').map((s) => s.emotion)).toEqual(['sad']);
    upgraded.close();
    const raw = openRaw(file());
    expect(raw.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()?.v).toBe(MIGRATIONS.length + 1);
    expect(raw.prepare("SELECT COUNT(*) AS n FROM pragma_table_info('people') WHERE name = 'nickname'").get()?.n).toBe(1);
    raw.close();
  });

  it('refuses a database written by a newer version, with a clear error, and leaves it untouched', () => {
    openStore({ dataDir: dir }).close();
    const raw = openRaw(file());
    raw.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(LATEST_SCHEMA_VERSION + 1, 'later');
    raw.close();
    const before = fs.readFileSync(file());

    let error: unknown;
    try {
      openStore({ dataDir: dir });
    } catch (e) {
      error = e;
    }
    expect(isStoreError(error, 'schema_too_new')).toBe(true);
    expect((error as Error).message).toContain(`schema version ${LATEST_SCHEMA_VERSION + 1}`);
    expect((error as Error).message).toContain(`only knows up to ${LATEST_SCHEMA_VERSION}`);
    expect(fs.readFileSync(file()).equals(before)).toBe(true);
  });

  it('version 2 keeps existing server settings and turns transcription on for them', () => {
    new SqliteStore({ path: file(), migrations: [MIGRATIONS[0]] }).close();
    const raw = openRaw(file());
    raw.prepare('INSERT INTO guild_settings (guild_id, voice_enabled, allowed_channel_ids, updated_at) VALUES (?, ?, ?, ?)').run('g1', 0, '["c1"]', 'then');
    raw.close();
    const upgraded = new SqliteStore({ path: file(), migrations: MIGRATIONS.slice(0, 2) });
    expect(upgraded.getGuildSettings('g1')).toEqual({ voiceEnabled: false, allowedChannelIds: ['c1'], transcriptionEnabled: true });
    upgraded.close();
  });

  it('rolls back a failing migration completely and stays at the previous version', () => {
    new SqliteStore({ path: file(), migrations: [MIGRATIONS[0]] }).close();
    const broken: Migration = { version: 2, description: 'broken', sql: 'CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);' };
    expect(() => new SqliteStore({ path: file(), migrations: [MIGRATIONS[0], broken] })).toThrow(/Schema migration 2 \(broken\) failed/);
    const raw = openRaw(file());
    expect(raw.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()?.v).toBe(1);
    expect(raw.prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE name = 'half_done'").get()?.n).toBe(0);
    raw.close();
  });

  it('rejects a malformed migration list (gaps in the version numbers)', () => {
    expect(() => new SqliteStore({ path: ':memory:', migrations: [MIGRATIONS[0], { ...addNickname, version: 3 }] })).toThrow(
      /entry 1 has version 3, expected 2/,
    );
  });
});
