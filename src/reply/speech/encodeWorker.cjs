// Worker bootstrap (see src/ml/worker/entry.cjs): register tsx's CommonJS hook, then load the worker.
require('tsx/cjs');
require('./encodeWorker.ts');
