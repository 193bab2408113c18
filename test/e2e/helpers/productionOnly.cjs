// Preloaded (--require) into the compiled bot by test/e2e/startBuilt.test.ts, and inherited by its
// worker threads: loading tsx, a .ts file, or a package that is only a devDependency (the
// @tensorflow/tfjs union face-api's bundle needs, meyda) throws, so a passing test proves dist/ runs
// on Node alone with what `npm ci --omit=dev` installs.
const Module = require('node:module');

const DEV_ONLY = new Set(['tsx', '@tensorflow/tfjs', 'meyda']);

const load = Module._load;
Module._load = function (request, parent, isMain) {
  const bare = request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0];
  if (DEV_ONLY.has(bare) || /\.[cm]?ts$/.test(request))
    throw new Error(`productionOnly: the compiled bot tried to load ${request}`);
  return load.call(this, request, parent, isMain);
};
