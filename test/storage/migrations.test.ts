import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import {
  DB_FILE_NAME,
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  isStoreError,
  openStore,
  type Migration,
} from '../../src/storage';
import { PostgresStore } from '../../src/storage/PostgresStore';
import { SqliteStore } from '../../src/storage/SqliteStore';
import { BACKENDS, freshPostgresUrl } from './helpers/backends';
import { faceFeatures, fixedClock, personModel, tempDir, voiceFeatures, voiceSample } from './helpers/fixtures';
import { openRaw } from './helpers/dump';

const KEY = randomBytes(32);
/** Schema version 1 alone: what an older Attune left. */
const VERSION_1_ONLY = MIGRATIONS.slice(0, 1);

describe('schema migrations (sqlite)', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const file = (): string => path.join(dir, DB_FILE_NAME);
  const addNickname: Migration = {
    version: LATEST_SCHEMA_VERSION + 1,
    description: 'nickname',
    sql: 'ALTER TABLE people ADD COLUMN nickname TEXT',
  };

  it('creates the data folder and a WAL database with every migration recorded', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    await (await openStore({ dataDir, now: fixedClock })).close();
    expect(fs.existsSync(path.join(dataDir, DB_FILE_NAME))).toBe(true);
    const raw = openRaw(path.join(dataDir, DB_FILE_NAME));
    expect(
      raw
        .prepare('SELECT version, applied_at FROM schema_migrations ORDER BY version')
        .all()
        .map((r) => ({ ...r })),
    ).toEqual(MIGRATIONS.map((m) => ({ version: m.version, applied_at: '2025-01-02T03:04:05.000Z' })));
    expect(raw.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    const tables = raw
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => r.name);
    expect(tables).toEqual([
      'consents',
      'guild_settings',
      'models',
      'people',
      'person_keys',
      'person_leases',
      'samples',
      'schema_migrations',
      'store_meta',
    ]);
    raw.close();
  });

  it('reopening a current database applies nothing and keeps the data', async () => {
    const store = await openStore({ dataDir: dir });
    await store.grantConsent('p1', { textVersion: 'v1', scope: ['voice'] });
    await store.addSample(voiceSample('p1', 'happy'));
    await store.close();
    const again = await openStore({ dataDir: dir });
    expect(await again.countSamples('p1')).toEqual({ happy: { face: 0, voice: 1 } });
    await again.close();
    const raw = openRaw(file());
    expect(raw.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()?.n).toBe(LATEST_SCHEMA_VERSION);
    raw.close();
  });

  it('upgrades a plaintext version-1 database in place: rows sealed under new data keys, ids pseudonymised', async () => {
    // What an older Attune left: schema 1, a person with plaintext features, raw media and a model.
    await (await SqliteStore.open({ path: file(), masterKey: KEY, migrations: VERSION_1_ONLY })).close();
    const raw = openRaw(file());
    const marker = 'PLAINTEXT-MARKER-9b1c';
    raw
      .prepare(
        "INSERT INTO people (person_id, created_at, settings) VALUES ('800000000000000123', 't0', '{\"speakReplies\":false}')",
      )
      .run();
    raw
      .prepare(
        "INSERT INTO consents (person_id, text_version, scope, granted_at) VALUES ('800000000000000123', 'v1', '[\"face\",\"voice\"]', 't0')",
      )
      .run();
    raw
      .prepare(
        'INSERT INTO samples (person_id, emotion, signal, features, metadata, raw_media, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        '800000000000000123',
        'happy',
        'face',
        JSON.stringify(faceFeatures(7)),
        JSON.stringify({ source: 'attachment', fileName: `${marker}.jpg` }),
        Buffer.from(`${marker}-media`),
        't1',
      );
    raw
      .prepare(
        'INSERT INTO samples (person_id, emotion, signal, features, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        '800000000000000123',
        'sad',
        'voice',
        JSON.stringify(voiceFeatures(3)),
        JSON.stringify({ source: 'voice_message' }),
        't2',
      );
    raw
      .prepare(
        "INSERT INTO models (person_id, version, revision, created_at, saved_at, model) VALUES ('800000000000000123', 1, 3, 'c', 's', ?)",
      )
      .run(JSON.stringify(personModel(marker)));
    raw.close();

    const store = await SqliteStore.open({ path: file(), masterKey: KEY, keepRawMedia: true });
    const samples = await store.listSamples('800000000000000123');
    expect(samples.map((s) => [s.emotion, s.signal, s.features, s.metadata, s.createdAt])).toEqual([
      ['happy', 'face', faceFeatures(7), { source: 'attachment', fileName: `${marker}.jpg` }, 't1'],
      ['sad', 'voice', voiceFeatures(3), { source: 'voice_message' }, 't2'],
    ]);
    expect(Buffer.from((await store.getRawMedia('800000000000000123', samples[0]?.id ?? -1)) ?? []).toString()).toBe(
      `${marker}-media`,
    );
    expect(await store.loadModel('800000000000000123')).toEqual(personModel(marker));
    expect(await store.describePerson('800000000000000123')).toMatchObject({
      settings: { speakReplies: false },
      model: { revision: 3 },
      consent: { textVersion: 'v1' },
    });
    await store.close();
    // Neither the id nor any plaintext is left in the file (secure_delete zeroed the old pages; the WAL was checkpointed).
    const bytes = fs.readFileSync(file()).toString('latin1');
    expect(bytes).not.toContain(marker);
    expect(bytes).not.toContain('800000000000000123');
    expect(bytes).not.toContain(String(faceFeatures(7).descriptor[5]));
  });

  it('refuses a database written by a newer version, with a clear error, and leaves it untouched', async () => {
    await (await openStore({ dataDir: dir })).close();
    const raw = openRaw(file());
    raw
      .prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)')
      .run(LATEST_SCHEMA_VERSION + 1, 'later');
    raw.close();
    const before = fs.readFileSync(file());

    let error: unknown;
    try {
      await openStore({ dataDir: dir });
    } catch (e) {
      error = e;
    }
    expect(isStoreError(error, 'schema_too_new')).toBe(true);
    expect((error as Error).message).toContain(`schema version ${LATEST_SCHEMA_VERSION + 1}`);
    expect((error as Error).message).toContain(`only knows up to ${LATEST_SCHEMA_VERSION}`);
    expect(fs.readFileSync(file()).equals(before)).toBe(true);
  });

  it('applies a later step to an existing database, keeping its rows', async () => {
    const store = await SqliteStore.open({ path: file(), masterKey: KEY });
    await store.grantConsent('p1', { textVersion: 'v1', scope: ['voice'] });
    await store.addSample(voiceSample('p1', 'sad', 3));
    await store.close();
    const upgraded = await SqliteStore.open({ path: file(), masterKey: KEY, migrations: [...MIGRATIONS, addNickname] });
    expect((await upgraded.listSamples('p1')).map((s) => s.emotion)).toEqual(['sad']);
    await upgraded.close();
    const raw = openRaw(file());
    expect(raw.prepare("SELECT COUNT(*) AS n FROM pragma_table_info('people') WHERE name = 'nickname'").get()?.n).toBe(
      1,
    );
    raw.close();
  });

  it('rolls back a failing migration completely and stays at the previous version', async () => {
    await (await SqliteStore.open({ path: file(), masterKey: KEY })).close();
    const broken: Migration = {
      version: LATEST_SCHEMA_VERSION + 1,
      description: 'broken',
      sql: 'CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);',
    };
    await expect(
      SqliteStore.open({ path: file(), masterKey: KEY, migrations: [...MIGRATIONS, broken] }),
    ).rejects.toThrow(new RegExp(`Schema migration ${LATEST_SCHEMA_VERSION + 1} \\(broken\\) failed`));
    const raw = openRaw(file());
    expect(raw.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()?.v).toBe(LATEST_SCHEMA_VERSION);
    expect(raw.prepare("SELECT COUNT(*) AS n FROM sqlite_schema WHERE name = 'half_done'").get()?.n).toBe(0);
    raw.close();
  });

  it('rejects a malformed migration list (gaps in the version numbers)', async () => {
    await expect(
      SqliteStore.open({
        path: ':memory:',
        masterKey: KEY,
        migrations: [...VERSION_1_ONLY, { ...addNickname, version: 3 }],
      }),
    ).rejects.toThrow(/entry 1 has version 3, expected 2/);
  });

  it('version 2 keeps existing server settings and turns transcription on for them', async () => {
    await (await SqliteStore.open({ path: file(), masterKey: KEY, migrations: VERSION_1_ONLY })).close();
    const raw = openRaw(file());
    raw
      .prepare(
        'INSERT INTO guild_settings (guild_id, voice_enabled, allowed_channel_ids, updated_at) VALUES (?, ?, ?, ?)',
      )
      .run('g1', 0, '["c1"]', 'then');
    raw.close();
    const upgraded = await SqliteStore.open({ path: file(), masterKey: KEY });
    expect(await upgraded.getGuildSettings('g1')).toEqual({
      voiceEnabled: false,
      allowedChannelIds: ['c1'],
      transcriptionEnabled: true,
    });
    await upgraded.close();
  });

  it('refuses a database sealed under another master key, and a missing key file', async () => {
    await (await openStore({ dataDir: dir })).close();
    await expect(openStore({ dataDir: dir, masterKey: randomBytes(32) })).rejects.toMatchObject({
      code: 'wrong_master_key',
    });
    fs.rmSync(path.join(dir, 'master.key'));
    await expect(openStore({ dataDir: dir })).rejects.toMatchObject({
      code: 'wrong_master_key',
      message: expect.stringContaining('master.key is missing') as unknown,
    });
    expect(fs.existsSync(path.join(dir, 'master.key'))).toBe(false);
  });
});

