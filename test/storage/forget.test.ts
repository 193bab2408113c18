import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { DB_FILE_NAME, openStore, type AttuneStore } from '../../src/storage';
import { Keyring, openFor } from '../../src/storage/crypto/Keyring';
import { BACKENDS, freshPostgresUrl, openInspectable, testPostgres, type InspectableStore } from './helpers/backends';
import { faceFeatures, faceSample, fixedClock, personModel, tempDir, voiceSample } from './helpers/fixtures';

const forgotten = '800000000000000001';
const kept = '800000000000000002';
// Unique strings that occur nowhere else: if any byte sequence survives, the search finds it.
const markerMeta = 'FORGET-ME-META-7f3a9c';
const markerMedia = 'FORGET-ME-MEDIA-51be02';
const markerModel = 'FORGET-ME-MODEL-c4d81e';
const keptMarker = 'KEEP-ME-META-0e99aa';
// A feature value as it would appear in plaintext JSON.
const featureText = JSON.stringify(faceFeatures(3).descriptor[17]);

async function fill(store: AttuneStore): Promise<void> {
  await store.grantConsent(forgotten, { textVersion: 'v1', scope: ['face', 'voice'] });
  await store.grantConsent(kept, { textVersion: 'v1', scope: ['face'] });
  // 40 KB of media spills into overflow pages, the part of a database most likely to keep stale bytes.
  const media = Buffer.from(`${markerMedia} `.repeat(2000));
  for (let i = 0; i < 5; i++) {
    await store.addSample({
      ...faceSample(forgotten, 'happy', i),
      metadata: { source: 'attachment', fileName: `${markerMeta}-${i}.jpg` },
      rawMedia: media,
    });
    await store.addSample({ ...voiceSample(forgotten, 'sad', i) });
  }
  await store.addSample({
    ...faceSample(kept, 'happy'),
    metadata: { source: 'attachment', fileName: `${keptMarker}.jpg` },
  });
  await store.saveModel(forgotten, { ...personModel(markerModel) });
  await store.saveModel(kept, personModel('kept-model'));
  await store.updatePersonSettings(forgotten, { speakReplies: false });
}

describe.each(BACKENDS)('forgetPerson ($name)', (backend) => {
  let db: InspectableStore;
  let store: AttuneStore;

  beforeEach(async () => {
    db = await openInspectable(backend, { keepRawMedia: true, now: fixedClock });
    store = db.store;
    await fill(store);
  });
  afterEach(() => db.cleanup());

  it('reports what it deleted and leaves no row mentioning the person in any table', async () => {
    expect(await store.forgetPerson(forgotten)).toEqual({ samples: 10, models: 1, consents: 1, people: 1 });
    expect(await store.describePerson(forgotten)).toBeNull();
    expect(await store.getConsent(forgotten)).toBeNull();
    const tables = await db.dump();
    expect(tables.person_keys).toHaveLength(1);
    expect(tables.samples).toHaveLength(1);
    expect(await store.countSamples(kept)).toEqual({ happy: { face: 1, voice: 0 } });
    expect(await store.loadModel(kept)).toEqual(personModel('kept-model'));
    expect((await store.listSamples(kept))[0]?.metadata.fileName).toBe(`${keptMarker}.jpg`);
  });

  it('stores no Discord id, feature value or file name in plaintext, even before a forget', async () => {
    const dump = JSON.stringify(await db.dump(), (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v,
    );
    for (const secret of [forgotten, kept, markerMeta, markerMedia, markerModel, keptMarker, featureText])
      expect(dump).not.toContain(secret);
    // Positive control: the rows are there, sealed.
    expect(dump).toContain('"emotion":"happy"');
  });

  it('is a no-op for an unknown person', async () => {
    expect(await store.forgetPerson('nobody')).toEqual({ samples: 0, models: 0, consents: 0, people: 0 });
  });

  it('tells watchers of the person, once, and no sample lands after it', async () => {
    const heard: string[] = [];
    await store.watchForget(forgotten, () => heard.push('forgotten'));
    const stop = await store.watchForget(kept, () => heard.push('kept'));
    await store.forgetPerson(forgotten);
    await store.forgetPerson(forgotten);
    stop();
    await expect(store.addSample(voiceSample(forgotten, 'sad'))).rejects.toMatchObject({ code: 'no_consent' });
    expect(heard).toEqual(['forgotten']);
  });
});

describe('forgetPerson on disk (sqlite)', () => {
  /** The bytes of the database and its WAL/shm files, whichever exist. */
  function diskBytes(dir: string): string {
    const base = path.join(dir, DB_FILE_NAME);
    return Buffer.concat(
      [base, `${base}-wal`, `${base}-shm`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)),
    ).toString('latin1');
  }

  it('leaves none of the person’s bytes in the database files after the checkpoint', async () => {
    const { dir, cleanup } = tempDir();
    const store = await openStore({ dataDir: dir, keepRawMedia: true, now: fixedClock });
    try {
      await fill(store);
      const pseudonym = new Keyring(
        Buffer.from(fs.readFileSync(path.join(dir, 'master.key'), 'utf8').trim(), 'base64'),
      ).pseudonym(forgotten);
      const before = diskBytes(dir);
      // Positive control: the person's rows are on disk (sealed, under their pseudonym).
      expect(before).toContain(pseudonym);
      await store.forgetPerson(forgotten);
      const after = diskBytes(dir);
      for (const secret of [forgotten, pseudonym, markerMeta, markerMedia, markerModel, featureText])
        expect(after).not.toContain(secret);
    } finally {
      await store.close();
      cleanup();
    }
  });
});

