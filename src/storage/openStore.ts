import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { generateMasterKeyText, parseMasterKey } from './crypto/Keyring';
import { loadSqlite } from './loadSqlite';
import { PostgresStore } from './PostgresStore';
import { SqliteStore } from './SqliteStore';
import { StoreError } from './StoreError';
import type { AttuneStore } from './types';

/** Name of the database file inside the data folder. */
export const DB_FILE_NAME = 'attune.sqlite';
/** The embedded default's generated master key, inside the data folder (0600). */
export const MASTER_KEY_FILE_NAME = 'master.key';

/** Options for {@link openStore}. */
export interface OpenStoreOptions {
  /** Folder for the SQLite database and its master key file (created if missing); default `./data`. */
  dataDir?: string;
  /** PostgreSQL URL; when set, the store is PostgreSQL and `dataDir` is not used. */
  databaseUrl?: string;
  /**
   * The master key (32 bytes, or its hex/base64 text). Required with `databaseUrl`; for SQLite it
   * defaults to `<dataDir>/master.key`, generated on first start.
   */
  masterKey?: string | Uint8Array;
  /** Keep the original image/audio bytes of samples; default false (features only). */
  keepRawMedia?: boolean;
  /** Clock for timestamps (tests). */
  now?: () => Date;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL statement timeout (default 5000 ms). */
  statementTimeoutMs?: number;
  /** PostgreSQL retry delays (default 100 ms doubling to 1.6 s); tests shorten them. */
  retryDelaysMs?: readonly number[];
}

/**
 * Opens Attune's store: PostgreSQL when `databaseUrl` is given, otherwise `<dataDir>/attune.sqlite`,
 * created and migrated as needed. Throws a StoreError: `schema_too_new` if the database was written by
 * a newer Attune, `wrong_master_key` if it was encrypted under another key, `unavailable` if PostgreSQL
 * cannot be reached, `invalid` for a missing or malformed master key.
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<AttuneStore> {
  if (options.databaseUrl) {
    if (options.masterKey === undefined) {
      throw new StoreError(
        'invalid',
        'A PostgreSQL store needs ATTUNE_MASTER_KEY: every process sharing the database must use the same key.',
      );
    }
    return PostgresStore.open({
      connectionString: options.databaseUrl,
      masterKey: masterKeyBytes(options.masterKey),
      keepRawMedia: options.keepRawMedia,
      now: options.now,
      poolSize: options.poolSize,
      statementTimeoutMs: options.statementTimeoutMs,
      retryDelaysMs: options.retryDelaysMs,
    });
  }
  const dataDir = path.resolve(options.dataDir ?? './data');
  const dbPath = path.join(dataDir, DB_FILE_NAME);
  // The folder and files hold biometric-derived data; other local users have no business reading it.
  // mkdir's mode only applies to a folder it creates, so an existing one is tightened too.
  fs.mkdirSync(dataDir, { recursive: true, mode: OWNER_ONLY_DIR });
  fs.chmodSync(dataDir, OWNER_ONLY_DIR);
  const isNewDatabase = !fs.existsSync(dbPath) || fs.statSync(dbPath).size === 0;
  const masterKey =
    options.masterKey !== undefined ? masterKeyBytes(options.masterKey) : readOrCreateKeyFile(dataDir, isNewDatabase);
  // SQLite creates a new database with 0644 (less the umask), and its -wal/-shm/-journal files with
  // the database file's own mode. So the database file is created empty and owner-only first (SQLite
  // opens an empty file as a new database), and files left by an older version are tightened.
  // Unlike process.umask(), this is safe in worker threads and changes nothing else in the process.
  try {
    fs.closeSync(fs.openSync(dbPath, 'wx', OWNER_ONLY_FILE));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  tightenDatabaseFiles(dbPath);
  const store = await SqliteStore.open({
    path: dbPath,
    masterKey,
    keepRawMedia: options.keepRawMedia,
    now: options.now,
  });
  // Opening switched the journal to WAL: the -wal and -shm files exist now.
  tightenDatabaseFiles(dbPath);
  return store;
}

/** rwx for the owner only. */
const OWNER_ONLY_DIR = 0o700;
/** rw for the owner only. */
const OWNER_ONLY_FILE = 0o600;

function masterKeyBytes(key: string | Uint8Array): Uint8Array {
  if (typeof key !== 'string') {
    if (key.length !== 32) throw new StoreError('invalid', 'The master key must be 32 bytes.');
    return key;
  }
  try {
    return parseMasterKey(key);
  } catch (error) {
    throw new StoreError('invalid', `ATTUNE_MASTER_KEY ${(error as Error).message}.`);
  }
}

/**
 * The embedded default's master key: `<dataDir>/master.key`, created owner-only on first start. An
 * existing database whose key file is missing is not given a new key (that would only hide the loss):
 * opening fails with a message saying what to restore. A database from before encryption (schema 1)
 * gets a new key and is sealed on open.
 */
function readOrCreateKeyFile(dataDir: string, isNewDatabase: boolean): Uint8Array {
  const file = path.join(dataDir, MASTER_KEY_FILE_NAME);
  try {
    if ((fs.statSync(file).mode & 0o777) !== OWNER_ONLY_FILE) fs.chmodSync(file, OWNER_ONLY_FILE);
    return masterKeyBytes(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (!isNewDatabase && databaseIsSealed(path.join(dataDir, DB_FILE_NAME))) {
    throw new StoreError(
      'wrong_master_key',
      `The database in ${dataDir} is encrypted, but ${MASTER_KEY_FILE_NAME} is missing. Restore it, or set ATTUNE_MASTER_KEY to the key the database was created with.`,
    );
  }
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, `${generateMasterKeyText()}\n`, { mode: OWNER_ONLY_FILE, flag: 'wx' });
  try {
    // link() fails if another process created the file first; then theirs wins and is read back.
    fs.linkSync(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  return masterKeyBytes(fs.readFileSync(file, 'utf8'));
}

/** True when an existing SQLite file already holds a master key check (schema 2 or later). */
function databaseIsSealed(dbPath: string): boolean {
  // Read-only peek without the store: the file may be from any version.
  const { DatabaseSync } = loadSqlite();
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const table = db.prepare("SELECT 1 AS x FROM sqlite_schema WHERE type = 'table' AND name = 'store_meta'").get();
    return table !== undefined;
  } finally {
    db.close();
  }
}

/** chmod 0600 the database file and whichever of its companion files exist. */
function tightenDatabaseFiles(dbPath: string): void {
  for (const file of [dbPath, `${dbPath}-wal`, `${dbPath}-shm`, `${dbPath}-journal`]) {
    try {
      if ((fs.statSync(file).mode & 0o777) !== OWNER_ONLY_FILE) fs.chmodSync(file, OWNER_ONLY_FILE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** An in-memory SQLite store (nothing touches the disk) under a throwaway key, for tests and dry runs. */
export function openMemoryStore(options: Omit<OpenStoreOptions, 'dataDir' | 'databaseUrl'> = {}): Promise<AttuneStore> {
  const masterKey = options.masterKey !== undefined ? masterKeyBytes(options.masterKey) : randomBytes(32);
  return SqliteStore.open({ path: ':memory:', masterKey, keepRawMedia: options.keepRawMedia, now: options.now });
}
