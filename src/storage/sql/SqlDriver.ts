/** A value a statement takes: text, numbers, bytes or NULL. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** A result row; drivers return numbers as numbers (never bigint or numeric strings) and bytes as Uint8Array. */
export type SqlRow = Record<string, unknown>;

export interface SqlResult {
  rows: SqlRow[];
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/**
 * One place to send statements: the whole database, or one open transaction. SQL is written once for
 * both databases with `?` placeholders; the PostgreSQL driver numbers them.
 */
export interface SqlSession {
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlResult>;
  /** Several statements without parameters (schema steps). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` in a transaction on this session: commit when it resolves, roll back when it rejects.
   * Nested calls become savepoints. Calls made through the outer session while `work` runs (in its
   * async context) join the transaction instead of waiting for it, so they cannot deadlock on it.
   */
  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
}

export type SqlDialect = 'sqlite' | 'postgres';

/** A connection (or pool) to one database. */
export interface SqlDriver extends SqlSession {
  readonly dialect: SqlDialect;
  /** Serialises schema migrations between processes (PostgreSQL: an advisory lock held for `work`). */
  withMigrationLock<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
