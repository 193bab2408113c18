/**
 * Voice features for emotion: prosody (pitch, loudness, voicing, rate) and spectral shape (MFCC,
 * tilt, band ratios), summarised over a clip as named statistics.
 */
import { fail, ok, type Pcm, type Result, type VoiceFeatures } from '../types';
import { ANALYSIS_SAMPLE_RATE, type DecodeOptions } from './constants';
import { decodeAudio, decodeAudioAsync, pcmToAnalysis } from './decode';
import { decimateBy4, MIN_F0, PITCH_SAMPLE_RATE, trackPitch } from './pitch';
import { cleanPitchTrack, energyStats, pitchStats } from './prosody';
import {
  analyseSpectrum,
  FRAME_LENGTH,
  frameCount,
  HOP_LENGTH,
  MEL_BANDS,
  MFCC_COUNT,
  sliceFrames,
  type SpectralFrames,
} from './spectral';
import { mean, quantiles, std } from './stats';
import { MIN_SPEECH_SECONDS, speechThresholdDb, trimSilence } from './vad';

const HOP_SECONDS = HOP_LENGTH / ANALYSIS_SAMPLE_RATE;
const PITCH_HOP = HOP_LENGTH / (ANALYSIS_SAMPLE_RATE / PITCH_SAMPLE_RATE);

/**
 * The version of the statistics below, stored with them as `features_version`. A statistic whose
 * meaning changes bumps it, so features stored by an older Attune are never mixed with new ones in
 * one model (2: in-band spectral measurements, loudness relative to the clip, no absolute level).
 * A statistic added later (since 2: the MFCC percentiles, the long-term spectrum's 20 bands) changes no
 * earlier one's meaning and keeps the version: a model over clips stored before it trains on the
 * statistics every clip has (see commonFeatureNames), and nobody records again.
 */
export const VOICE_FEATURES_VERSION = 2;

/** The percentiles each MFCC beyond c0 is summarised by, beside its mean and spread. */
const MFCC_PERCENTILES = [0.1, 0.5, 0.9];

/**
 * Extract features from speech at {@link ANALYSIS_SAMPLE_RATE} (already trimmed, or a steady
 * signal: no silence check here). Fails with `too_short` under one analysis frame, `invalid` for
 * another sample rate.
 */
export function extractVoiceFeatures(pcm: Pcm): Result<VoiceFeatures> {
  if (pcm.sampleRate !== ANALYSIS_SAMPLE_RATE) {
    return fail(
      'invalid',
      `voice features need ${ANALYSIS_SAMPLE_RATE} Hz PCM, got ${pcm.sampleRate} Hz (decode or resample first)`,
    );
  }
  return measure(pcm.samples, analyseSpectrum(pcm.samples));
}

/** {@link statistics}, tagged with their version: the features of a clip. */
function measure(samples: Float32Array, spectrum: SpectralFrames): Result<VoiceFeatures> {
  const stats = statistics(samples, spectrum);
  if (!stats.ok) return stats;
  return ok({
    durationSec: samples.length / ANALYSIS_SAMPLE_RATE,
    stats: { ...stats.value, features_version: VOICE_FEATURES_VERSION },
  });
}

/** The named statistics of analysis-rate `samples` whose spectral frames are `spectrum`. */
function statistics(samples: Float32Array, spectrum: SpectralFrames): Result<Record<string, number>> {
  if (spectrum.count < 5) return fail('too_short', 'the audio is too short to analyse (under 65 ms)');
  // Loudness is read inside the analysis band too, so a phone line's missing lows do not move it.
  const levels = spectrum.levelDb;
  const threshold = speechThresholdDb(levels);
  const active = Uint8Array.from(levels, (l) => (l > threshold ? 1 : 0));

  // Pitch frames share the spectral hop and centre (10 ms hop, 25 ms spectral frame centre).
  const signal4k = decimateBy4(restoreFundamental(samples));
  const centre4k = FRAME_LENGTH / 2 / (ANALYSIS_SAMPLE_RATE / PITCH_SAMPLE_RATE);
  const pitchFrames = trackPitch(signal4k, PITCH_HOP, spectrum.count, active, centre4k);
  const f0 = cleanPitchTrack(pitchFrames);
  const voiced = Array.from(f0, (v) => v > 0);
  let activeCount = 0;
  for (const a of active) activeCount += a;

  const stats: Record<string, number> = {
    duration_s: samples.length / ANALYSIS_SAMPLE_RATE,
    ...pitchStats(
      f0,
      pitchFrames.map((p) => p.aperiodicity),
      activeCount,
      HOP_SECONDS,
    ),
    ...energyStats(levels, threshold, voiced, HOP_SECONDS),
    ...spectralStats(spectrum, active),
  };
  // c0 is the frame's overall log energy: its mean is the recording level (the microphone and its
  // gain), not the voice. Its spread and deltas stay.
  delete stats.mfcc0_mean;
  for (const [name, value] of Object.entries(stats)) {
    if (!Number.isFinite(value)) stats[name] = 0;
  }
  return ok(stats);
}

