import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { StoreError } from '../StoreError';
import type { SqlDriver, SqlResult, SqlSession, SqlValue } from './SqlDriver';

/** How the PostgreSQL driver connects and how hard it tries. */
export interface PgDriverOptions {
  connectionString: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Server-side limit per statement (default 5000 ms): a stuck query fails instead of hanging a command. */
  statementTimeoutMs?: number;
  /** Limit for opening one connection (default 3000 ms). */
  connectTimeoutMs?: number;
  /** Delays between attempts when the connection fails (default 100, 200, 400, 800, 1600 ms). */
  retryDelaysMs?: readonly number[];
}

/** Error codes and messages that mean "the connection, not the statement, failed": worth retrying. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable|Connection closed/i;

function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}

/** `?` placeholders → `$1, $2, ...` (Attune's SQL never has a question mark inside a literal). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function toParam(value: SqlValue): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** int8 (COUNT, ids) and numeric (SUM) as JavaScript numbers: every value Attune stores fits in 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 || oid === 1700
      ? (v: string) => Number(v)
      : (pg.types.getTypeParser(oid, format as 'text') as (v: string) => unknown)) as typeof pg.types.getTypeParser,
};

/** Host, port and database from a URL, for messages: never the user name or password. */
function describeDatabaseUrl(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname || ''}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A failure after which the transaction's outcome is unknown: never retried. */
class CommitUnknown extends StoreError {}

/**
 * The PostgreSQL side of {@link SqlDriver}: a pg connection pool, statement timeouts, and retries with
 * backoff when the connection (not the statement) fails. A statement or transaction that still cannot
 * reach the database after the last retry fails with StoreError `unavailable`, having written nothing:
 * a whole transaction is retried from the start on a fresh connection, never resumed half-way. Only a
 * connection lost during COMMIT itself is not retried (it may have committed); that also reports
 * `unavailable`.
 */
export class PgDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly where: string;
  private readonly retryDelays: readonly number[];
  private readonly inTransaction = new AsyncLocalStorage<PgTransaction>();
  private closed = false;

  constructor(readonly options: PgDriverOptions) {
    this.where = describeDatabaseUrl(options.connectionString);
    this.retryDelays = options.retryDelaysMs ?? [100, 200, 400, 800, 1600];
    this.pool = new pg.Pool(this.clientConfig({ max: options.poolSize ?? 10, idleTimeoutMillis: 30_000 }));
    // An idle pooled connection that dies (server restart) emits here; without a listener that would
    // crash the process. The pool drops it and the next query opens a new one.
    this.pool.on('error', () => undefined);
  }

  /** Connection settings shared by the pool and the LISTEN connection. */
  clientConfig<T extends object>(extra: T): pg.ClientConfig & T {
    return {
      connectionString: this.options.connectionString,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 3000,
      statement_timeout: this.options.statementTimeoutMs ?? 5000,
      lock_timeout: this.options.statementTimeoutMs ?? 5000,
      // A transaction abandoned by a crashed caller must not hold its locks for ever.
      idle_in_transaction_session_timeout: 60_000,
      application_name: 'attune',
      types,
      ...extra,
    };
  }

  /** Resolves once the database answers; StoreError `unavailable` naming host/port/database otherwise. */
  async checkReachable(): Promise<void> {
    await this.retrying(() => this.pool.query('SELECT 1'));
  }

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
    const tx = this.current();
    if (tx) return tx.query(sql, params);
    return this.retrying(async () => toResult(await this.pool.query(numbered(sql), params.map(toParam))));
  }

  exec(sql: string): Promise<void> {
    const tx = this.current();
    if (tx) return tx.exec(sql);
    return this.retrying(async () => void (await this.pool.query(sql)));
  }

  transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const tx = this.current();
    if (tx) return tx.transaction(work);
    return this.retrying(() => this.transactionOnce(work));
  }

  withMigrationLock<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.transaction(async (session) => {
      // Two processes starting at once: the second waits, then finds the schema already current.
      await session.query('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK_KEY]);
      return work(session);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async transactionOnce<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    this.assertOpen();
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out connection that dies emits 'error'; the failing query reports it instead.
    const ignore = (): void => undefined;
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const session = new PgTransaction(client);
      let result: T;
      try {
        result = await this.inTransaction.run(session, () => work(session));
      } catch (error) {
        session.finished = true;
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw error;
      }
      session.finished = true;
      try {
        await client.query('COMMIT');
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        broken = error as Error;
        throw new CommitUnknown(
          'unavailable',
          `The connection to PostgreSQL (${this.where}) was lost while committing; the change may or may not have been saved.`,
          { cause: error },
        );
      }
      return result;
    } catch (error) {
      if (!broken && isConnectionError(error)) broken = error as Error;
      throw error;
    } finally {
      client.off('error', ignore);
      // A broken connection is destroyed, not returned to the pool.
      client.release(broken);
    }
  }

  /** Runs `attempt`, retrying connection failures with backoff; other errors pass straight through. */
  private async retrying<T>(attempt: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      this.assertOpen();
      try {
        return await attempt();
      } catch (error) {
        if (error instanceof CommitUnknown) throw error;
        if (!isConnectionError(error)) throw translate(error);
        if (i >= this.retryDelays.length) {
          const code = (error as { code?: string }).code ?? (error as Error).message;
          throw new StoreError(
            'unavailable',
            `PostgreSQL at ${this.where} cannot be reached (${code}); nothing was written. Try again shortly.`,
            { cause: error },
          );
        }
        await sleep(this.retryDelays[i] ?? 0);
      }
    }
  }

  private current(): PgTransaction | undefined {
    const tx = this.inTransaction.getStore();
    return tx && !tx.finished ? tx : undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('closed', 'The store is closed.');
  }
}

/** Any constant works; it only has to be the same in every Attune process. ("Attu" in ASCII.) */
const MIGRATION_LOCK_KEY = 0x41747475;

/** A statement timeout is the database being too slow right now: the caller can try again. */
function translate(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (code === '57014' || code === '55P03') {
    return new StoreError(
      'unavailable',
      'The database took too long to answer; nothing was written. Try again shortly.',
      { cause: error },
    );
  }
  return error;
}

function toResult(result: pg.QueryResult): SqlResult {
  return { rows: result.rows as SqlResult['rows'], changes: result.rowCount ?? 0 };
}

/** One open transaction on one pooled connection; nested transactions are savepoints. */
class PgTransaction implements SqlSession {
  finished = false;
  private depth = 0;

  constructor(private readonly client: pg.PoolClient) {}

  async query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
    try {
      return toResult(await this.client.query(numbered(sql), params.map(toParam)));
    } catch (error) {
      throw translate(error);
    }
  }

  async exec(sql: string): Promise<void> {
    try {
      await this.client.query(sql);
    } catch (error) {
      throw translate(error);
    }
  }

  async transaction<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    const name = `attune_sp_${++this.depth}`;
    await this.client.query(`SAVEPOINT ${name}`);
    try {
      const result = await work(this);
      await this.client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      if (!isConnectionError(error)) await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw error;
    } finally {
      this.depth--;
    }
  }
}
