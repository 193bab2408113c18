/**
 * Why a store call was refused. These are programming contracts rather than bad user input: a command
 * checks consent before writing, so reaching one of these means the caller skipped a step. The bot
 * still turns `no_consent` into a clear reply ("please run /consent first"). `unavailable` is the one
 * an operator causes: the database could not be reached even after retrying, and nothing was written
 * (the person can be told to try again).
 */
export type StoreErrorCode =
  | 'no_consent' // the person has no current (unrevoked) consent
  | 'consent_scope' // consent exists but does not cover this signal
  | 'invalid' // a malformed argument (empty id, non-finite number, oversized blob, unknown source)
  | 'schema_too_new' // the database was written by a newer Attune
  | 'migration_failed' // a schema migration threw; the database was left at the previous version
  | 'wrong_master_key' // the database was encrypted under a different master key
  | 'key_unreadable' // a sealed value failed to decrypt (altered data or a wrong key)
  | 'unavailable' // the database could not be reached (after retries); the write did not happen
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