/**
 * The signal the pitch tracker reads: the speech plus its square scaled by the clip's RMS. A phone
 * band (from 300 Hz) removes a low voice's fundamental and often its second harmonic, and YIN then
 * locks onto an octave above; squaring brings the fundamental back as the difference tone of
 * neighbouring harmonics (the nonlinear processing of YAAPT, Zahorian & Hu 2008). The original is
 * kept so a lone sinusoid (whose square is its octave) is still read right; dividing the square by
 * the RMS keeps the mix independent of the recording level.
 */
const SQUARE_HIGHPASS_HZ = MIN_F0 / 1.5;

function restoreFundamental(samples: Float32Array): Float32Array {
  let energy = 0;
  for (let i = 0; i < samples.length; i++) energy += samples[i]! * samples[i]!;
  const rms = Math.sqrt(energy / Math.max(1, samples.length));
  const out = new Float32Array(samples.length);
  if (rms <= 0) return out;
  // The square's slow part (its mean and the syllable envelope) is removed with a one-pole high-pass
  // below the lowest pitch tracked, so only the periodic part reaches the tracker.
  const a = 1 - Math.exp((-2 * Math.PI * SQUARE_HIGHPASS_HZ) / ANALYSIS_SAMPLE_RATE);
  let dc = 0;
  for (let i = 0; i < samples.length; i++) {
    const sq = samples[i]! * samples[i]!;
    dc += a * (sq - dc);
    out[i] = samples[i]! + (sq - dc) / rms;
  }
  return out;
}

/** Means and spreads of spectral measurements over active frames. */
function spectralStats(s: SpectralFrames, active: Uint8Array): Record<string, number> {
  const pick = (values: Float64Array): number[] => {
    const out: number[] = [];
    for (let f = 0; f < s.count; f++) if (active[f]) out.push(values[f]!);
    return out;
  };
  const stats: Record<string, number> = {};
  const scalar: Array<[string, Float64Array]> = [
    ['centroid', s.centroidHz],
    ['rolloff', s.rolloffHz],
    ['flatness', s.flatness],
    ['tilt', s.tiltDb],
    ['alpha_ratio', s.alphaRatioDb],
    ['hammarberg', s.hammarbergDb],
  ];
  for (const [name, values] of scalar) {
    const v = pick(values);
    stats[`${name}_mean`] = mean(v);
    stats[`${name}_std`] = std(v);
  }
  const frames: number[] = [];
  for (let f = 0; f < s.count; f++) if (active[f]) frames.push(f);
  for (let c = 0; c < MFCC_COUNT; c++) {
    const v = frames.map((f) => s.mfcc[f * MFCC_COUNT + c]!);
    const d: number[] = [];
    for (let i = 1; i < frames.length; i++) if (frames[i] === frames[i - 1]! + 1) d.push(v[i]! - v[i - 1]!);
    stats[`mfcc${c}_mean`] = mean(v);
    stats[`mfcc${c}_std`] = std(v);
    stats[`mfcc${c}_dstd`] = std(d);
    // The shape of each coefficient's distribution over the clip, not only its centre and spread (the
    // percentile functionals of openSMILE's ComParE set): a few stressed syllables move the tails, not
    // the mean. c0's percentiles would be recording levels, like its mean.
    if (c > 0) {
      const q = quantiles(v, MFCC_PERCENTILES);
      MFCC_PERCENTILES.forEach((p, i) => (stats[`mfcc${c}_p${Math.round(p * 100)}`] = q[i]!));
    }
  }
  // Long-term average spectrum: each mel band's level summed over the active frames, read at the
  // filterbank's full resolution and in a few broad regions, both relative to the clip's own mean
  // level (so the recording level cancels). The bands add vowel colour and effort at a finer grain.
  const bands = new Float64Array(MEL_BANDS);
  for (const f of frames) for (let b = 0; b < MEL_BANDS; b++) bands[b]! += s.melDb[f * MEL_BANDS + b]!;
  const regions = 4;
  const perRegion = MEL_BANDS / regions;
  const ltas = new Float64Array(regions);
  for (let b = 0; b < MEL_BANDS; b++) ltas[Math.min(regions - 1, Math.floor(b / perRegion))]! += bands[b]!;
  const overall = mean(ltas);
  for (let r = 0; r < regions; r++)
    stats[`ltas${r}`] = frames.length > 0 ? (ltas[r]! - overall) / (frames.length * perRegion) : 0;
  const bandsMean = mean(bands);
  for (let b = 0; b < MEL_BANDS; b++)
    stats[`ltas_band${b}`] = frames.length > 0 ? (bands[b]! - bandsMean) / frames.length : 0;
  return stats;
}

