import { Keyring } from './crypto/Keyring';
import { MIGRATIONS, migrate, type Migration } from './migrations';
import { PgDriver, type PgDriverOptions } from './sql/PgDriver';
import { PgListener } from './sql/PgListener';
import { FORGET_CHANNEL, SqlStore } from './SqlStore';

/** How to open a {@link PostgresStore}. */
export interface PostgresStoreOptions extends PgDriverOptions {
  /** The 32-byte master key; every process sharing the database must use the same one. */
  masterKey: Uint8Array;
  keepRawMedia?: boolean;
  now?: () => Date;
  migrations?: readonly Migration[];
}

/**
 * {@link AttuneStore} on PostgreSQL, for several bot processes (shards, hosts) sharing one database.
 * Same SQL, schema steps, consent rules, limits and encryption as the SQLite store; adds a connection
 * pool, statement timeouts, retries when the connection fails, and LISTEN/NOTIFY so a /forget handled
 * by one process reaches {@link watchForget} callbacks in all of them.
 */
export class PostgresStore extends SqlStore {
  private listener: PgListener | null = null;

  private get pg(): PgDriver {
    return this.driver as PgDriver;
  }

  /**
   * Connects (retrying briefly), migrates and checks the master key. A database that cannot be reached
   * fails with StoreError `unavailable`, naming host, port and database but never the credentials.
   */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const driver = new PgDriver(options);
    try {
      await driver.checkReachable();
      const keyring = new Keyring(options.masterKey);
      const now = options.now ?? (() => new Date());
      await migrate(driver, options.migrations ?? MIGRATIONS, { keyring, now });
      if ((options.migrations ?? MIGRATIONS).some((m) => m.version === 2))
        await SqlStore.checkMasterKey(driver, keyring);
      return new PostgresStore(driver, driver, {
        keyring,
        keepRawMedia: options.keepRawMedia ?? false,
        now,
        forgetWatchers: new Map(),
        closed: false,
      });
    } catch (error) {
      await driver.close();
      throw error;
    }
  }

  protected override async startForgetListener(): Promise<void> {
    this.listener ??= new PgListener(
      this.pg,
      FORGET_CHANNEL,
      (pseudonym) => this.notifyForgotten(pseudonym),
      () => void this.recheckWatched(),
    );
    await this.listener.start();
  }

  /**
   * After the LISTEN connection came back: notifications sent while it was away are lost, so every
   * watched person whose data key is gone now counts as forgotten. (A person watched before their
   * first consent has no key yet either; they are skipped until they have one.)
   */
  private async recheckWatched(): Promise<void> {
    for (const pseudonym of [...this.shared.forgetWatchers.keys()]) {
      try {
        const { rows } = await this.pg.query('SELECT EXISTS (SELECT 1 FROM consents WHERE person_id = ?) AS held', [
          pseudonym,
        ]);
        const hadConsent = this.consentSeen.has(pseudonym);
        if (rows[0]?.held === true) this.consentSeen.add(pseudonym);
        else if (hadConsent) this.notifyForgotten(pseudonym);
      } catch {
        // Still unreachable: the next reconnect checks again.
      }
    }
  }

  /** Watched pseudonyms known to have had a consent (so its disappearance means a forget). */
  private readonly consentSeen = new Set<string>();

  override async watchForget(personId: string, onForgotten: () => void): Promise<() => void> {
    const stop = await super.watchForget(personId, onForgotten);
    if ((await this.getConsent(personId)) !== null) this.consentSeen.add(this.pseudonym(personId));
    return stop;
  }

  override async close(): Promise<void> {
    await this.listener?.stop();
    this.listener = null;
    await super.close();
  }
}
