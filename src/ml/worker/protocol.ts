import type { Emotion, LabelledSample, Pcm } from '../types';

/** Messages between the engine (main thread) and its worker threads. Plain data only. */
export type WorkerRequest =
  | { id: number; op: 'face'; image: Uint8Array }
  | { id: number; op: 'voice'; audio: Uint8Array | Pcm }
  | { id: number; op: 'train'; samples: LabelledSample[]; emotions: Emotion[] }
  | { id: number; op: 'warmup'; faceNets: boolean };

export type WorkerResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