/**
 * The parts of a clip measured again on their own, as extra training views (start, middle and end,
 * each 60% of the speech, as fractions of it). A person calibrates on ten or so clips; a part of a
 * sentence said happily is still said happily, so its statistics are another example of that
 * emotion with other words in it (sub-utterance cropping, the cheap data augmentation of few-sample
 * speech emotion recognition). Parts of at least half the clip keep a sentence's intonation; three
 * overlapping ones cover it evenly.
 */
export const CROP_SPANS: readonly (readonly [number, number])[] = [
  [0, 0.6],
  [0.2, 0.8],
  [0.4, 1],
];

/**
 * The statistics of each part in {@link CROP_SPANS}, or none when a part would be shorter than the
 * least speech a clip may have. Each part is measured as a clip of its own, with its own speech
 * threshold and pitch track; only its spectral frames are the clip's, which are the same numbers.
 * Summarising the whole clip's speech frames and pitch track over the part's frames instead was
 * measured too, and taught less (ravdess-3class.csv 0.933 / 0.917 against 0.942 / 0.933; sentences
 * never heard 0.708 / 0.667 against 0.750 / 0.750).
 */
function cropStats(speech: Float32Array, spectrum: SpectralFrames): Record<string, number>[] {
  const n = speech.length;
  const crops: Record<string, number>[] = [];
  for (const [from, to] of CROP_SPANS) {
    // A part starts on a frame boundary, so its spectral frames are the clip's own.
    const firstFrame = Math.floor((from * n) / HOP_LENGTH);
    const samples = speech.subarray(firstFrame * HOP_LENGTH, Math.floor(to * n));
    if (samples.length < MIN_SPEECH_SECONDS * ANALYSIS_SAMPLE_RATE) return [];
    const part = statistics(samples, sliceFrames(spectrum, firstFrame, firstFrame + frameCount(samples.length)));
    if (!part.ok) return [];
    crops.push(part.value);
  }
  return crops;
}

/** Trim silence from analysis-rate PCM, then extract features (and, on request, the parts' features). */
function analyzeAnalysisPcm(pcm: Pcm, withCrops: boolean): Result<VoiceFeatures> {
  const trimmed = trimSilence(pcm);
  if (!trimmed.ok) return trimmed;
  const { samples } = trimmed.value.pcm;
  const spectrum = analyseSpectrum(samples);
  const whole = measure(samples, spectrum);
  if (!whole.ok || !withCrops) return whole;
  const crops = cropStats(samples, spectrum);
  return crops.length ? ok({ ...whole.value, crops }) : whole;
}

export interface AnalyzeVoiceOptions extends DecodeOptions {
  /**
   * Also measure the parts in {@link CROP_SPANS} (calibration samples and corrections: they become
   * training data). A reading needs only the whole clip.
   */
  crops?: boolean;
}

/**
 * Decode (Ogg Opus, WAV; MP3 once its decoder is loaded) or take raw PCM at any rate, trim silence,
 * extract features.
 */
export function analyzeVoice(input: Uint8Array | Pcm, opts: AnalyzeVoiceOptions = {}): Result<VoiceFeatures> {
  const pcm = input instanceof Uint8Array ? decodeAudio(input, opts) : pcmToAnalysis(input, opts);
  return pcm.ok ? analyzeAnalysisPcm(pcm.value, opts.crops ?? false) : pcm;
}

/** {@link analyzeVoice} that also loads the MP3 decoder when needed. */
export async function analyzeVoiceAsync(
  input: Uint8Array | Pcm,
  opts: AnalyzeVoiceOptions = {},
): Promise<Result<VoiceFeatures>> {
  const pcm = input instanceof Uint8Array ? await decodeAudioAsync(input, opts) : pcmToAnalysis(input, opts);
  return pcm.ok ? analyzeAnalysisPcm(pcm.value, opts.crops ?? false) : pcm;
}
