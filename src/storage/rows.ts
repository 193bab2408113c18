import type { SQLOutputValue } from 'node:sqlite';
import type { Signal } from '../ml/types';
import type { ConsentRecord, SampleMetadata, StoredSample } from './types';

/** A row as node:sqlite returns it. */
export type Row = Record<string, SQLOutputValue>;

function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== 'string') throw new Error(`Column ${column} is ${v === null ? 'NULL' : typeof v}, expected text.`);
  return v;
}

function int(row: Row, column: string): number {
  const v = row[column];
  if (typeof v !== 'number') throw new Error(`Column ${column} is ${v === null ? 'NULL' : typeof v}, expected a number.`);
  return v;
}

/** A consents row → ConsentRecord. */
export function toConsent(row: Row): ConsentRecord {
  return {
    personId: text(row, 'person_id'),
    textVersion: text(row, 'text_version'),
    scope: JSON.parse(text(row, 'scope')) as Signal[],
    grantedAt: text(row, 'granted_at'),
    revokedAt: row.revoked_at === null ? null : text(row, 'revoked_at'),
  };
}

/** A samples row (with a `has_raw` column instead of the blob) → StoredSample. */
export function toSample(row: Row): StoredSample {
  return {
    id: int(row, 'id'),
    personId: text(row, 'person_id'),
    emotion: text(row, 'emotion'),
    // The CHECK constraint guarantees the signal, and features were validated against it on insert.
    signal: text(row, 'signal') as Signal,
    features: JSON.parse(text(row, 'features')),
    metadata: JSON.parse(text(row, 'metadata')) as SampleMetadata,
    createdAt: text(row, 'created_at'),
    hasRawMedia: int(row, 'has_raw') === 1,
  } as StoredSample;
}

export { int as intColumn, text as textColumn };
