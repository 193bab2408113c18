/** Speed measurement of the voice path (decode + trim + features, parts included) for the bench CLI. */
import { ANALYSIS_SAMPLE_RATE } from '../src/ml/audio/constants';
import { decodeAudioAsync, sniffAudioFormat } from '../src/ml/audio/decode';
import { analyzeVoice } from '../src/ml/audio/features';
import { loadMp3Decoder } from '../src/ml/audio/mp3';

/** What {@link measureVoiceSpeed} reports. */
export interface VoiceSpeed {
  /** Seconds of audio processed per second of compute (median run). */
  voice_x_realtime: number;
  /** Median wall time of one decode + features run, ms. */
  voice_ms_median: number;
  /** Duration of the decoded clip, seconds. */
  clip_seconds: number;
}

const WARM_UP_RUNS = 10;

/**
 * Time `analyzeVoice` (decode → trim → features of the clip and of its parts, as the bot's engine
 * worker measures every clip) on one clip, single-threaded, `runs` times after a
 * warm-up so the JIT and WASM caches are hot; report the median. Throws if the clip does not decode
 * or has no speech, because a speed number for a failing input would mean nothing.
 */
export async function measureVoiceSpeed(clipBytes: Uint8Array, runs = 50): Promise<VoiceSpeed> {
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a positive integer, got ${runs}`);
  const decoded = await decodeAudioAsync(clipBytes);
  if (!decoded.ok) throw new Error(`benchmark clip does not decode: ${decoded.message}`);
  const clipSeconds = decoded.value.samples.length / ANALYSIS_SAMPLE_RATE;
  const isMp3 = sniffAudioFormat(clipBytes) === 'mp3';
  const once = async (): Promise<number> => {
    // Each MP3 stream needs a fresh decoder instance (see mp3.ts); making one is not decoding.
    if (isMp3) await loadMp3Decoder();
    const start = performance.now();
    const result = analyzeVoice(clipBytes, { crops: true });
    const elapsed = performance.now() - start;
    if (!result.ok) throw new Error(`benchmark clip has no usable speech: ${result.message}`);
    return elapsed;
  };
  for (let i = 0; i < WARM_UP_RUNS; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const median = times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { voice_x_realtime: (clipSeconds * 1000) / median, voice_ms_median: median, clip_seconds: clipSeconds };
}