describe.each(BACKENDS.filter((b) => b.name === 'postgres'))('schema migrations ($name)', () => {
  async function tableNames(url: string): Promise<string[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
      );
      return rows.map((r: { table_name: string }) => r.table_name);
    } finally {
      await client.end();
    }
  }

  it('creates the same tables with every migration recorded, and applies nothing on reopen', async () => {
    const url = await freshPostgresUrl();
    await (await PostgresStore.open({ connectionString: url, masterKey: KEY })).close();
    expect(await tableNames(url)).toEqual([
      'consents',
      'guild_settings',
      'models',
      'people',
      'person_keys',
      'person_leases',
      'samples',
      'schema_migrations',
      'store_meta',
    ]);
    const store = await PostgresStore.open({ connectionString: url, masterKey: KEY });
    await store.grantConsent('p1', { textVersion: 'v1', scope: ['voice'] });
    await store.close();
  });

  it('two processes opening a new database at once: one migrates, the other waits and finds it current', async () => {
    const url = await freshPostgresUrl();
    const [a, b] = await Promise.all([
      PostgresStore.open({ connectionString: url, masterKey: KEY }),
      PostgresStore.open({ connectionString: url, masterKey: KEY }),
    ]);
    await a.grantConsent('p1', { textVersion: 'v1', scope: ['voice'] });
    expect(await b.hasConsent('p1')).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses a newer schema, a wrong master key, and rolls back a failing step', async () => {
    const url = await freshPostgresUrl();
    await (await PostgresStore.open({ connectionString: url, masterKey: KEY })).close();
    await expect(PostgresStore.open({ connectionString: url, masterKey: randomBytes(32) })).rejects.toMatchObject({
      code: 'wrong_master_key',
    });
    const broken: Migration = {
      version: LATEST_SCHEMA_VERSION + 1,
      description: 'broken',
      sql: 'CREATE TABLE half_done (a INTEGER); INSERT INTO no_such_table VALUES (1);',
    };
    await expect(
      PostgresStore.open({ connectionString: url, masterKey: KEY, migrations: [...MIGRATIONS, broken] }),
    ).rejects.toThrow(new RegExp(`Schema migration ${LATEST_SCHEMA_VERSION + 1} \\(broken\\) failed`));
    expect(await tableNames(url)).not.toContain('half_done');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
      LATEST_SCHEMA_VERSION + 1,
      'later',
    ]);
    await client.end();
    await expect(PostgresStore.open({ connectionString: url, masterKey: KEY })).rejects.toMatchObject({
      code: 'schema_too_new',
    });
  });
});
