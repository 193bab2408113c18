// Worker bootstrap under tsx or jest (see src/ml/worker/engineWorker.cjs): register tsx's CommonJS
// hook, then load the worker. The compiled bot starts encodeWorker.js directly.
require('tsx/cjs');
require('./encodeWorker.ts');
