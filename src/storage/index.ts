/** Attune's storage layer: an interface the rest of the bot receives, on SQLite (embedded) or PostgreSQL. */
export * from './types';
export { StoreError, isStoreError } from './StoreError';
export { openStore, openMemoryStore, DB_FILE_NAME, MASTER_KEY_FILE_NAME, type OpenStoreOptions } from './openStore';
export { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations';
export { parseMasterKey } from './crypto/Keyring';
export { toLabelledSamples } from './toLabelledSamples';
