/** Shared constants of the voice pipeline. */

/** Every decoder resamples to this rate; all features are computed at it. */
export const ANALYSIS_SAMPLE_RATE = 16000;

/** Default byte limit for one audio attachment (Discord's upload limit for most users). */
export const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;

/** Default duration limit: a calibration clip or a question is seconds long, never minutes. */
export const DEFAULT_MAX_SECONDS = 120;

/** Limits a caller may tighten per call. */
export interface DecodeOptions {
  /** Reject inputs larger than this many bytes (`too_large`). */
  maxBytes?: number;
  /** Reject audio longer than this many seconds (`too_long`). */
  maxSeconds?: number;
}
