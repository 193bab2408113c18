/**
 * Prosodic statistics: pitch contour (in semitones, so a change means the same for a low and a
 * high voice), loudness contour and its dynamics, voicing, speaking-rate proxies.
 */
import type { PitchFrame } from './pitch';
import { mean, meanAbsDelta, quantiles, slope, std } from './stats';

/** Semitones are measured from this fixed reference, not from each clip's own mean. */
export const PITCH_REFERENCE_HZ = 100;
/** Voiced runs shorter than this many frames are treated as tracker noise. */
const MIN_VOICED_RUN = 3;

/** Clean a raw f0 track: drop short voiced runs, then 3-point median within runs (kills lone octave jumps). */
export function cleanPitchTrack(frames: readonly PitchFrame[]): Float64Array {
  const f0 = Float64Array.from(frames, (p) => p.f0);
  for (let i = 0; i < f0.length;) {
    if (f0[i] === 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < f0.length && f0[j]! > 0) j++;
    if (j - i < MIN_VOICED_RUN) f0.fill(0, i, j);
    i = j;
  }
  const out = Float64Array.from(f0);
  for (let i = 1; i + 1 < f0.length; i++) {
    const [a, b, c] = [f0[i - 1]!, f0[i]!, f0[i + 1]!];
    if (a > 0 && b > 0 && c > 0) out[i] = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  }
  return out;
}

/** Pitch statistics from a cleaned f0 track sampled every `hopSeconds`. */
export function pitchStats(
  f0: Float64Array,
  aperiodicity: ArrayLike<number>,
  activeFrames: number,
  hopSeconds: number,
): Record<string, number> {
  const semitones: number[] = [];
  const times: number[] = [];
  const aper: number[] = [];
  let localVariation = 0;
  let localCount = 0;
  let rises = 0;
  let moves = 0;
  for (let i = 0; i < f0.length; i++) {
    if (f0[i]! <= 0) continue;
    semitones.push(12 * Math.log2(f0[i]! / PITCH_REFERENCE_HZ));
    times.push(i * hopSeconds);
    aper.push(aperiodicity[i]!);
    if (i >= 1 && f0[i - 1]! > 0) {
      const d = 12 * Math.log2(f0[i]! / f0[i - 1]!);
      moves++;
      if (d > 0) rises++;
      if (i + 1 < f0.length && f0[i + 1]! > 0) {
        // Deviation from the local straight line: jitter-like roughness, free of intonation trends.
        localVariation += Math.abs(d - 12 * Math.log2(f0[i + 1]! / f0[i]!));
        localCount++;
      }
    }
  }
  const [p05, p10, p50, p90, p95] = quantiles(semitones, [0.05, 0.1, 0.5, 0.9, 0.95]) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const hnr = aper.map((a) => 10 * Math.log10((1 - Math.min(a, 0.999)) / Math.max(a, 1e-3)));
  const tail = Math.floor(semitones.length * 0.7);
  return {
    f0_mean: mean(semitones),
    f0_median: p50,
    f0_std: std(semitones),
    f0_p05: p05,
    f0_p10: p10,
    f0_p90: p90,
    f0_p95: p95,
    f0_range: p90 - p10,
    f0_slope: slope(times, semitones),
    f0_tail_slope: slope(times.slice(tail), semitones.slice(tail)),
    f0_delta_mean: moves > 0 ? meanAbsDelta(semitones) : 0,
    f0_local_var: localCount > 0 ? localVariation / localCount : 0,
    f0_rise_ratio: moves > 0 ? rises / moves : 0.5,
    voiced_ratio: activeFrames > 0 ? semitones.length / activeFrames : 0,
    aperiodicity_mean: mean(aper),
    hnr_db: mean(hnr),
  };
}

/**
 * Loudness statistics over active frames' levels, plus rate and pause proxies. Every level is taken
 * relative to the clip's median active level: the absolute level says how far the microphone was and
 * how the gain was set (Discord's automatic gain changes it between calibration and use), while the
 * shape of the loudness contour is the speaker's.
 */
export function energyStats(
  levelsDb: Float64Array,
  thresholdDb: number,
  voiced: ArrayLike<boolean>,
  hopSeconds: number,
): Record<string, number> {
  const active: number[] = [];
  const times: number[] = [];
  const voicedLevels: number[] = [];
  for (let i = 0; i < levelsDb.length; i++) {
    if (levelsDb[i]! <= thresholdDb) continue;
    active.push(levelsDb[i]!);
    times.push(i * hopSeconds);
    if (voiced[i]) voicedLevels.push(levelsDb[i]!);
  }
  const [p10, p50, p90, p99] = quantiles(active, [0.1, 0.5, 0.9, 0.99]) as [number, number, number, number];
  const duration = levelsDb.length * hopSeconds;
  return {
    level_mean_rel: mean(active) - p50,
    level_std: std(active),
    level_p10_rel: p10 - p50,
    level_p90_rel: p90 - p50,
    level_max_rel: p99 - p50,
    level_range: p90 - p10,
    level_delta_mean: meanAbsDelta(active),
    level_slope: slope(times, active),
    level_voiced_rel: voicedLevels.length > 0 ? mean(voicedLevels) - p50 : 0,
    pause_ratio: levelsDb.length > 0 ? 1 - active.length / levelsDb.length : 0,
    syllable_rate: duration > 0 ? countNuclei(levelsDb, thresholdDb, voiced) / duration : 0,
  };
}

/**
 * Syllable nuclei: voiced peaks of the smoothed level contour that stand at least 2 dB above the
 * dip before them (after de Jong & Wempe's idea, on frame levels instead of intensity).
 */
function countNuclei(levelsDb: Float64Array, thresholdDb: number, voiced: ArrayLike<boolean>): number {
  const n = levelsDb.length;
  const smooth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = 0;
    for (let j = Math.max(0, i - 2); j <= Math.min(n - 1, i + 2); j++, c++) s += levelsDb[j]!;
    smooth[i] = s / c;
  }
  let count = 0;
  let dip = Infinity;
  for (let i = 1; i + 1 < n; i++) {
    dip = Math.min(dip, smooth[i]!);
    const peak = smooth[i]! >= smooth[i - 1]! && smooth[i]! > smooth[i + 1]!;
    if (peak && voiced[i] && smooth[i]! > thresholdDb && smooth[i]! - dip >= 2) {
      count++;
      dip = smooth[i]!;
    }
  }
  return count;
}
