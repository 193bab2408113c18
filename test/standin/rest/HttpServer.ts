import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { RestError, parseBody, readBody, sendJson } from './http';
import { Router, isStatusAnswer } from './router';
import type { RestServices } from './services';
import { addBotRoutes } from './botRoutes';
import { addInteractionRoutes } from './interactionRoutes';

/** A REST request the stand-in could not route: method, path (ids left in) and when. */
export interface UnknownRoute {
  method: string;
  path: string;
  at: number;
}

/** A REST call the bot made, for assertions like "the bot never fetched X". Bodies are not kept. */
export interface RestCall {
  method: string;
  path: string;
  status: number;
  at: number;
}

/**
 * One HTTP server on 127.0.0.1 for three roles: REST under `/api/v{n}`, the CDN under `/cdn`, and the
 * gateway (WebSocket upgrades, handed to `onUpgrade`). One port keeps the URLs a test passes around few.
 */
export class HttpServer {
  readonly server: http.Server;
  readonly unknownRoutes: UnknownRoute[] = [];
  readonly calls: RestCall[] = [];
  private readonly router = new Router();
  /** Routes under `/_standin` (the control API of the CLI); empty unless something adds to it. */
  readonly controlRouter = new Router();

  constructor(
    private readonly services: RestServices,
    onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
  ) {
    addBotRoutes(this.router, services);
    addInteractionRoutes(this.router, services);
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        services.log(`internal error answering ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) sendJson(res, 500, { message: 'Stand-in internal error', code: 0 });
      });
    });
    this.server.on('upgrade', onUpgrade);
  }

  /** Starts listening on an ephemeral port of 127.0.0.1; resolves with the base URL. */
  async listen(port = 0): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops the server and drops open connections (keep-alive sockets would hold `close` forever). */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/cdn/')) {
      this.serveCdn(url.pathname, method, res);
      return;
    }
    const api = /^\/api(?:\/v\d+)?(\/.*)$/.exec(url.pathname);
    const control = /^\/_standin(\/.*)$/.exec(url.pathname);
    const path = api?.[1] ?? control?.[1] ?? url.pathname;
    const found = api ? this.router.match(method, path) : control ? this.controlRouter.match(method, path) : undefined;
    if (!found) {
      this.unknownRoutes.push({ method, path: url.pathname, at: Date.now() });
      this.services.log(
        `unknown route ${method} ${url.pathname}: answered 404 (add it to test/standin/rest if the bot needs it)`,
      );
      this.record(method, path, 404);
      sendJson(res, 404, { message: `404: Not Found (stand-in has no route ${method} ${path})`, code: 0 });
      return;
    }
    try {
      if (found.route.auth && req.headers.authorization !== `Bot ${this.services.token}`) {
        throw new RestError(401, 0, '401: Unauthorized');
      }
      const raw = await readBody(req);
      const body = await parseBody(req, raw);
      const result = await found.route.handler({ params: found.params, query: url.searchParams, body, req });
      const status = isStatusAnswer(result) ? result.status : result === undefined ? 204 : 200;
      const payload = isStatusAnswer(result) ? result.body : result;
      this.record(method, path, status);
      sendJson(res, status, payload);
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      this.record(method, path, error.status);
      this.services.log(`${method} ${path} -> ${error.status} ${error.code} ${error.message}`);
      sendJson(res, error.status, { message: error.message, code: error.code });
    }
  }

  private record(method: string, path: string, status: number): void {
    this.calls.push({ method, path, status, at: Date.now() });
  }

  /** `GET /cdn/attachments/{channel}/{attachment}/{filename}` serves stored bytes. */
  private serveCdn(pathname: string, method: string, res: ServerResponse): void {
    const match = /^\/cdn\/attachments\/([^/]+)\/([^/]+)\/[^/]+$/.exec(pathname);
    const file = match ? this.services.world.files.get(match[2] ?? '') : undefined;
    if (!file || (method !== 'GET' && method !== 'HEAD') || file.channelId !== match?.[1]) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': file.contentType, 'content-length': file.data.length });
    res.end(method === 'HEAD' ? undefined : file.data);
  }
}
