import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Upload } from '../world/World';
import type { Json } from '../world/types';

/** Discord's upload limit for bots in an unboosted server is 10 MiB; keep a little headroom for JSON. */
export const MAX_BODY_BYTES = 11 * 1024 * 1024;

/** A thrown REST error: becomes `{message, code}` with that HTTP status, like Discord's error bodies. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A parsed request body: JSON fields and any uploaded files. */
export interface ParsedBody {
  json: Json;
  uploads: Upload[];
}

/** Reads the whole body, refusing more than `MAX_BODY_BYTES` with Discord's 40005. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new RestError(413, 40005, 'Request entity too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Parses JSON or multipart/form-data (`payload_json` + `files[n]`) bodies. Multipart goes through the
 * WHATWG `Request#formData()` built into Node, which is a complete, tested parser.
 */
export async function parseBody(req: IncomingMessage, raw: Buffer): Promise<ParsedBody> {
  const type = req.headers['content-type'] ?? '';
  if (raw.length === 0) return { json: {}, uploads: [] };
  if (type.startsWith('multipart/form-data')) {
    const form = await new Request('http://standin.invalid/', {
      method: 'POST',
      headers: { 'content-type': type },
      body: raw,
    }).formData();
    const payload = form.get('payload_json');
    const json = typeof payload === 'string' ? parseJson(payload) : {};
    const uploads: Upload[] = [];
    for (const [key, value] of form.entries()) {
      const match = /^files\[(\d+)\]$/.exec(key);
      if (!match || typeof value === 'string') continue;
      uploads.push({
        index: Number(match[1]),
        filename: value.name,
        contentType: value.type || 'application/octet-stream',
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { json, uploads };
  }
  return { json: parseJson(raw.toString('utf8')), uploads: [] };
}

function parseJson(text: string): Json {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Json;
    if (Array.isArray(value)) return { __array: value };
  } catch {
    // fall through
  }
  throw new RestError(400, 50109, 'The request body contains invalid JSON.');
}

/** Sends a JSON answer (or an empty 204 when `body` is undefined). */
export function sendJson(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status === 200 ? 204 : status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
