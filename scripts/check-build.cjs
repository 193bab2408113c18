// Run before `npm start`: the compiled bot must exist and be newer than every source it was built
// from, or start-up stops with what to run. Building here instead would need the dev dependencies
// (TypeScript) on a production host and add a compile to every restart; running a stale build would
// silently serve old code.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const STAMP = path.join(ROOT, 'dist', 'BUILD');
const SOURCES = ['src', 'models', 'tsconfig.json', 'tsconfig.build.json'];

/** The most recently modified file under `target` (a file or a folder), or null if none. */
function newest(target) {
  let stat;
  try {
    stat = fs.statSync(target);
  } catch {
    return null;
  }
  if (!stat.isDirectory()) return { file: target, mtimeMs: stat.mtimeMs };
  let best = null;
  for (const name of fs.readdirSync(target)) {
    const found = newest(path.join(target, name));
    if (found && (!best || found.mtimeMs > best.mtimeMs)) best = found;
  }
  return best;
}

let built;
try {
  built = fs.statSync(STAMP).mtimeMs;
} catch {
  console.error('Attune is not built: run `npm run build` first (or `npm run dev` to run the TypeScript directly).');
  process.exit(1);
}
for (const source of SOURCES) {
  const found = newest(path.join(ROOT, source));
  if (found && found.mtimeMs > built) {
    console.error(
      `The build in dist/ is older than ${path.relative(ROOT, found.file)}: run \`npm run build\` first (or \`npm run dev\`).`,
    );
    process.exit(1);
  }
}
