// Preloaded (--require) into the compiled bot by test/e2e/startBuilt.test.ts, and inherited by its
// worker threads: loading tsx or any .ts file throws, so a passing test proves dist/ runs on Node alone.
const Module = require('node:module');

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'tsx' || request.startsWith('tsx/') || /\.[cm]?ts$/.test(request))
    throw new Error(`withoutTsx: the compiled bot tried to load ${request}`);
  return load.call(this, request, parent, isMain);
};
