/**
 * Shared vocabulary of the recognition core. Pure types and tiny helpers only: no I/O, no models.
 * Everything here is plain data so it can cross worker-thread boundaries (structured clone) and be
 * stored as JSON.
 */

/** An emotion label. Free-form so a person can calibrate any set; the default set is below. */
export type Emotion = string;

export const DEFAULT_EMOTIONS: readonly Emotion[] = ['happy', 'neutral', 'sad'];

/** The two signals Attune reads. */
export type Signal = 'face' | 'voice';

/**
 * face-api's seven expression labels, in the order its expression net outputs them: the keys of
 * {@link FaceFeatures.expressions}.
 */
export const EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

/** One of {@link EXPRESSION_LABELS}. */
export type FaceExpression = (typeof EXPRESSION_LABELS)[number];

/**
 * Expected failures of the core: bad media or input a person can fix. The caller (a slash command,
 * the CLI) turns `code` into a clear, specific message; `message` is already readable English.
 * Network, Discord and capacity problems are not media failures: the bot has its own codes for them
 * (src/bot/errors.ts).
 */
export type FailureCode =
  | 'empty' // zero bytes
  | 'too_large' // byte size over the limit
  | 'too_many_pixels' // image header declares more pixels than allowed (decompression bomb)
  | 'unsupported_format' // not a format we decode (by magic bytes)
  | 'corrupt' // right format, broken content (truncated, bad stream)
  | 'no_face' // image fine, no face found
  | 'face_too_small' // a face, but too small to read reliably
  | 'silence' // audio decoded, but no speech in it
  | 'too_short' // speech shorter than the minimum
  | 'too_long' // audio longer than the maximum
  | 'not_enough_samples' // calibration needs at least 2 per class
  | 'invalid'; // anything else the caller got wrong (bad argument)

/** A failure with a code from `C` (media failures by default; the bot has codes of its own). */
export interface Failure<C extends string = FailureCode> {
  ok: false;
  code: C;
  message: string;
}

export interface Success<T> {
  ok: true;
  value: T;
}

export type Result<T, C extends string = FailureCode> = Success<T> | Failure<C>;

export function ok<T>(value: T): Success<T> {
  return { ok: true, value };
}

export function fail<C extends string = FailureCode>(code: C, message: string): Failure<C> {
  return { ok: false, code, message };
}

/** A class-probability vector keyed by emotion; values sum to 1. */
export type Probabilities = Record<Emotion, number>;

/** What the face pipeline extracts from one image (the largest face when there are several). */
export interface FaceFeatures {
  /** Number of faces found; the largest one was used. */
  faceCount: number;
  /** Face box in pixels of the (orientation-corrected) image. */
  box: { x: number; y: number; width: number; height: number };
  /** Detector score in [0, 1]. */
  score: number;
  /** face-api's seven expression probabilities, keyed by {@link EXPRESSION_LABELS}. */
  expressions: Record<string, number>;
  /** 68 landmarks normalised to the face box (x, y in [0, 1] roughly), flattened [x0, y0, x1, y1, ...]. */
  landmarks: number[];
  /** 128-d face descriptor (identity embedding). */
  descriptor: number[];
  /**
   * Pose- and scale-normalised landmark geometry features (mouth corner lift, mouth opening, brow
   * height, eye opening, ...): named, so a per-person model can subtract that person's neutral face.
   */
  geometry: Record<string, number>;
}

/** What the voice pipeline extracts from one clip. */
export interface VoiceFeatures {
  /** Duration of the speech kept after trimming silence, seconds. */
  durationSec: number;
  /** Named prosodic and spectral statistics (pitch, energy, voicing, rate, MFCC stats, spectral shape). */
  stats: Record<string, number>;
  /**
   * The same statistics over overlapping parts of the speech (see CROP_SPANS in audio/features.ts),
   * measured for samples that train a model: extra views of the clip's emotion. Same version as `stats`.
   */
  crops?: Record<string, number>[];
}

/** The most parts a stored or transferred clip may carry (three today); more is a runaway array. */
export const MAX_VOICE_CROPS = 8;

/** One labelled calibration sample: a selfie, a clip, or both taken together. */
export interface LabelledSample {
  emotion: Emotion;
  face?: FaceFeatures;
  voice?: VoiceFeatures;
}

/** What a prediction says about one signal, or the fusion. */
export interface SignalReading {
  emotion: Emotion;
  probabilities: Probabilities;
  /** In [0, 1]; below the model's threshold the caller should say "not sure" instead of a label. */
  confidence: number;
  /** True when this confidence is too low to state the emotion as a fact. */
  uncertain: boolean;
}

export interface Prediction {
  face?: SignalReading;
  voice?: SignalReading;
  /** The fused reading over whichever signals were given. */
  fused: SignalReading;
  /** True when no personal model was used (the generic face model served the person). */
  generic: boolean;
  /** Which signals contributed to `fused`, with the weights used. */
  weights: Partial<Record<Signal, number>>;
}

/** Accuracy of one signal (or the fusion) under cross-validation or on a test set. */
export interface AccuracyReport {
  accuracy: number;
  /** Distinct samples the figure rests on (copies of one photo or clip count once). */
  n: number;
  /** Samples taken, copies included, where that differs from `n`. */
  samples?: number;
  /** True when the accuracy is not clearly above guessing: the person should add samples. */
  nearChance?: boolean;
}

/** Rows are the true emotion, columns the predicted one, in `labels` order. */
export interface ConfusionMatrix {
  labels: Emotion[];
  counts: number[][];
}

/** What calibration measured, stored with the model and shown to the person. */
export interface CalibrationReport {
  face: AccuracyReport | null;
  voice: AccuracyReport | null;
  fused: AccuracyReport | null;
  /** Confusion of the fused (or only available) signal under cross-validation. */
  confusion: ConfusionMatrix;
  /** Samples used per emotion and signal. */
  counts: Record<Emotion, { face: number; voice: number }>;
  /** Voice clips left out because an older Attune measured their features (record them again). */
  outdatedVoiceSamples?: number;
}

/**
 * A trained personal model: plain JSON, versioned. The classifier internals are opaque to callers
 * (`face` / `voice` hold whatever src/ml/model serialises, null when that signal has no model).
 */
export interface PersonModel {
  version: number;
  emotions: Emotion[];
  createdAt: string;
  face: unknown;
  voice: unknown;
  /** Per-signal fusion weights learned from cross-validation. */
  fusion: Partial<Record<Signal, number>>;
  report: CalibrationReport;
}

/** Decoded mono PCM, e.g. what the bot records from a voice channel. */
export interface Pcm {
  samples: Float32Array;
  sampleRate: number;
}

/** What a log line may carry. Never raw user ids, tokens, question text or media. */
export interface LogContext {
  guildId?: string | null;
  /** A hashed user id (src/bot/util/log.ts `hashUserId`). */
  user?: string;
  error?: unknown;
  [key: string]: unknown;
}

/**
 * The one structured logger every layer writes to: an event name (`ask.answered`,
 * `reply.answerer_failed`) and a context of plain fields. The bot writes JSON lines
 * (src/bot/util/log.ts); library use and tests pass {@link silentLogger}.
 */
export interface Logger {
  debug(event: string, context?: LogContext): void;
  info(event: string, context?: LogContext): void;
  warn(event: string, context?: LogContext): void;
  error(event: string, context?: LogContext): void;
}

/** A logger that drops everything (library use, tests). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
