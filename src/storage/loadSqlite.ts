/**
 * Loads the built-in `node:sqlite` module once.
 *
 * Node 22 prints an ExperimentalWarning the first time the module is loaded. That one line would
 * clutter every bot start and CLI run, so exactly that warning (type ExperimentalWarning, message
 * naming SQLite) is dropped while the module loads; every other warning passes through untouched and
 * `process.emitWarning` is restored straight afterwards.
 */
type SqliteModule = typeof import('node:sqlite');

let cached: SqliteModule | undefined;

function isSqliteExperimentalWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  const message = typeof warning === 'string' ? warning : warning.message;
  const type =
    typeof typeOrOptions === 'string'
      ? typeOrOptions
      : typeof typeOrOptions === 'object' && typeOrOptions !== null && 'type' in typeOrOptions
        ? String(typeOrOptions.type)
        : typeof warning === 'string'
          ? undefined
          : warning.name;
  return type === 'ExperimentalWarning' && /SQLite/i.test(message);
}

/** The `node:sqlite` module, loaded without its one-time ExperimentalWarning. */
export function loadSqlite(): SqliteModule {
  if (cached) return cached;
  const original = process.emitWarning.bind(process);
  process.emitWarning = (warning: string | Error, ...rest: unknown[]): void => {
    if (isSqliteExperimentalWarning(warning, rest[0])) return;
    (original as (...args: unknown[]) => void)(warning, ...rest);
  };
  try {
    // getBuiltinModule (Node >= 22.3) reaches the real built-in even under jest's module registry.
    cached = process.getBuiltinModule('node:sqlite');
  } finally {
    // The bound copy behaves as the original (emitWarning only ever runs on process).
    process.emitWarning = original;
  }
  return cached;
}
