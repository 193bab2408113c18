import type { DatabaseSync } from 'node:sqlite';
import { StoreError } from './StoreError';

/** One schema step. Versions start at 1 and increase by 1; a step is never edited once released. */
export interface Migration {
  version: number;
  description: string;
  /** SQL run inside the migration's transaction. */
  sql: string;
}

/**
 * Attune's schema, oldest first. STRICT tables make SQLite reject values of the wrong type instead of
 * silently storing them. ON DELETE CASCADE is a second line of defence behind forgetPerson's explicit
 * deletes: no row of a person's data can outlive their person row.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'people, consent, samples, models, guild settings',
    sql: `
      CREATE TABLE people (
        person_id  TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        settings   TEXT NOT NULL DEFAULT '{}'
      ) STRICT;

      CREATE TABLE consents (
        id           INTEGER PRIMARY KEY,
        person_id    TEXT NOT NULL REFERENCES people(person_id) ON DELETE CASCADE,
        text_version TEXT NOT NULL,
        scope        TEXT NOT NULL,
        granted_at   TEXT NOT NULL,
        revoked_at   TEXT
      ) STRICT;
      -- The current consent is the newest row of a person: id order is insertion order.
      CREATE INDEX consents_by_person ON consents(person_id, id);

      CREATE TABLE samples (
        id           INTEGER PRIMARY KEY,
        person_id    TEXT NOT NULL REFERENCES people(person_id) ON DELETE CASCADE,
        emotion      TEXT NOT NULL,
        signal       TEXT NOT NULL CHECK (signal IN ('face', 'voice')),
        features     TEXT NOT NULL,
        metadata     TEXT NOT NULL,
        raw_media    BLOB,
        created_at   TEXT NOT NULL
      ) STRICT;
      -- Serves list-by-person, counts per emotion/signal and delete-by-emotion.
      CREATE INDEX samples_by_person ON samples(person_id, emotion, signal);

      CREATE TABLE models (
        person_id  TEXT PRIMARY KEY REFERENCES people(person_id) ON DELETE CASCADE,
        version    INTEGER NOT NULL,
        revision   INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        saved_at   TEXT NOT NULL,
        model      TEXT NOT NULL
      ) STRICT;

      CREATE TABLE guild_settings (
        guild_id            TEXT PRIMARY KEY,
        voice_enabled       INTEGER NOT NULL CHECK (voice_enabled IN (0, 1)),
        allowed_channel_ids TEXT NOT NULL,
        updated_at          TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    description: 'guild setting: spoken questions may be transcribed (on by default)',
    sql: `ALTER TABLE guild_settings ADD COLUMN transcription_enabled INTEGER NOT NULL DEFAULT 1 CHECK (transcription_enabled IN (0, 1));`,
  },
];

/** The schema version this build understands. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

/** The highest applied version, 0 for a new database. */
export function currentSchemaVersion(db: DatabaseSync): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get();
  return typeof row?.v === 'number' ? row.v : 0;
}

/**
 * Brings `db` up to the last of `migrations`, each step in its own transaction (a failing step leaves
 * the database at the previous version). Refuses a database newer than this build, because writing to
 * a schema it does not know could silently lose data.
 *
 * @returns the versions applied now (empty when already current).
 */
export function migrate(db: DatabaseSync, migrations: readonly Migration[] = MIGRATIONS, now: () => Date = () => new Date()): number[] {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration list is malformed: entry ${i} has version ${m.version}, expected ${i + 1}.`);
  });
  const latest = migrations.length;
  const current = currentSchemaVersion(db);
  if (current > latest) {
    throw new StoreError(
      'schema_too_new',
      `This database has schema version ${current}, but this version of Attune only knows up to ${latest}. ` +
        'It was written by a newer Attune; upgrade Attune instead of opening it with an older one.',
    );
  }
  const applied: number[] = [];
  for (const m of migrations.slice(current)) {
    // IMMEDIATE takes the write lock up front, so no other connection can interleave a half-migrated read.
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(m.version, now().toISOString());
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new StoreError('migration_failed', `Schema migration ${m.version} (${m.description}) failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
    applied.push(m.version);
  }
  return applied;
}
