import type { RawData } from 'ws';

/** A JSON field that should hold text: the string itself, or '' for anything else (absent, null, not text). */
export function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A WebSocket message as one Buffer, whichever of ws's shapes it arrived in. */
export function rawBytes(raw: RawData): Buffer {
  if (Array.isArray(raw)) return Buffer.concat(raw);
  if (Buffer.isBuffer(raw)) return raw;
  return Buffer.from(raw);
}

/** A WebSocket message as text. */
export function rawText(raw: RawData): string {
  return rawBytes(raw).toString('utf8');
}
