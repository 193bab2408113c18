import type {
  Emotion,
  FaceFeatures,
  LabelledSample,
  Pcm,
  PersonModel,
  Prediction,
  Result,
  VoiceFeatures,
} from './types';

/**
 * The one door into the recognition core for the bot and the CLIs. Implementations run the heavy work
 * (image and audio decoding, face-api inference, training) off the caller's event loop, in worker threads.
 */
export interface AttuneEngine {
  /** Decode an image (JPEG, PNG, WebP) and read the largest face. */
  analyzeFace(image: Uint8Array): Promise<Result<FaceFeatures>>;
  /**
   * Decode audio (Ogg Opus, WAV, MP3 bytes) or take raw PCM, trim silence, extract features: the whole
   * clip's, and its parts' as training views (VoiceFeatures.crops).
   */
  analyzeVoice(audio: Uint8Array | Pcm): Promise<Result<VoiceFeatures>>;
  /** Train a personal model from labelled samples (>= 2 per emotion for a signal to be used). */
  train(samples: LabelledSample[], emotions: readonly Emotion[]): Promise<Result<PersonModel>>;
  /** Read emotion from whichever signals are given; `model` null means the generic face model. */
  predict(
    model: PersonModel | null,
    input: { face?: FaceFeatures; voice?: VoiceFeatures },
    emotions?: readonly Emotion[],
  ): Promise<Prediction>;
  /**
   * Runs someone's interactive request (an /ask from acknowledgement to answer) with priority:
   * training steps aside until it settles. Returns what `work` returns.
   */
  interactive<T>(work: () => Promise<T>): Promise<T>;
  /** Stop the workers. */
  close(): Promise<void>;
}
