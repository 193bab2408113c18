import { createHash, randomBytes } from 'node:crypto';
import type { LogContext, Logger } from '../../ml/types';

export { silentLogger, type LogContext, type Logger } from '../../ml/types';

/** Log levels, least to most severe (`ATTUNE_LOG_LEVEL` picks the least written). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

// A per-process salt: lines of one run can be correlated, but a hash cannot be looked up against a
// known user id, and runs cannot be joined to track a person over time.
const salt = randomBytes(16);

/** A short, salted hash of a Discord user id for logs. */
export function hashUserId(userId: string): string {
  return createHash('sha256').update(salt).update(userId).digest('hex').slice(0, 12);
}

/** Error details safe to log: name, message and stack, nothing from the request that caused it. */
function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error)
    return { name: error.name, message: error.message, stack: error.stack?.split('\n').slice(0, 6).join('\n') };
  return { message: String(error) };
}

/** The bot's {@link Logger}: JSON lines (`time`, `level`, `event`, context) to `write` (stdout by default), dropping lines below `minLevel`. */
export function createLogger(opts: { minLevel?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const min = LOG_LEVELS.indexOf(opts.minLevel ?? 'info');
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (level: LogLevel, event: string, context: LogContext = {}) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    const { error, ...rest } = context;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level, event, ...rest };
    if (error !== undefined) line.error = describeError(error);
    write(JSON.stringify(line));
  };
  return {
    debug: (e, c) => emit('debug', e, c),
    info: (e, c) => emit('info', e, c),
    warn: (e, c) => emit('warn', e, c),
    error: (e, c) => emit('error', e, c),
  };
}
