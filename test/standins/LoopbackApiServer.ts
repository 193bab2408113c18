import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * An HTTP stand-in for a web API on 127.0.0.1: an ephemeral port, `baseUrl` ending in `/v1`, and a
 * `stop()` that also cuts connections a test left hanging (slow or stalled replies).
 */
export abstract class LoopbackApiServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** Base URL to configure, e.g. http://127.0.0.1:PORT/v1. */
  baseUrl = '';

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}/v1`;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