describe.each(BACKENDS.filter((b) => b.name === 'postgres'))('erasure that reaches every copy ($name)', () => {
  /** Rows of one table's COPY block in a plain pg_dump, split into columns. */
  function copyRows(dump: string, table: string): string[][] {
    const start = dump.search(new RegExp(`^COPY [\\w.]*${table} \\(`, 'm'));
    if (start < 0) return [];
    const body = dump.slice(dump.indexOf('\n', start) + 1, dump.indexOf('\n\\.\n', start));
    return body ? body.split('\n').map((line) => line.split('\t')) : [];
  }
  const bytea = (cell: string) => Buffer.from(cell.replace(/^\\\\x/, ''), 'hex');

  it('a pg_dump of the data taken before the forget cannot be decrypted after it (the wrapped key is gone)', async () => {
    const temp = await testPostgres();
    const masterKey = randomBytes(32);
    const url = await freshPostgresUrl();
    const store = await openStore({ databaseUrl: url, masterKey, keepRawMedia: true, now: fixedClock });
    const keyring = new Keyring(masterKey);
    const pseudonym = keyring.pseudonym(forgotten);
    try {
      await fill(store);
      // The backup of the data, as the README says to take it: the key table's rows are backed up apart
      // (short retention), so a forget reaches this copy once the key is gone.
      const schema = decodeURIComponent(new URL(url).searchParams.get('options') ?? '').replace('-c search_path=', '');
      const dataOnly = temp.dump(url, [`--exclude-table-data=${schema}.person_keys`]).toString('utf8');
      expect(copyRows(dataOnly, `${schema}.person_keys`)).toEqual([]);
      for (const secret of [forgotten, kept, markerMeta, markerMedia, markerModel, featureText])
        expect(dataOnly).not.toContain(secret);
      const samples = copyRows(dataOnly, `${schema}.samples`).filter((cols) => cols[1] === pseudonym);
      expect(samples).toHaveLength(10);
      const wrappedNow = async (): Promise<Buffer | null> => {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          const { rows } = await client.query<{ wrapped_key: Buffer }>(
            'SELECT wrapped_key FROM person_keys WHERE person_id = $1',
            [pseudonym],
          );
          return rows[0]?.wrapped_key ?? null;
        } finally {
          await client.end();
        }
      };
      // Positive control: with the live key the backup opens.
      const before = await wrappedNow();
      if (!before) throw new Error('no wrapped key before forgetting');
      const sealed = samples[0]?.[4];
      if (sealed === undefined) throw new Error('no sealed sample column in the backup');
      const body = JSON.parse(openFor(keyring.unwrap(pseudonym, before), 'sample', bytea(sealed)).toString('utf8')) as {
        m: { fileName?: string };
        f: { durationSec?: number };
      };
      expect(body.m.fileName ?? body.f.durationSec).toBeDefined();

      await store.forgetPerson(forgotten);
      expect(await wrappedNow()).toBeNull();
      // Another person's key does not open it either: every ciphertext is bound to its own data key.
      const otherKey = keyring.unwrap(
        keyring.pseudonym(kept),
        await (async () => {
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          try {
            const [row] = (await client.query<{ wrapped_key: Buffer }>('SELECT wrapped_key FROM person_keys')).rows;
            if (!row) throw new Error('no other person key left');
            return row.wrapped_key;
          } finally {
            await client.end();
          }
        })(),
      );
      expect(() => openFor({ ...otherKey, pseudonym }, 'sample', bytea(sealed))).toThrow(/integrity check/);
    } finally {
      await store.close();
    }
  });

  it('leaves no plaintext id or feature value in the server’s files (tables, indexes, WAL)', async () => {
    const temp = await testPostgres();
    const url = await freshPostgresUrl();
    const store = await openStore({
      databaseUrl: url,
      masterKey: randomBytes(32),
      keepRawMedia: true,
      now: fixedClock,
    });
    try {
      await fill(store);
      await store.forgetPerson(forgotten);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('CHECKPOINT');
      await client.end();
      const files: string[] = [];
      const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
          const full = path.join(dir, entry.name);
          if (entry.isDirectory()) walk(full);
          else if (entry.isFile()) files.push(full);
        }
      };
      walk(path.join(temp.dataDir, 'base'));
      walk(path.join(temp.dataDir, 'pg_wal'));
      const needles = [forgotten, kept, markerMeta, markerMedia, markerModel, featureText].map((s) => Buffer.from(s));
      // Positive control: a plaintext value that is meant to be stored (a guild id) is found.
      await store.setGuildSettings('GUILD-PLAINTEXT-CONTROL', { voiceEnabled: false, allowedChannelIds: [] });
      const control = Buffer.from('GUILD-PLAINTEXT-CONTROL');
      let controlFound = false;
      for (const file of files) {
        const bytes = fs.readFileSync(file);
        for (const needle of needles) expect([file, bytes.includes(needle)]).toEqual([file, false]);
        controlFound ||= bytes.includes(control);
      }
      expect(controlFound).toBe(true);
    } finally {
      await store.close();
    }
  });
});
