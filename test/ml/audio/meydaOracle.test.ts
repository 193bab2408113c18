/**
 * meyda (a widely used audio feature library) as an oracle for the hand-written spectral features in
 * src/ml/audio/spectral.ts, on fixed one-frame signals.
 *
 * Where the definitions agree, the numbers must agree: meyda's FFT of the same windowed frame and
 * its extractors, given Attune's band and filterbank, reproduce Attune's centroid, rolloff, mel
 * energies, flatness and MFCCs. Where they differ by design, the differences are documented and
 * pinned by the second block:
 *
 * - Band: Attune measures inside 400–3200 Hz only (spectral.ts explains why); meyda uses 0 Hz to
 *   Nyquist.
 * - Weighting: Attune's centroid and rolloff weight bins by power; meyda's by amplitude.
 * - Rolloff point: Attune 85 % of the band's power; meyda 99 % of the amplitude sum, with bins
 *   sr / (2 (N/2 − 1)) Hz wide instead of sr / N.
 * - Flatness: Attune over the 20 mel-band energies; meyda over every FFT bin's amplitude.
 * - MFCC: meyda takes ln(energy + 1) (the +1 flattens quiet bands) and an unnormalised DCT-II with
 *   scale 2; Attune ln(energy) and the orthonormal DCT-II. meyda's mel filters span the full band.
 * - Window: Attune a periodic Hann over 400 samples, zero-padded to 512; meyda its symmetric Hann
 *   over the whole 512-sample buffer. Units: meyda's centroid is a bin index, Attune's is in Hz.
 */
import Meyda from 'meyda';
import {
  analyseSpectrum,
  BAND_HIGH_HZ,
  BAND_LOW_HZ,
  FFT_SIZE,
  FRAME_LENGTH,
  MEL_BANDS,
  MFCC_COUNT,
} from '../../../src/ml/audio/spectral';
import { harmonicTone, noise, sine } from './signals';

const RATE = 16000;
const BIN_HZ = RATE / FFT_SIZE;
/** meyda's amplitude spectrum holds bins 0 … N/2 − 1. */
const MEYDA_BINS = FFT_SIZE / 2;
const B_LOW = Math.round(BAND_LOW_HZ / BIN_HZ);
const B_HIGH = Math.round(BAND_HIGH_HZ / BIN_HZ);

/**
 * Fixed frames of 400 samples. Scaled ×10⁵: meyda's MFCC takes ln(energy + 1), which equals
 * Attune's ln(energy) only when every band's energy is far above 1. The tones carry a faint noise
 * floor (−40 dB): meyda computes in 32-bit floats, whose rounding would otherwise be all a pure
 * tone's far bands hold, where Attune's 64-bit spectrum holds the window's true sidelobes.
 */
const SCALE = 1e5;
const floor = noise(0.05, RATE, 0.005, 3);
const frameOf = (signal: Float32Array, withFloor = true): Float32Array =>
  signal.subarray(0, FRAME_LENGTH).map((v, i) => (v + (withFloor ? floor[i]! : 0)) * SCALE);
const SIGNALS: Record<string, Float32Array> = {
  'sine 1 kHz': frameOf(sine(1000, 0.05, RATE, 0.5)),
  'sine 437 Hz + 2.9 kHz': frameOf(
    sine(437, 0.05, RATE, 0.5).map((v, i) => v + 0.2 * Math.sin((2 * Math.PI * 2900 * i) / RATE)),
  ),
  'harmonic tone f0 150 Hz': frameOf(harmonicTone(150, 0.05, RATE, 0.5, 20)),
  'white noise': frameOf(noise(0.05, RATE, 0.5, 7), false),
};
/** For meyda as usually called (no oracle arithmetic): the tone alone. */
const PURE_TONE = frameOf(sine(1000, 0.05, RATE, 0.5), false);

/** meyda's extractors, each taking one object of named arguments (the package types them as `any`). */
interface Extractors {
  spectralCentroid(args: { ampSpectrum: ArrayLike<number> }): number;
  spectralRolloff(args: { ampSpectrum: ArrayLike<number>; sampleRate: number }): number;
  spectralFlatness(args: { ampSpectrum: ArrayLike<number> }): number;
  melBands(args: { ampSpectrum: ArrayLike<number>; melFilterBank: ArrayLike<number>[]; bufferSize: number }): number[];
  mfcc(args: {
    ampSpectrum: ArrayLike<number>;
    melFilterBank: ArrayLike<number>[];
    numberOfMFCCCoefficients: number;
    bufferSize: number;
  }): number[];
}
const extractors = Meyda.featureExtractors as Extractors;

