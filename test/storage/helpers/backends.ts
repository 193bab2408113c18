import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import {
  DB_FILE_NAME,
  openMemoryStore,
  openStore,
  type AttuneStore,
  type OpenStoreOptions,
} from '../../../src/storage';
import { reportSkip } from '../../helpers/skip';
import { dumpTables, openRaw } from './dump';
import { tempDir } from './fixtures';
import {
  findPostgresBin,
  POSTGRES_MISSING,
  startTempPostgres,
  type TempPostgres,
} from '../../../src/storage/testing/tempPostgres';

/** Options a store test may set; the rest is the backend's business. */
export type TestStoreOptions = Pick<
  OpenStoreOptions,
  'keepRawMedia' | 'now' | 'masterKey' | 'retryDelaysMs' | 'statementTimeoutMs'
>;

/** One database the store suite runs against. */
export interface Backend {
  name: 'sqlite' | 'postgres';
  /** A fresh, empty store. */
  open(options?: TestStoreOptions): Promise<AttuneStore>;
}

/**
 * PostgreSQL tests are part of the suite: where the server programs are missing they fail with a
 * message saying how to install them, unless ATTUNE_SKIP_POSTGRES_TESTS=1 says to skip them (local
 * runs only; CI installs PostgreSQL).
 */
const skipPostgres = !findPostgresBin() && process.env.ATTUNE_SKIP_POSTGRES_TESTS === '1';
if (skipPostgres) reportSkip('the PostgreSQL store tests (ATTUNE_SKIP_POSTGRES_TESTS=1)', POSTGRES_MISSING);

let server: Promise<TempPostgres> | null = null;
let database: Promise<string> | null = null;

/** The test file's PostgreSQL server (started on first use, stopped after the file). */
export function testPostgres(): Promise<TempPostgres> {
  server ??= startTempPostgres();
  return server;
}

afterAll(async () => {
  const started = server;
  server = null;
  database = null;
  if (started) await (await started).stop();
});

/** A database URL whose connections see only a new, empty schema (fast: no CREATE DATABASE per test). */
export async function freshPostgresUrl(): Promise<string> {
  const temp = await testPostgres();
  database ??= temp.createDatabase();
  const url = await database;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  return `${url}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

export const sqlite: Backend = { name: 'sqlite', open: (options = {}) => openMemoryStore(options) };

export const postgres: Backend = {
  name: 'postgres',
  async open(options = {}) {
    return openStore({
      ...options,
      databaseUrl: await freshPostgresUrl(),
      masterKey: options.masterKey ?? randomBytes(32),
    });
  },
};

/** Every backend the suite runs against here, for `describe.each`. */
export const BACKENDS: Backend[] = skipPostgres ? [sqlite] : [sqlite, postgres];

/** A store on disk (SQLite file or PostgreSQL schema) with a way to read every table behind its back. */
export interface InspectableStore {
  store: AttuneStore;
  /** Every row of every table, in a stable order: equal dumps mean equal databases. */
  dump(): Promise<Record<string, unknown[]>>;
  /** PostgreSQL only: the URL the store uses (for pg_dump and raw connections). */
  url?: string;
  cleanup(): Promise<void>;
}

export async function openInspectable(backend: Backend, options: TestStoreOptions = {}): Promise<InspectableStore> {
  if (backend.name === 'sqlite') {
    const { dir, cleanup } = tempDir();
    const store = await openStore({ ...options, dataDir: dir });
    return {
      store,
      dump() {
        const raw = openRaw(path.join(dir, DB_FILE_NAME));
        try {
          return Promise.resolve(dumpTables(raw));
        } finally {
          raw.close();
        }
      },
      async cleanup() {
        await store.close();
        cleanup();
      },
    };
  }
  const url = await freshPostgresUrl();
  const store = await openStore({ ...options, databaseUrl: url, masterKey: options.masterKey ?? randomBytes(32) });
  return {
    store,
    url,
    async dump() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows: tables } = await client.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
        );
        const out: Record<string, unknown[]> = {};
        for (const { table_name: t } of tables as { table_name: string }[]) {
          const { rows } = await client.query(`SELECT * FROM "${t}" ORDER BY 1`);
          out[t] = rows;
        }
        return out;
      } finally {
        await client.end();
      }
    },
    async cleanup() {
      await store.close();
    },
  };
}
