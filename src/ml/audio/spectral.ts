/**
 * Short-time spectral analysis at 16 kHz: power spectrum, mel filterbank, MFCC and spectral shape,
 * with every table (window, filterbank, DCT) built once. Frames are 25 ms, hop 10 ms.
 *
 * Every measurement here is taken inside {@link BAND_LOW_HZ}–{@link BAND_HIGH_HZ}, the part of the
 * spectrum that survives any channel a person may speak through: a phone line or a Bluetooth headset
 * (300–3400 Hz, with its filters' skirts), a laptop microphone, Discord's own processing. A feature
 * that reads energy outside it would describe the microphone as much as the voice, and a model
 * calibrated on a good microphone would misread the same person on a phone.
 */
import { ANALYSIS_SAMPLE_RATE } from './constants';
import { realFft } from './fft';

export const FRAME_LENGTH = 400;
export const HOP_LENGTH = 160;
export const FFT_SIZE = 512;
/**
 * The analysis band: inside the telephone passband (300–3400 Hz) by the width over which a channel's
 * band-edge filters roll off (ITU-T G.712 lets a line lose several dB near its edges).
 */
export const BAND_LOW_HZ = 400;
export const BAND_HIGH_HZ = 3200;
/** Mel bands over the analysis band: about 1.5 FFT bins at the low end, as in telephone-band front ends. */
export const MEL_BANDS = 20;
export const MFCC_COUNT = 13;
const BINS = FFT_SIZE / 2 + 1;
const BIN_HZ = ANALYSIS_SAMPLE_RATE / FFT_SIZE;

/** 10·log10(x) = DB_PER_NEPER · ln(x): one logarithm per band serves dB, MFCC and flatness. */
const DB_PER_NEPER = 10 / Math.LN10;

const HANN = Float64Array.from(
  { length: FRAME_LENGTH },
  (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME_LENGTH),
);
/**
 * One-sided power summed over bins, divided by this, is the mean square of the band's share of the
 * frame (Parseval, with the window's energy): so `levelDb` reads as an in-band RMS level in dBFS.
 */
const POWER_TO_MEAN_SQUARE = (FFT_SIZE / 2) * HANN.reduce((s, w) => s + w * w, 0);

const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

/** Triangular mel filters stored sparsely: first bin and weights per band. */
const MEL_FILTERS = (() => {
  const low = hzToMel(BAND_LOW_HZ);
  const high = hzToMel(BAND_HIGH_HZ);
  const edges = Array.from({ length: MEL_BANDS + 2 }, (_, i) => melToHz(low + ((high - low) * i) / (MEL_BANDS + 1)));
  return Array.from({ length: MEL_BANDS }, (_, b) => {
    const [left, centre, right] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    const first = Math.ceil(left / BIN_HZ);
    const last = Math.min(BINS - 1, Math.floor(right / BIN_HZ));
    const weights = new Float64Array(Math.max(0, last - first + 1));
    for (let k = first; k <= last; k++) {
      const hz = k * BIN_HZ;
      weights[k - first] = hz <= centre ? (hz - left) / (centre - left) : (right - hz) / (right - centre);
    }
    return { first, weights, centreHz: centre };
  });
})();

/** Orthonormal DCT-II rows, MFCC_COUNT × MEL_BANDS. */
const DCT = Array.from({ length: MFCC_COUNT }, (_, c) =>
  Float64Array.from(
    { length: MEL_BANDS },
    (_, b) => Math.cos((Math.PI * c * (b + 0.5)) / MEL_BANDS) * Math.sqrt((c === 0 ? 1 : 2) / MEL_BANDS),
  ),
);

/** Bin ranges for band-energy ratios (alpha ratio, Hammarberg index). */
const BAND = (hz: number): number => Math.min(BINS - 1, Math.round(hz / BIN_HZ));
const B_LOW = BAND(BAND_LOW_HZ);
const B1K = BAND(1000);
const B2K = BAND(2000);
const B_HIGH = BAND(BAND_HIGH_HZ);

/** Per-frame spectral measurements, one array entry per frame. */
export interface SpectralFrames {
  count: number;
  /** MFCC c0..c12, frame-major (frame * MFCC_COUNT + c). */
  mfcc: Float64Array;
  /** Log mel energies in dB, frame-major. */
  melDb: Float64Array;
  centroidHz: Float64Array;
  rolloffHz: Float64Array;
  /** Spectral flatness of the mel energies, 0 (tonal) to 1 (noise). */
  flatness: Float64Array;
  /** Slope of the mel dB spectrum against band index, dB per band. */
  tiltDb: Float64Array;
  /** Energy from the band's low edge to 1 kHz over 1 kHz to its high edge, in dB (low = tense/bright voice). */
  alphaRatioDb: Float64Array;
  /** Loudest bin from the low edge to 2 kHz over loudest from 2 kHz to the high edge, in dB. */
  hammarbergDb: Float64Array;
  /** In-band power per frame in dB (relative to full scale; only differences between frames are used). */
  levelDb: Float64Array;
}

