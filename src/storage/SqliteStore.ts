import { Keyring } from './crypto/Keyring';
import { MIGRATIONS, migrate, type Migration } from './migrations';
import { SqliteDriver } from './sql/SqliteDriver';
import { SqlStore } from './SqlStore';

/** How to open a {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file path, or ':memory:'. */
  path: string;
  /** The 32-byte master key that wraps every person's data key. */
  masterKey: Uint8Array;
  /** Keep the original image/audio bytes of samples (default false: features only). */
  keepRawMedia?: boolean;
  /** Clock for timestamps; tests pass a fixed one. */
  now?: () => Date;
  /** Schema steps; only tests pass anything but the real list. */
  migrations?: readonly Migration[];
}

/** {@link AttuneStore} on the built-in `node:sqlite`: the embedded default, one file, one process. */
export class SqliteStore extends SqlStore {
  private get sqlite(): SqliteDriver {
    return this.driver as SqliteDriver;
  }

  /** Opens (creating if needed) and migrates the database; throws StoreError on a newer schema or a wrong key. */
  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    const driver = new SqliteDriver(options.path);
    const now = options.now ?? (() => new Date());
    try {
      // WAL: readers never block the writer, and a crash mid-write leaves the last commit intact.
      driver.execNow('PRAGMA journal_mode = WAL');
      // FULL syncs the WAL on every commit: a granted consent or a forget survives power loss too.
      driver.execNow('PRAGMA synchronous = FULL');
      driver.execNow('PRAGMA foreign_keys = ON');
      // Deleted rows are overwritten with zeros, so "forget me" does not leave bytes in free pages.
      driver.execNow('PRAGMA secure_delete = ON');
      const keyring = new Keyring(options.masterKey);
      const applied = await migrate(driver, options.migrations ?? MIGRATIONS, { keyring, now });
      if ((options.migrations ?? MIGRATIONS).some((m) => m.version === 2))
        await SqlStore.checkMasterKey(driver, keyring);
      const store = new SqliteStore(driver, driver, {
        keyring,
        keepRawMedia: options.keepRawMedia ?? false,
        now,
        forgetWatchers: new Map(),
        closed: false,
      });
      // Sealing older plaintext rows left their page images in the WAL: flush them out now.
      if (applied.length > 0) store.checkpoint();
      return store;
    } catch (error) {
      await driver.close();
      throw error;
    }
  }

  protected override async afterForget(): Promise<void> {
    // The old page images still sit in the WAL until a checkpoint; flush and truncate it now so the
    // person's bytes leave the disk files immediately. Inside an outer transaction this must wait. It
    // takes its turn on the shared connection like any statement: run while another transaction was
    // open there (it commits and the next one begins before this continuation runs), it failed with
    // "database table is locked".
    if (!this.sqlite.insideTransaction) await this.sqlite.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  /** Copies the WAL into the database file and truncates the WAL to zero bytes. */
  checkpoint(): void {
    this.sqlite.execNow('PRAGMA wal_checkpoint(TRUNCATE)');
  }

  /** Runs SQLite's full consistency check; returns 'ok' or the problems found. */
  integrityCheck(): string {
    return this.sqlite
      .run('PRAGMA integrity_check', [])
      .rows.map((row) => String(row.integrity_check))
      .join('\n');
  }
}
