import type { RawData } from 'ws';

/** A JSON field that should hold text: the string itself, or '' for anything else (absent, null, not text). */
export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A WebSocket message as text, whichever of ws's shapes it arrived in. */
export function rawText(raw: RawData): string {
  if (Array.isArray(raw)) return Buffer.concat(raw).toString('utf8');
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return Buffer.from(new Uint8Array(raw)).toString('utf8');
}
