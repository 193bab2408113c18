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
  // 0o700: the folder holds biometric-derived data; other local users have no business reading it.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return new SqliteStore({ path: path.join(dataDir, DB_FILE_NAME), keepRawMedia: options.keepRawMedia, now: options.now });
}

/** An in-memory store (nothing touches the disk), for tests and dry runs. */
export function openMemoryStore(options: Omit<OpenStoreOptions, 'dataDir'> = {}): AttuneStore {
  return new SqliteStore({ path: ':memory:', keepRawMedia: options.keepRawMedia, now: options.now });
}
