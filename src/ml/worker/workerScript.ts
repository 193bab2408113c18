import path from 'node:path';

/** True when this module runs compiled (dist/, `npm start`), false under tsx or jest. */
const COMPILED = path.extname(__filename) === '.js';

/**
 * The file to start a worker thread from, for the TypeScript module `<dir>/<name>.ts`. Compiled, that
 * is its `.js` beside it, loaded by Node alone. From source it is the `<name>.cjs` bootstrap next to it,
 * which registers tsx first: a worker thread does not inherit the parent's loaders in every host
 * (jest's in-process transform, for one), and the compiled bot must not need tsx at all.
 */
export function workerScript(dir: string, name: string): string {
  return path.join(dir, `${name}${COMPILED ? '.js' : '.cjs'}`);
}
