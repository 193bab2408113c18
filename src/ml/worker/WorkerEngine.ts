import type { AttuneEngine } from '../engine';
import { genericFaceProbabilities } from '../face/generic';
import { predictWithModel } from '../model';
import type { Emotion, FaceFeatures, LabelledSample, Pcm, PersonModel, Prediction, Result, VoiceFeatures } from '../types';
import { WorkerClient } from './WorkerClient';

export interface WorkerEngineOptions {
  /** Per-request limits; a stuck request is abandoned and its thread replaced. */
  analyzeTimeoutMs?: number;
  trainTimeoutMs?: number;
}

/**
 * The engine the bot uses: face and voice analysis in one worker thread (it holds the face models),
 * training in another, so a calibration never delays someone else's /ask. Prediction is a few hundred
 * multiply-adds and runs inline.
 */
export class WorkerEngine implements AttuneEngine {
  private readonly analysis: WorkerClient;
  private readonly training: WorkerClient;

  constructor(opts: WorkerEngineOptions = {}) {
    this.analysis = new WorkerClient('analysis', opts.analyzeTimeoutMs ?? 30_000);
    this.training = new WorkerClient('training', opts.trainTimeoutMs ?? 60_000);
  }

  /** Loads the face models now rather than on the first request. */
  async warmUp(): Promise<void> {
    await this.analysis.call({ op: 'warmup' });
  }

  analyzeFace(image: Uint8Array): Promise<Result<FaceFeatures>> {
    return this.analysis.call({ op: 'face', image });
  }

  analyzeVoice(audio: Uint8Array | Pcm): Promise<Result<VoiceFeatures>> {
    return this.analysis.call({ op: 'voice', audio });
  }

  train(samples: LabelledSample[], emotions: readonly Emotion[]): Promise<Result<PersonModel>> {
    return this.training.call({ op: 'train', samples, emotions: [...emotions] });
  }

  async predict(model: PersonModel | null, input: { face?: FaceFeatures; voice?: VoiceFeatures }, emotions?: readonly Emotion[]): Promise<Prediction> {
    return predictWithModel(model, input, genericFaceProbabilities, emotions);
  }

  async close(): Promise<void> {
    await Promise.all([this.analysis.close(), this.training.close()]);
  }
}
