/**
 * A local stand-in of the OpenAI chat-completions API on 127.0.0.1, for tests. Each test sets how the
 * next requests are answered (a reply, an HTTP status, silence past the timeout, broken JSON) and reads
 * back what was sent.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackApiServer } from './LoopbackApiServer';

export type OpenAiBehaviour =
  | { kind: 'reply'; content: string }
  | { kind: 'status'; status: number }
  | { kind: 'hang'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'no_choices' };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export class OpenAiStandin extends LoopbackApiServer {
  readonly requests: RecordedRequest[] = [];
  behaviour: OpenAiBehaviour = { kind: 'reply', content: 'Hello from the stand-in.' };

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    const b = this.behaviour;
    switch (b.kind) {
      case 'reply': {
        const model = (body as { model?: string } | null)?.model ?? 'unknown';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'chatcmpl-standin',
            object: 'chat.completion',
            created: 0,
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: b.content }, finish_reason: 'stop' }],
          }),
        );
        return;
      }
      case 'status':
        res.writeHead(b.status, { 'content-type': 'application/json' }).end('{"error":{"message":"stand-in failure"}}');
        return;
      case 'hang':
        // Answer only after the client should have given up (the socket is destroyed on stop()).
        setTimeout(() => {
          if (!res.destroyed) res.writeHead(200).end('{}');
        }, b.ms).unref();
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ {"message": ');
        return;
      case 'no_choices':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": []}');
        return;
    }
  }
}
