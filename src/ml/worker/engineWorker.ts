import { parentPort } from 'node:worker_threads';
import { analyzeVoiceAsync } from '../audio/features';
import { analyzeFace, loadFaceNets } from '../face';
import { genericFaceProbabilities } from '../face/generic';
import { trainPersonModel } from '../model';
import type { WorkerRequest, WorkerResponse } from './protocol';

/**
 * The worker side of the engine: runs one request at a time. Expected failures travel back as Result
 * values inside `result`; only unexpected errors become `ok: false`.
 */
async function handle(req: WorkerRequest): Promise<unknown> {
  switch (req.op) {
    case 'face':
      return analyzeFace(req.image);
    case 'voice':
      return analyzeVoiceAsync(req.audio);
    case 'train':
      return trainPersonModel(req.samples, req.emotions, genericFaceProbabilities);
    case 'warmup':
      // Loads tf and the face nets so the first selfie is not also the slowest.
      await loadFaceNets();
      return null;
  }
}

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');
port.on('message', (req: WorkerRequest) => {
  handle(req).then(
    (result) => port.postMessage({ id: req.id, ok: true, result } satisfies WorkerResponse),
    (err: unknown) => port.postMessage({ id: req.id, ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies WorkerResponse),
  );
});
