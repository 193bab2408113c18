/**
 * Why a store call was refused. These are programming contracts rather than bad user input: a command
 * checks consent before writing, so reaching one of these means the caller skipped a step. The bot
 * still turns `no_consent` into a clear reply ("please run /consent first").
 */
export type StoreErrorCode =
  | 'no_consent' // the person has no current (unrevoked) consent
  | 'consent_scope' // consent exists but does not cover this signal
  | 'invalid' // a malformed argument (empty id, non-finite number, oversized blob, unknown source)
  | 'schema_too_new' // the database was written by a newer Attune
  | 'migration_failed' // a schema migration threw; the database was left at the previous version
  | 'closed'; // the store was used after close()

/** A typed error from the storage layer; `code` says what went wrong, `message` is readable English. */
export class StoreError extends Error {
  override readonly name = 'StoreError';

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `error` is a StoreError (with the given code, if one is given). */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
