/** Attune's storage layer: an interface the rest of the bot receives, and its SQLite implementation. */
export * from './types';
export { StoreError, isStoreError, type StoreErrorCode } from './StoreError';
export { SqliteStore, type SqliteStoreOptions } from './SqliteStore';
export { openStore, openMemoryStore, DB_FILE_NAME, type OpenStoreOptions } from './openStore';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, currentSchemaVersion, type Migration } from './migrations';
export { toLabelledSamples } from './toLabelledSamples';
