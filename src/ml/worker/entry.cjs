// Worker bootstrap: the project runs TypeScript without a build step (tsx), and a worker thread does not
// inherit the parent's loaders in every host (jest's in-process transform, for one), so register tsx's
// CommonJS hook here, then load the real worker.
require('tsx/cjs');
require('./engineWorker.ts');
