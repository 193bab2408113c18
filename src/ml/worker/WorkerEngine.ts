import type { AttuneEngine } from '../engine';
import { genericFaceProbabilities } from '../face/generic';
import { predictWithModel } from '../model';
import { assertPretrainedOnce } from '../pretrained';
import type {
  Emotion,
  FaceFeatures,
  LabelledSample,
  Pcm,
  PersonModel,
  Prediction,
  Result,
  VoiceFeatures,
} from '../types';
import { checkFaceReply, checkTrainReply, checkVoiceReply } from './replies';
import { WorkerClient } from './WorkerClient';

/** Niceness of the training thread: below analysis and the gateway, above idle. */
export const TRAINING_NICENESS = 19;

export interface WorkerEngineOptions {
  /** Per-request limits; a stuck request is abandoned and its thread replaced. */
  analyzeTimeoutMs?: number;
  trainTimeoutMs?: number;
  /**
   * A thread that worked and then sat idle this long is replaced by a fresh, warmed one, giving back
   * what its WebAssembly heaps grew to (measured: a burst of 20 /ask left the engine threads 142 MB
   * larger). Default 30 s; 0 keeps threads for the life of the engine.
   */
  recycleIdleMs?: number;
}

/** See WorkerEngineOptions.recycleIdleMs. */
const DEFAULT_RECYCLE_IDLE_MS = 30_000;

/**
 * The engine the bot uses: face and voice analysis in one worker thread (it holds the face models),
 * training in another, so a calibration never delays someone else's /ask. Prediction is a few hundred
 * multiply-adds and runs inline.
 */
export class WorkerEngine implements AttuneEngine {
  private readonly analysis: WorkerClient;
  private readonly training: WorkerClient;
  /** Analyses and interactive requests in flight, shared with the training thread, which pauses while it is non-zero. */
  private readonly inFlight = new Int32Array(new SharedArrayBuffer(4));

  /**
   * Checks the pretrained files the threads will load against models/manifest.json first (once per
   * process): a changed or missing file throws a PretrainedFilesError naming it, so `npm start` stops
   * with exit code 1 before logging in instead of mispredicting later.
   */
  constructor(opts: WorkerEngineOptions = {}) {
    assertPretrainedOnce();
    const idleMs = opts.recycleIdleMs ?? DEFAULT_RECYCLE_IDLE_MS;
    this.analysis = new WorkerClient(
      'analysis',
      opts.analyzeTimeoutMs ?? 30_000,
      undefined,
      undefined,
      idleMs > 0 ? { idleMs, warm: { op: 'warmup', faceNets: true } } : undefined,
    );
    // Training yields the CPU to analysis: it runs at nice 19 and pauses while an analysis or an answer
    // is in flight (../model/pause.ts). `npm run bench:bot`: /ask was 68-79% slower while calibrations
    // trained back to back at equal priority; with both measures, -4% to +12% over six runs.
    this.training = new WorkerClient(
      'training',
      opts.trainTimeoutMs ?? 60_000,
      TRAINING_NICENESS,
      this.inFlight.buffer,
      idleMs > 0 ? { idleMs, warm: { op: 'warmup', faceNets: false } } : undefined,
    );
  }

  /** Loads the face models now rather than on the first request. */
  async warmUp(): Promise<void> {
    await Promise.all([
      this.analysis.call({ op: 'warmup', faceNets: true }, [], false),
      this.training.call({ op: 'warmup', faceNets: false }, [], false),
    ]);
  }

  /** Threads replaced after sitting idle, per thread (tests, logs). */
  get recycled(): { analysis: number; training: number } {
    return { analysis: this.analysis.recycled, training: this.training.recycled };
  }

  /** The training thread's niceness as the OS reports it (null where it cannot be set). */
  async trainingNiceness(): Promise<number | null> {
    return (await this.training.call<{ niceness: number | null }>({ op: 'warmup', faceNets: false })).niceness;
  }

  analyzeFace(image: Uint8Array): Promise<Result<FaceFeatures>> {
    return this.analyzing(this.analysis.call({ op: 'face', image }).then(checkFaceReply));
  }

  analyzeVoice(audio: Uint8Array | Pcm): Promise<Result<VoiceFeatures>> {
    return this.analyzing(this.analysis.call({ op: 'voice', audio }).then(checkVoiceReply));
  }

  interactive<T>(work: () => Promise<T>): Promise<T> {
    return this.analyzing(Promise.resolve().then(work));
  }

  /** Counts an analysis (or interactive request) as in flight until it settles; training steps aside meanwhile. */
  private analyzing<T>(request: Promise<T>): Promise<T> {
    Atomics.add(this.inFlight, 0, 1);
    const done = () => {
      Atomics.sub(this.inFlight, 0, 1);
      Atomics.notify(this.inFlight, 0);
    };
    request.then(done, done);
    return request;
  }

  train(samples: LabelledSample[], emotions: readonly Emotion[]): Promise<Result<PersonModel>> {
    return this.training.call({ op: 'train', samples, emotions: [...emotions] }).then(checkTrainReply);
  }

  predict(
    model: PersonModel | null,
    input: { face?: FaceFeatures; voice?: VoiceFeatures },
    emotions?: readonly Emotion[],
  ): Promise<Prediction> {
    // Inline (see above); the executor turns a throw into a rejection, as a worker's failure would be.
    return new Promise((resolve) => resolve(predictWithModel(model, input, genericFaceProbabilities, emotions)));
  }

  async close(): Promise<void> {
    await Promise.all([this.analysis.close(), this.training.close()]);
  }
}
