// Worker bootstrap when the bot runs as TypeScript (tsx, jest): a worker thread does not inherit the
// parent's loaders in every host (jest's in-process transform, for one), so register tsx's CommonJS
// hook here, then load the real worker. The compiled bot (dist/) starts engineWorker.js directly
// (see workerScript.ts).
require('tsx/cjs');
require('./engineWorker.ts');
