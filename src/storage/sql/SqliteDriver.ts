import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { loadSqlite } from '../loadSqlite';
import { StoreError } from '../StoreError';
import { AsyncMutex } from './AsyncMutex';
import type { SqlDriver, SqlResult, SqlSession, SqlValue } from './SqlDriver';

/** Statements whose rows are wanted (everything else reports `changes`). */
const RETURNS_ROWS = /^\s*(SELECT|WITH|PRAGMA|VALUES)\b|\bRETURNING\b/i;

/**
 * The SQLite side of {@link SqlDriver}, on the built-in synchronous `node:sqlite`: each statement runs
 * to completion before the call returns, so a single statement is atomic with respect to the event
 * loop. A transaction spans awaits, though, so while one is open every other caller waits for it (one
 * connection, one transaction at a time); calls made from inside it join it.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly mutex = new AsyncMutex();
  private readonly inTransaction = new AsyncLocalStorage<SqliteTransaction>();
  private closed = false;

  constructor(path: string) {
    const { DatabaseSync } = loadSqlite();
    // A 5 s busy timeout covers a CLI briefly holding the write lock while the bot runs.
    this.db = new DatabaseSync(path, { timeout: 5000 });
  }

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
    const tx = this.current();
    if (tx) return tx.query(sql, params);
    if (!this.mutex.locked) return settle(() => this.run(sql, params));
    return this.whileLocked(() => this.run(sql, params));
  }

  exec(sql: string): Promise<void> {
    const tx = this.current();
    if (tx) return tx.exec(sql);
    if (!this.mutex.locked) return settle(() => this.execNow(sql));
    return this.whileLocked(() => this.execNow(sql));
  }

  async transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const tx = this.current();
    if (tx) return tx.transaction(work);
    await this.mutex.acquire();
    try {
      this.assertOpen();
      // IMMEDIATE takes the write lock up front: another process cannot slip a write in between our
      // read (a consent check) and our write.
      this.db.exec('BEGIN IMMEDIATE');
      const session = new SqliteTransaction(this);
      try {
        const result = await this.inTransaction.run(session, () => work(session));
        session.finished = true;
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        session.finished = true;
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      this.mutex.release();
    }
  }

  withMigrationLock<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    // BEGIN IMMEDIATE already excludes every other writer, in this process and others.
    return this.transaction(work);
  }

  /** True while the caller runs inside one of this driver's transactions. */
  get insideTransaction(): boolean {
    return this.current() !== undefined;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Let a running transaction finish rather than cutting it off mid-way.
    await this.mutex.acquire();
    try {
      this.closed = true;
      this.statements.clear();
      // Closing the last connection checkpoints the WAL and removes the -wal/-shm files.
      this.db.close();
    } finally {
      this.mutex.release();
    }
  }

  /** Runs one statement now (the caller holds the lock or knows no transaction is open). */
  run(sql: string, params: readonly SqlValue[]): SqlResult {
    const statement = this.statement(sql);
    const args = params as SQLInputValue[];
    if (RETURNS_ROWS.test(sql)) {
      const rows = statement.all(...args);
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: Number(statement.run(...args).changes) };
  }

  execNow(sql: string): void {
    this.assertOpen();
    this.db.exec(sql);
  }

  private current(): SqliteTransaction | undefined {
    const tx = this.inTransaction.getStore();
    return tx && !tx.finished ? tx : undefined;
  }

  private async whileLocked<T>(fn: () => T): Promise<T> {
    await this.mutex.acquire();
    try {
      return fn();
    } finally {
      this.mutex.release();
    }
  }

  /** Statements are prepared once per SQL text and reused: preparing costs more than running. */
  private statement(sql: string): StatementSync {
    this.assertOpen();
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('closed', 'The store is closed.');
  }
}

/** The session of one open SQLite transaction; nested transactions are savepoints. */
class SqliteTransaction implements SqlSession {
  finished = false;
  private depth = 0;

  constructor(private readonly driver: SqliteDriver) {}

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
    return settle(() => this.driver.run(sql, params));
  }

  exec(sql: string): Promise<void> {
    return settle(() => this.driver.execNow(sql));
  }

  async transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const name = `attune_sp_${++this.depth}`;
    this.driver.execNow(`SAVEPOINT ${name}`);
    try {
      const result = await work(this);
      this.driver.execNow(`RELEASE ${name}`);
      return result;
    } catch (error) {
      this.driver.execNow(`ROLLBACK TO ${name}`);
      this.driver.execNow(`RELEASE ${name}`);
      throw error;
    } finally {
      this.depth--;
    }
  }
}

/** A synchronous call as a promise (a throw becomes a rejection). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
