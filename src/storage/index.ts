/** Attune's storage layer: an interface the rest of the bot receives, on SQLite (embedded) or PostgreSQL. */
export * from './types';
export { StoreError, isStoreError, type StoreErrorCode } from './StoreError';
export { SqlStore } from './SqlStore';
export { SqliteStore, type SqliteStoreOptions } from './SqliteStore';
export { PostgresStore, type PostgresStoreOptions } from './PostgresStore';
export { openStore, openMemoryStore, DB_FILE_NAME, MASTER_KEY_FILE_NAME, type OpenStoreOptions } from './openStore';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, currentSchemaVersion, type Migration } from './migrations';
export { parseMasterKey, generateMasterKeyText } from './crypto/Keyring';
export { toLabelledSamples } from './toLabelledSamples';
