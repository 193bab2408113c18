import type { Failure } from '../ml/types';

/**
 * An expected problem the person can fix (no face, wrong file, not allowed here...): shown to them as
 * an ephemeral message, logged only as an event name.
 */
export class UserError extends Error {
  constructor(
    /** A stable identifier for logs and tests. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** Wraps a core `Result` failure (its message is already readable). */
  static from(failure: Failure, prefix?: string): UserError {
    return new UserError(failure.code, prefix ? `${prefix} ${failure.message}` : failure.message);
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The reply for anything unexpected: no details, the log has them. */
export const GENERIC_ERROR_MESSAGE = 'Something went wrong on my side. Please try again in a moment.';