beforeAll(() => {
  Meyda.bufferSize = FFT_SIZE;
  Meyda.sampleRate = RATE;
});

/** meyda's amplitude spectrum of Attune's own frame: periodic Hann over 400 samples, zeros to 512. */
function meydaAmplitudes(frame: Float32Array): Float32Array {
  const buffer = new Float32Array(FFT_SIZE);
  for (let i = 0; i < FRAME_LENGTH; i++)
    buffer[i] = frame[i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME_LENGTH));
  Meyda.windowingFunction = 'rect';
  return Meyda.extract('amplitudeSpectrum', buffer) as unknown as Float32Array;
}

/** Attune's mel filterbank as a dense matrix, from its definition (HTK mel, triangles over the band). */
function melFilterBank(): Float64Array[] {
  const mel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
  const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const low = mel(BAND_LOW_HZ);
  const high = mel(BAND_HIGH_HZ);
  const edges = Array.from({ length: MEL_BANDS + 2 }, (_, i) => hz(low + ((high - low) * i) / (MEL_BANDS + 1)));
  return Array.from({ length: MEL_BANDS }, (_, b) => {
    const [left, centre, right] = [edges[b]!, edges[b + 1]!, edges[b + 2]!];
    return Float64Array.from({ length: MEYDA_BINS }, (_, k) => {
      const f = k * BIN_HZ;
      if (f < left || f > right) return 0;
      return f <= centre ? (f - left) / (centre - left) : (right - f) / (right - centre);
    });
  });
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe.each(Object.entries(SIGNALS))('meyda agrees with Attune where the definitions agree: %s', (_, frame) => {
  const attune = analyseSpectrum(frame);
  const amplitudes = meydaAmplitudes(frame);
  const bandPower = Float64Array.from(amplitudes, (a, k) => (k >= B_LOW && k <= B_HIGH ? a * a : 0));
  const total = bandPower.reduce((s, p) => s + p, 0);

  it('is one frame', () => expect(attune.count).toBe(1));

  it('centroid: meyda on the band-limited power spectrum, in bins × bin width', () => {
    const bins = extractors.spectralCentroid({ ampSpectrum: bandPower });
    expect(relative(attune.centroidHz[0]!, bins * BIN_HZ)).toBeLessThan(1e-5);
  });

  it("rolloff at 85 %: meyda's fixed 99 % point, moved by 14× the band's power placed at DC", () => {
    // meyda returns the first bin m with S(m) > 0.99 · (everything). With a mass of 14 T at bin 0
    // (outside the band) and the band's power T above it: 14 T + S(m) > 0.99 · 15 T ⟺ S(m) > 0.85 T.
    const shifted = Float64Array.from(bandPower);
    shifted[0] = 14 * total;
    const meydaHz = extractors.spectralRolloff({ ampSpectrum: shifted, sampleRate: RATE });
    const meydaBin = Math.round(meydaHz / (RATE / (2 * (MEYDA_BINS - 1))));
    expect(attune.rolloffHz[0]).toBe(meydaBin * BIN_HZ);
  });

  it("mel energies, flatness and MFCC: meyda with Attune's filterbank", () => {
    const logged = extractors.melBands({
      ampSpectrum: amplitudes,
      melFilterBank: melFilterBank(),
      bufferSize: FFT_SIZE,
    });
    const energies = logged.map((l) => Math.expm1(l));
    for (let b = 0; b < MEL_BANDS; b++) {
      expect(energies[b]!).toBeGreaterThan(1e5); // so ln(e + 1) − ln(e) < 1e-5
      expect(Math.abs(attune.melDb[b]! - 10 * Math.log10(energies[b]!))).toBeLessThan(1e-3);
    }
    const flatness = extractors.spectralFlatness({ ampSpectrum: Float64Array.from(energies) });
    expect(relative(attune.flatness[0]!, flatness)).toBeLessThan(1e-4);

    const mfcc = extractors.mfcc({
      ampSpectrum: amplitudes,
      melFilterBank: melFilterBank(),
      numberOfMFCCCoefficients: MFCC_COUNT,
      bufferSize: FFT_SIZE,
    });
    for (let c = 0; c < MFCC_COUNT; c++) {
      // meyda: 2 · Σ x_b cos(π c (b + ½) / B); Attune's orthonormal row scales by √((c ? 2 : 1) / B).
      const expected = (mfcc[c]! / 2) * Math.sqrt((c === 0 ? 1 : 2) / MEL_BANDS);
      expect(Math.abs(attune.mfcc[c]! - expected)).toBeLessThan(1e-3);
    }
  });
});

describe("meyda's own definitions differ as documented", () => {
  /** meyda as it is usually called: its Hann over a 512-sample buffer, every bin, amplitudes. */
  function meydaDefaults(frame: Float32Array) {
    const buffer = new Float32Array(FFT_SIZE);
    buffer.set(frame);
    Meyda.windowingFunction = 'hanning';
    const f = Meyda.extract(['spectralCentroid', 'spectralRolloff', 'spectralFlatness'], buffer);
    if (!f) throw new Error('meyda extracted nothing');
    return {
      centroidHz: (f.spectralCentroid ?? NaN) * BIN_HZ,
      rolloffHz: f.spectralRolloff ?? NaN,
      flatness: f.spectralFlatness ?? NaN,
    };
  }

  it('a pure tone: both put the centroid at the tone; 99 % of the amplitudes reach far into the skirts', () => {
    const attune = analyseSpectrum(PURE_TONE);
    const meyda = meydaDefaults(PURE_TONE);
    expect(Math.abs(attune.centroidHz[0]! - 1000)).toBeLessThan(5);
    // Amplitude weighting counts the window's leakage skirts more (here 1106 Hz).
    expect(Math.abs(meyda.centroidHz - 1000)).toBeLessThan(150);
    expect(Math.abs(attune.rolloffHz[0]! - 1000)).toBeLessThanOrEqual(2 * BIN_HZ);
    // 99 % of the amplitude sum is only reached far up the skirts (here 5.3 kHz).
    expect(meyda.rolloffHz).toBeGreaterThan(3000);
  });

  it('two tones: power weighting pulls the centroid toward the louder one more than amplitude weighting', () => {
    // 437 Hz at 0.5 and 2.9 kHz at 0.2: power-weighted ≈ (437·0.25 + 2900·0.04) / 0.29 = 777 Hz,
    // amplitude-weighted ≈ (437·0.5 + 2900·0.2) / 0.7 = 1141 Hz.
    const frame = SIGNALS['sine 437 Hz + 2.9 kHz']!;
    const attune = analyseSpectrum(frame).centroidHz[0]!;
    const meyda = meydaDefaults(frame).centroidHz;
    expect(attune).toBeGreaterThan(700);
    expect(attune).toBeLessThan(850);
    expect(meyda).toBeGreaterThan(attune + 200);
  });

  it('white noise: Attune sees the band (centre ≈ 1.8 kHz), meyda the whole spectrum (≈ 4 kHz)', () => {
    const frame = SIGNALS['white noise']!;
    const attune = analyseSpectrum(frame);
    const meyda = meydaDefaults(frame);
    expect(Math.abs(attune.centroidHz[0]! - (BAND_LOW_HZ + BAND_HIGH_HZ) / 2)).toBeLessThan(250);
    expect(Math.abs(meyda.centroidHz - RATE / 4)).toBeLessThan(500);
    expect(attune.rolloffHz[0]).toBeLessThanOrEqual(BAND_HIGH_HZ);
    expect(meyda.rolloffHz).toBeGreaterThan(7000);
    // Flat spectra read as flat in both, a pure tone as tonal in both.
    // (One 25 ms frame: 0.70 over 20 mel bands, 0.84 over 256 bins.)
    expect(attune.flatness[0]).toBeGreaterThan(0.6);
    expect(meyda.flatness).toBeGreaterThan(0.6);
    expect(analyseSpectrum(PURE_TONE).flatness[0]).toBeLessThan(0.2);
    expect(meydaDefaults(PURE_TONE).flatness).toBeLessThan(0.2);
  });
});
