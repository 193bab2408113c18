import { parentPort, workerData } from 'node:worker_threads';
import { analyzeVoiceAsync } from '../audio/features';
import { analyzeFace, loadFaceNets } from '../face';
import { genericFaceProbabilities } from '../face/generic';
import { trainPersonModel } from '../model';
import { PauseBudget, setPausePoint } from '../model/pause';
import { applyNiceness } from './niceness';
import type { WorkerRequest, WorkerResponse } from './protocol';

// The training thread runs at nice 19 (TRAINING_NICENESS): on a 2-core machine a calibration then
// only takes CPU that nobody's /ask is waiting for.
const options = (workerData ?? {}) as { niceness?: number; analysisInFlight?: SharedArrayBuffer };
const niceness = applyNiceness(options.niceness);

/** Longest single wait at a pause point (see PauseBudget: all waits together are bounded too). */
const MAX_PAUSE_MS = 100;
const budget = new PauseBudget(MAX_PAUSE_MS);

if (options.analysisInFlight) {
  const inFlight = new Int32Array(options.analysisInFlight);
  setPausePoint(() => {
    const allowance = budget.allowance();
    if (allowance <= 0 || Atomics.load(inFlight, 0) === 0) return;
    const start = Date.now();
    const deadline = start + allowance;
    for (let n = Atomics.load(inFlight, 0); n > 0 && Date.now() < deadline; n = Atomics.load(inFlight, 0)) {
      Atomics.wait(inFlight, 0, n, deadline - Date.now());
    }
    budget.waited(Date.now() - start);
  });
}

/**
 * The worker side of the engine: runs one request at a time. Expected failures travel back as Result
 * values inside `result`; only unexpected errors become `ok: false`.
 */
async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'face':
      return analyzeFace(req.image);
    case 'voice':
      // Every clip the bot reads may become training data (a calibration sample, or a corrected /ask).
      return analyzeVoiceAsync(req.audio, { crops: true });
    case 'train':
      budget.start();
      return trainPersonModel(req.samples, req.emotions, genericFaceProbabilities);
    case 'warmup':
      // Loads tf and the face nets so the first selfie is not also the slowest.
      if (req.faceNets) await loadFaceNets();
      return { niceness };
  }
}

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');
port.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (result) => port.postMessage({ id: req.id, ok: true, result } satisfies WorkerResponse),
    (err: unknown) =>
      port.postMessage({
        id: req.id,
        ok: false,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
      } satisfies WorkerResponse),
  );
});
