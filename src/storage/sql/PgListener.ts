import pg from 'pg';
import type { PgDriver } from './PgDriver';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One dedicated connection that LISTENs on a channel (pooled connections cannot: LISTEN belongs to a
 * session). When the connection drops it reconnects with backoff (0.1 s doubling to 5 s) and calls
 * `onReconnect`, because notifications sent while it was away are lost: the owner re-checks whatever
 * it was waiting for.
 */
export class PgListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly driver: PgDriver,
    private readonly channel: string,
    private readonly onMessage: (payload: string) => void,
    private readonly onReconnect: () => void,
  ) {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Bad channel name ${channel}`);
  }

  /** Resolves once LISTEN is active (first call connects). */
  start(): Promise<void> {
    this.ready ??= this.connect(false);
    return this.ready;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(isReconnect: boolean): Promise<void> {
    for (let delay = 100; !this.stopped; delay = Math.min(delay * 2, 5000)) {
      const client = new pg.Client(this.driver.clientConfig({ statement_timeout: 0 }));
      client.on('error', () => undefined);
      try {
        await client.connect();
        client.on('notification', (message) => {
          if (message.channel === this.channel && message.payload !== undefined) this.onMessage(message.payload);
        });
        client.on('end', () => {
          if (this.client === client) {
            this.client = null;
            if (!this.stopped) void this.connect(true);
          }
        });
        await client.query(`LISTEN ${this.channel}`);
        if (this.stopped) {
          await client.end().catch(() => undefined);
          return;
        }
        this.client = client;
        if (isReconnect) this.onReconnect();
        return;
      } catch (error) {
        await client.end().catch(() => undefined);
        if (!isReconnect) throw error;
        await sleep(delay);
      }
    }
  }
}
