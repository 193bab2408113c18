/**
 * Energy-based speech endpointing. The threshold adapts to each clip: a noise floor from the
 * quietest frames, a ceiling from the loudest, so a hiss-filled phone recording and a studio
 * take are trimmed alike. Hangover keeps the soft ends of words (unvoiced /s/, decaying vowels).
 */
import { fail, ok, type Pcm, type Result } from '../types';

/** Endpointing frame: 10 ms blocks, non-overlapping (the energy contour, not a spectrum). */
export const VAD_FRAME_SECONDS = 0.01;
/**
 * Below this level (dBFS) nothing counts as speech, however quiet the floor. Low on purpose:
 * quiet studio takes of sad speech peak near -50 dBFS over a -95 dBFS floor.
 */
const ABSOLUTE_FLOOR_DB = -85;
/** A clip whose loudest frames stay under this is silent. */
const SILENT_PEAK_DB = -70;
/** A quiet clip with less dynamic range than this is steady hiss, not speech. */
const HISS_RANGE_DB = 6;
const HISS_PEAK_DB = -50;
/** Speech must rise this far above the noise floor (what decides in noisy recordings)... */
const ABOVE_FLOOR_DB = 10;
/**
 * ...and come within this of the loudest frame (what decides in clean ones: breaths and room
 * tone 40 dB under the voice are not speech, and a lossy codec that zeroes the floor must not
 * lengthen the clip).
 */
const BELOW_PEAK_DB = 35;
const STEADY_MARGIN_DB = 6;
/** A start needs this many consecutive loud frames: a click or a pop is not speech. */
const ONSET_FRAMES = 3;
/** Frames kept before the first and after the last speech frame. */
const LEAD_FRAMES = 5;
const HANGOVER_FRAMES = 15;
/** Shortest speech worth reading emotion from. */
export const MIN_SPEECH_SECONDS = 0.5;

/** Where speech was found and the level that separated it from silence. */
export interface TrimmedSpeech {
  pcm: Pcm;
  startSeconds: number;
  endSeconds: number;
  /** The speech/silence threshold used, in dBFS (features reuse it for the pause ratio). */
  thresholdDb: number;
}

/** RMS level in dBFS of consecutive blocks of `frame` samples (the last partial block dropped). */
export function blockLevelsDb(samples: Float32Array, frame: number): Float64Array {
  const count = Math.floor(samples.length / frame);
  const levels = new Float64Array(count);
  for (let f = 0; f < count; f++) {
    let sum = 0;
    for (let i = f * frame, end = i + frame; i < end; i++) sum += samples[i]! * samples[i]!;
    levels[f] = 10 * Math.log10(sum / frame + 1e-12);
  }
  return levels;
}

/** The k-th smallest of `values` (0-based), without mutating it. */
function percentile(values: Float64Array, fraction: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(fraction * (sorted.length - 1))))]!;
}

/** Adaptive speech threshold (dBFS) for a clip's block levels. */
export function speechThresholdDb(levels: Float64Array): number {
  const floor = percentile(levels, 0.1);
  const peak = percentile(levels, 0.99);
  // The floor rule never rises above the peak minus a margin: in a steady sound (a held vowel,
  // a test tone) floor and peak meet, and all of it is signal.
  return Math.max(ABSOLUTE_FLOOR_DB, peak - BELOW_PEAK_DB, Math.min(floor + ABOVE_FLOOR_DB, peak - STEADY_MARGIN_DB));
}

/** True when block levels show no speech at all: too quiet, or quiet and flat like hiss. */
export function isSilent(levels: Float64Array): boolean {
  const floor = percentile(levels, 0.1);
  const peak = percentile(levels, 0.99);
  return peak < SILENT_PEAK_DB || (peak < HISS_PEAK_DB && peak - floor < HISS_RANGE_DB);
}

/**
 * Cut leading and trailing silence. Fails with `silence` when nothing rises above the threshold
 * and `too_short` when the speech left is under {@link MIN_SPEECH_SECONDS}.
 */
export function trimSilence(pcm: Pcm): Result<TrimmedSpeech> {
  const frame = Math.round(pcm.sampleRate * VAD_FRAME_SECONDS);
  const levels = blockLevelsDb(pcm.samples, frame);
  if (levels.length === 0) return fail('too_short', 'the recording is shorter than 10 ms');
  if (isSilent(levels)) return fail('silence', 'no speech found: the recording is silent or too quiet');
  const threshold = speechThresholdDb(levels);
  let first = -1;
  let run = 0;
  for (let f = 0; f < levels.length; f++) {
    run = levels[f]! > threshold ? run + 1 : 0;
    if (run >= Math.min(ONSET_FRAMES, levels.length)) {
      first = f - run + 1;
      break;
    }
  }
  if (first < 0) return fail('silence', 'no speech found: the recording is silent or too quiet');
  let last = levels.length - 1;
  while (last > first && levels[last]! <= threshold) last--;
  const startFrame = Math.max(0, first - LEAD_FRAMES);
  const endFrame = Math.min(levels.length, last + 1 + HANGOVER_FRAMES);
  const speechSeconds = (last + 1 - first) * VAD_FRAME_SECONDS;
  if (speechSeconds < MIN_SPEECH_SECONDS) {
    return fail(
      'too_short',
      `only ${speechSeconds.toFixed(2)} s of speech found; at least ${MIN_SPEECH_SECONDS} s is needed`,
    );
  }
  const start = startFrame * frame;
  const end = Math.min(pcm.samples.length, endFrame * frame);
  return ok({
    pcm: { samples: pcm.samples.subarray(start, end), sampleRate: pcm.sampleRate },
    startSeconds: start / pcm.sampleRate,
    endSeconds: end / pcm.sampleRate,
    thresholdDb: threshold,
  });
}
