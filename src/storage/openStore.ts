import fs from 'node:fs';
import path from 'node:path';
import { SqliteStore } from './SqliteStore';
import type { AttuneStore } from './types';

/** Name of the database file inside the data folder. */
export const DB_FILE_NAME = 'attune.sqlite';

/** Options for {@link openStore}. */
export interface OpenStoreOptions {
  /** Folder for the database (created if missing); default `./data`. */
  dataDir?: string;
  /** Keep the original image/audio bytes of samples; default false (features only). */
  keepRawMedia?: boolean;
  /** Clock for timestamps (tests). */
  now?: () => Date;
}

/**
 * Opens Attune's store: `<dataDir>/attune.sqlite`, created and migrated as needed. Throws a StoreError
 * with code `schema_too_new` if the file was written by a newer Attune.
 */
export function openStore(options: OpenStoreOptions = {}): AttuneStore {
  const dataDir = path.resolve(options.dataDir ?? './data');
  const dbPath = path.join(dataDir, DB_FILE_NAME);
  // The folder and files hold biometric-derived data; other local users have no business reading it.
  // mkdir's mode only applies to a folder it creates, so an existing one is tightened too.
  fs.mkdirSync(dataDir, { recursive: true, mode: OWNER_ONLY_DIR });
  fs.chmodSync(dataDir, OWNER_ONLY_DIR);
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
  const store = new SqliteStore({ path: dbPath, keepRawMedia: options.keepRawMedia, now: options.now });
  // Opening switched the journal to WAL: the -wal and -shm files exist now.
  tightenDatabaseFiles(dbPath);
  return store;
}

/** rwx for the owner only. */
const OWNER_ONLY_DIR = 0o700;
/** rw for the owner only. */
const OWNER_ONLY_FILE = 0o600;

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

/** An in-memory store (nothing touches the disk), for tests and dry runs. */
export function openMemoryStore(options: Omit<OpenStoreOptions, 'dataDir'> = {}): AttuneStore {
  return new SqliteStore({ path: ':memory:', keepRawMedia: options.keepRawMedia, now: options.now });
}