/** How many whole frames {@link analyseSpectrum} reads in `length` samples. */
export function frameCount(length: number): number {
  return length >= FRAME_LENGTH ? 1 + Math.floor((length - FRAME_LENGTH) / HOP_LENGTH) : 0;
}

/** Analyse 25 ms Hann frames every 10 ms over the whole signal. */
export function analyseSpectrum(samples: Float32Array): SpectralFrames {
  const count = frameCount(samples.length);
  const fft = realFft(FFT_SIZE);
  const frame = new Float64Array(FRAME_LENGTH);
  const re = new Float64Array(BINS);
  const im = new Float64Array(BINS);
  const power = new Float64Array(BINS);
  const out: SpectralFrames = {
    count,
    mfcc: new Float64Array(count * MFCC_COUNT),
    melDb: new Float64Array(count * MEL_BANDS),
    centroidHz: new Float64Array(count),
    rolloffHz: new Float64Array(count),
    flatness: new Float64Array(count),
    tiltDb: new Float64Array(count),
    alphaRatioDb: new Float64Array(count),
    hammarbergDb: new Float64Array(count),
    levelDb: new Float64Array(count),
  };
  const bandMean = (MEL_BANDS - 1) / 2;
  let bandVar = 0;
  for (let b = 0; b < MEL_BANDS; b++) bandVar += (b - bandMean) ** 2;
  for (let f = 0; f < count; f++) {
    const start = f * HOP_LENGTH;
    for (let i = 0; i < FRAME_LENGTH; i++) frame[i] = samples[start + i]! * HANN[i]!;
    fft.forward(frame, re, im);
    let total = 0;
    let weighted = 0;
    for (let k = 0; k < BINS; k++) power[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    for (let k = B_LOW; k <= B_HIGH; k++) {
      total += power[k]!;
      weighted += power[k]! * k;
    }
    const eps = 1e-12;
    out.levelDb[f] = 10 * Math.log10(total / POWER_TO_MEAN_SQUARE + eps);
    out.centroidHz[f] = total > eps ? (weighted / total) * BIN_HZ : 0;
    let cumulative = 0;
    let rolloff = B_HIGH;
    for (let k = B_LOW; k <= B_HIGH; k++) {
      cumulative += power[k]!;
      if (cumulative >= 0.85 * total) {
        rolloff = k;
        break;
      }
    }
    out.rolloffHz[f] = rolloff * BIN_HZ;
    out.alphaRatioDb[f] = 10 * Math.log10((sum(power, B_LOW, B1K) + eps) / (sum(power, B1K, B_HIGH + 1) + eps));
    out.hammarbergDb[f] = 10 * Math.log10((max(power, B_LOW, B2K) + eps) / (max(power, B2K, B_HIGH + 1) + eps));
    let logSum = 0;
    let linSum = 0;
    let tilt = 0;
    const melBase = f * MEL_BANDS;
    for (let b = 0; b < MEL_BANDS; b++) {
      const { first, weights } = MEL_FILTERS[b]!;
      let e = 0;
      for (let w = 0; w < weights.length; w++) e += weights[w]! * power[first + w]!;
      e += eps;
      const ln = Math.log(e);
      const db = DB_PER_NEPER * ln;
      out.melDb[melBase + b] = db;
      logSum += ln;
      linSum += e;
      tilt += (b - bandMean) * db;
    }
    out.flatness[f] = Math.exp(logSum / MEL_BANDS) / (linSum / MEL_BANDS);
    out.tiltDb[f] = tilt / bandVar;
    const mfccBase = f * MFCC_COUNT;
    for (let c = 0; c < MFCC_COUNT; c++) {
      const row = DCT[c]!;
      let acc = 0;
      // MFCCs from natural-log energies (dB / 10 · ln 10), the usual scale.
      for (let b = 0; b < MEL_BANDS; b++) acc += row[b]! * out.melDb[melBase + b]!;
      out.mfcc[mfccBase + c] = (acc * Math.LN10) / 10;
    }
  }
  return out;
}

function sum(values: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let k = from; k < to; k++) s += values[k]!;
  return s;
}

function max(values: Float64Array, from: number, to: number): number {
  let m = 0;
  for (let k = from; k < to; k++) if (values[k]! > m) m = values[k]!;
  return m;
}

/** Frames [from, to) of an analysis, sharing its memory: the frames of the samples from `from` hops on. */
export function sliceFrames(s: SpectralFrames, from: number, to: number): SpectralFrames {
  const one = (values: Float64Array) => values.subarray(from, to);
  return {
    count: to - from,
    mfcc: s.mfcc.subarray(from * MFCC_COUNT, to * MFCC_COUNT),
    melDb: s.melDb.subarray(from * MEL_BANDS, to * MEL_BANDS),
    centroidHz: one(s.centroidHz),
    rolloffHz: one(s.rolloffHz),
    flatness: one(s.flatness),
    tiltDb: one(s.tiltDb),
    alphaRatioDb: one(s.alphaRatioDb),
    hammarbergDb: one(s.hammarbergDb),
    levelDb: one(s.levelDb),
  };
}
