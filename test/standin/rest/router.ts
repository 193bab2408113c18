import type { IncomingMessage } from 'node:http';
import type { ParsedBody } from './http';

/** What a route handler gets: path parameters, query, parsed body and the raw request. */
export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: ParsedBody;
  req: IncomingMessage;
}

/** A handler returns the JSON to send (200), `undefined` for 204, or `{status, body}`. */
export type RouteHandler = (ctx: RouteContext) => unknown;

/** Marks an answer with a status other than 200/204. */
export interface StatusAnswer {
  status: number;
  body?: unknown;
}

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  auth: boolean;
  handler: RouteHandler;
}

/**
 * A minimal method + path router. Patterns use `:name` segments; paths are matched after decoding so
 * `@original` matches whether the client sent `@` or `%40`.
 */
export class Router {
  private readonly routes: Route[] = [];

  /** Adds a route. `auth: false` for interaction/webhook routes, which Discord authorises by token in the URL. */
  add(method: string, path: string, handler: RouteHandler, auth = true): this {
    const names: string[] = [];
    const source = path.replace(/:(\w+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, auth, handler });
    return this;
  }

  /** Finds the route for a request; `undefined` when none matches. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const found = route.pattern.exec(path);
      if (!found) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1] ?? '');
      });
      return { route, params };
    }
    return undefined;
  }
}

/** Builds a non-default status answer. */
export function withStatus(status: number, body?: unknown): StatusAnswer & { __status: true } {
  return { status, body, __status: true };
}

/** Whether a handler result is a status answer. */
export function isStatusAnswer(value: unknown): value is StatusAnswer {
  return typeof value === 'object' && value !== null && (value as { __status?: boolean }).__status === true;
}
