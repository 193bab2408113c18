// `npm run build`: compiles src/ to dist/ with tsconfig.build.json, from a clean dist/ so a moved or
// deleted source leaves no stale .js behind; copies the plain-JavaScript files tsc does not emit (the
// eSpeak worker is an ES module on purpose, see src/reply/speech/espeakWorker.mjs); then writes
// dist/BUILD, which `npm start` (scripts/check-build.cjs) compares with the sources. Extra arguments
// go to tsc (`npm run build -- --listEmittedFiles`).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

/** Files under `dir` (recursively) whose name passes `keep`. */
function filesUnder(dir, keep) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(file, keep);
    return keep(entry.name) ? [file] : [];
  });
}

fs.rmSync(DIST, { recursive: true, force: true });
try {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', ...process.argv.slice(2)],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
} catch {
  // tsc has printed the errors; leave no half-built dist/ that npm start could run.
  fs.rmSync(DIST, { recursive: true, force: true });
  process.stderr.write('build failed: see the TypeScript errors above\n');
  process.exit(1);
}
for (const file of filesUnder(path.join(ROOT, 'src'), (name) => name.endsWith('.mjs'))) {
  const target = path.join(DIST, path.relative(ROOT, file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
}
fs.writeFileSync(path.join(DIST, 'BUILD'), `${new Date().toISOString()}\n`);
