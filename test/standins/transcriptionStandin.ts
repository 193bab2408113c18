/**
 * A local stand-in of the OpenAI-compatible transcription API (`POST /v1/audio/transcriptions`) on
 * 127.0.0.1, for tests and the benchmark. It parses the multipart request the way a real server
 * must (boundary, parts, file name and content type) and records it; each test sets how requests
 * are answered: a fixed transcript after a delay, an HTTP status, silence past the timeout, a slow
 * trickle, a huge body, or JSON of the wrong shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackApiServer } from './LoopbackApiServer';

export type TranscriptionBehaviour =
  | { kind: 'text'; text: string; delayMs?: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'trickle'; text: string; bytesPerTick: number; tickMs: number }
  | { kind: 'huge'; bytes: number }
  | { kind: 'malformed' }
  | { kind: 'wrong_shape' };

/** One multipart part as received. */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export interface TranscriptionRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Bytes of the whole request body. */
  bodyBytes: number;
  /** Parsed multipart parts, or null when the body was not multipart/form-data. */
  parts: MultipartPart[] | null;
  /** Text fields (model, language, response_format, ...). */
  fields: Record<string, string>;
  file?: MultipartPart;
  /** When the request's last byte arrived (Date.now()). */
  receivedAt: number;
}

/** Parses a multipart/form-data body (RFC 7578); null when it is not one. */
export function parseMultipart(contentType: string | undefined, body: Buffer): MultipartPart[] | null {
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;]+))/iu.exec(contentType ?? '');
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: MultipartPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) return null;
  for (;;) {
    at += delimiter.length;
    if (body.subarray(at, at + 2).toString() === '--') return parts;
    at += 2; // CRLF after the delimiter
    const headerEnd = body.indexOf('\r\n\r\n', at);
    if (headerEnd < 0) return null;
    const headers = body.subarray(at, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) return null;
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/iu.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/u.exec(disposition)?.[1];
    if (name === undefined) return null;
    const filename = /\bfilename="([^"]*)"/u.exec(disposition)?.[1];
    const type = /content-type:\s*([^\r\n]+)/iu.exec(headers)?.[1]?.trim();
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      ...(type ? { contentType: type } : {}),
      data: body.subarray(headerEnd + 4, next),
    });
    at = next + 2;
  }
}

export class TranscriptionStandin extends LoopbackApiServer {
  readonly requests: TranscriptionRequest[] = [];
  behaviour: TranscriptionBehaviour = { kind: 'text', text: 'How do you spell tree?' };
  /** When set, a request without `authorization: Bearer <key>` gets 401. */
  requireKey: string | null = null;

  /** The environment that points the bot's transcriber here. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      ATTUNE_TRANSCRIBER: 'openai',
      TRANSCRIBE_BASE_URL: this.baseUrl,
      TRANSCRIBE_MODEL: 'whisper-standin',
      ...extra,
    };
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const parts = parseMultipart(req.headers['content-type'], body);
    const fields: Record<string, string> = {};
    for (const p of parts ?? []) if (p.filename === undefined) fields[p.name] = p.data.toString('utf8');
    const file = parts?.find((p) => p.name === 'file' && p.filename !== undefined);
    this.requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      bodyBytes: body.length,
      parts,
      fields,
      ...(file ? { file } : {}),
      receivedAt: Date.now(),
    });

    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions') return void res.writeHead(404).end();
    if (this.requireKey !== null && req.headers.authorization !== `Bearer ${this.requireKey}`)
      return void json(401, { error: { message: 'bad key' } });
    // What a real server refuses: not multipart, no file, no model.
    if (!parts || !file || file.data.length === 0 || !fields['model'])
      return void json(400, { error: { message: 'file and model are required' } });

    const b = this.behaviour;
    switch (b.kind) {
      case 'text':
        if (b.delayMs) await new Promise((r) => setTimeout(r, b.delayMs));
        if (!res.destroyed) json(200, { text: b.text });
        return;
      case 'status':
        json(b.status, { error: { message: 'stand-in failure' } });
        return;
      case 'hang':
        return; // never answers; the socket is destroyed on stop()
      case 'trickle': {
        const whole = Buffer.from(JSON.stringify({ text: b.text }));
        res.writeHead(200, { 'content-type': 'application/json' });
        for (let at = 0; at < whole.length && !res.destroyed; at += b.bytesPerTick) {
          res.write(whole.subarray(at, at + b.bytesPerTick));
          await new Promise((r) => setTimeout(r, b.tickMs));
        }
        if (!res.destroyed) res.end();
        return;
      }
      case 'huge': {
        // No content-length: the client must count what arrives.
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"text":"');
        const block = Buffer.alloc(64 * 1024, 'a');
        for (let sent = 0; sent < b.bytes && !res.destroyed; sent += block.length) {
          if (!res.write(block)) await new Promise((r) => res.once('drain', r).once('close', r));
        }
        if (!res.destroyed) res.end('"}');
        return;
      }
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"text": "how do');
        return;
      case 'wrong_shape':
        json(200, { transcript: 'how do you spell tree', segments: [] });
        return;
    }
  }
}
