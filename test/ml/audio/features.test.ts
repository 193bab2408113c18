import { analyzeVoice, CROP_SPANS, extractVoiceFeatures } from '../../../src/ml/audio/features';
import { PITCH_REFERENCE_HZ } from '../../../src/ml/audio/prosody';
import { analyseSpectrum, frameCount, HOP_LENGTH, sliceFrames } from '../../../src/ml/audio/spectral';
import { bandLimit } from '../../../src/ml/eval/channel';
import { concat, harmonicTone, noise, sine } from './signals';

const rate = 16000;
const hz = (semitones: number): number => PITCH_REFERENCE_HZ * 2 ** (semitones / 12);

function features(samples: Float32Array): Record<string, number> {
  const r = extractVoiceFeatures({ samples, sampleRate: rate });
  if (!r.ok) throw new Error(r.message);
  return r.value.stats;
}

describe('extractVoiceFeatures', () => {
  it.each([70, 110, 165, 240, 330, 420])('tracks a %i Hz harmonic tone within 2%', (f0) => {
    const s = features(harmonicTone(f0, 1, rate, 0.4));
    expect(Math.abs(hz(s.f0_median!) / f0 - 1)).toBeLessThan(0.02);
    expect(Math.abs(hz(s.f0_mean!) / f0 - 1)).toBeLessThan(0.02);
    expect(s.f0_std).toBeLessThan(0.1);
    expect(s.voiced_ratio).toBeGreaterThan(0.9);
  });

  it('tracks a pure sine and a tone with a weak fundamental', () => {
    expect(hz(features(sine(200, 1, rate, 0.5)).f0_median!)).toBeCloseTo(200, -0.5);
    // Harmonics 2..6 of 150 Hz only: the pitch is still 150 Hz, not 300.
    const missing = new Float32Array(rate);
    for (let k = 2; k <= 6; k++) {
      const h = sine(150 * k, 1, rate, 0.1);
      for (let i = 0; i < rate; i++) missing[i] = missing[i]! + h[i]!;
    }
    expect(Math.abs(hz(features(missing).f0_median!) / 150 - 1)).toBeLessThan(0.02);
  });

  it('measures a pitch glide as a slope in semitones per second', () => {
    // Exponential glide 120 → 240 Hz over 2 s: +6 semitones per second.
    const n = 2 * rate;
    const samples = new Float32Array(n);
    let phase = 0;
    for (let i = 0; i < n; i++) {
      phase += (2 * Math.PI * 120 * 2 ** (i / rate / 2)) / rate;
      // Harmonics up into the analysis band (400–3200 Hz), as a voice has: loudness is read there.
      let v = 0;
      for (let k = 1; k <= 12; k++) v += Math.sin(k * phase) / k;
      samples[i] = 0.25 * v;
    }
    const s = features(samples);
    expect(s.f0_slope).toBeCloseTo(6, 0);
    expect(s.f0_range).toBeCloseTo(12 * 0.8, 0); // p90 − p10 of a linear ramp over 12 st
    expect(s.f0_rise_ratio).toBeGreaterThan(0.9);
  });

  it('reads a steady tone as steady loudness, with no absolute level among the features', () => {
    const s = features(sine(1000, 1, rate, 0.1));
    expect(s.level_std).toBeLessThan(0.1);
    expect(Math.abs(s.level_p90_rel!)).toBeLessThan(0.1);
    expect(s.pause_ratio).toBe(0);
    for (const name of ['level_mean', 'level_median', 'level_max', 'level_voiced_mean', 'mfcc0_mean'])
      expect(s).not.toHaveProperty(name);
  });

  it('gives the same features at −12 dB and +6 dB (a microphone or automatic gain change)', () => {
    const clip = concat(
      harmonicTone(130, 0.6, rate, 0.2, 20),
      noise(0.2, rate, 0.02),
      harmonicTone(190, 0.6, rate, 0.3, 15),
    );
    const base = features(clip);
    for (const gain of [0.25, 2]) {
      const s = features(clip.map((v) => v * gain));
      for (const [name, value] of Object.entries(base))
        expect({ name, diff: Math.abs(s[name]! - value) < 1e-6 + 0.02 * Math.abs(value) }).toEqual({
          name,
          diff: true,
        });
    }
  });

  it('reads a low voice through a 300–3400 Hz phone band at its own pitch, not an octave up', () => {
    const clip = harmonicTone(100, 1, rate, 0.3, 30);
    const phone = bandLimit({ samples: clip, sampleRate: rate }, 300, 3400).samples;
    expect(Math.abs(hz(features(phone).f0_median!) / 100 - 1)).toBeLessThan(0.03);
    expect(Math.abs(features(phone).centroid_mean! / features(clip).centroid_mean! - 1)).toBeLessThan(0.05);
  });

  it('finds no voicing in noise', () => {
    const s = features(noise(1, rate, 0.1));
    expect(s.voiced_ratio).toBeLessThan(0.05);
    expect(s.flatness_mean).toBeGreaterThan(0.5);
  });

  it('puts the spectral centroid of a pure tone at its frequency', () => {
    const s = features(sine(1000, 1, rate, 0.3));
    expect(s.centroid_mean).toBeGreaterThan(950);
    expect(s.centroid_mean).toBeLessThan(1050);
  });

  it('counts syllable-like energy pulses', () => {
    // A voiced tone switched on for 120 ms of every 250 ms: 4 pulses per second for 2 s.
    const tone = harmonicTone(140, 2, rate, 0.3);
    for (let i = 0; i < tone.length; i++) if (i % 4000 >= 1920) tone[i] = tone[i]! * 0.01;
    const s = features(tone);
    expect(s.syllable_rate).toBeGreaterThanOrEqual(3.5);
    expect(s.syllable_rate).toBeLessThanOrEqual(4.5);
    expect(s.pause_ratio).toBeGreaterThan(0.3);
  });

  it('returns finite, named statistics', () => {
    const s = features(
      concat(harmonicTone(130, 0.6, rate, 0.2), noise(0.2, rate, 0.05), harmonicTone(190, 0.6, rate, 0.3)),
    );
    for (const name of [
      'f0_mean',
      'f0_std',
      'f0_slope',
      'f0_local_var',
      'level_mean_rel',
      'level_delta_mean',
      'voiced_ratio',
      'hnr_db',
      'syllable_rate',
      'pause_ratio',
      'mfcc0_std',
      'mfcc12_std',
      'tilt_mean',
      'alpha_ratio_mean',
      'mfcc1_p10',
      'mfcc12_p90',
      'ltas_band0',
      'ltas_band19',
    ]) {
      expect(s).toHaveProperty(name);
    }
    for (const v of Object.values(s)) expect(Number.isFinite(v)).toBe(true);
    expect(Object.keys(s).length).toBeGreaterThan(70);
  });

  it('places a tone in the long-term spectrum band that holds it, relative to the clip (no level)', () => {
    const peak = (f: number) => {
      const s = features(sine(f, 1, rate, 0.3));
      const bands = Array.from({ length: 20 }, (_, b) => s[`ltas_band${b}`]!);
      expect(bands.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
      return bands.indexOf(Math.max(...bands));
    };
    expect(peak(600)).toBeLessThan(peak(1200));
    expect(peak(1200)).toBeLessThan(peak(2400));
    expect(peak(2400)).toBeGreaterThan(10);
  });

  it('summarises each MFCC beyond c0 by its 10th, 50th and 90th percentiles, in order', () => {
    const s = features(
      concat(harmonicTone(130, 0.6, rate, 0.2), noise(0.2, rate, 0.05), harmonicTone(190, 0.6, rate, 0.3)),
    );
    for (let c = 1; c < 13; c++) {
      expect(s[`mfcc${c}_p10`]).toBeLessThanOrEqual(s[`mfcc${c}_p50`]!);
      expect(s[`mfcc${c}_p50`]).toBeLessThanOrEqual(s[`mfcc${c}_p90`]!);
    }
    // c0 is the frame's overall level: its percentiles would be the recording level.
    expect(s).not.toHaveProperty('mfcc0_p50');
  });

  it('rejects other sample rates and sub-frame input', () => {
    expect(extractVoiceFeatures({ samples: new Float32Array(48000), sampleRate: 48000 })).toMatchObject({
      ok: false,
      code: 'invalid',
    });
    expect(extractVoiceFeatures({ samples: new Float32Array(500), sampleRate: rate })).toMatchObject({
      ok: false,
      code: 'too_short',
    });
  });
});

describe('analyzeVoice', () => {
  it('decodes, trims and measures: duration is the speech only', () => {
    const samples = concat(noise(0.7, rate, 1e-4), harmonicTone(210, 1.5, rate, 0.3), noise(0.7, rate, 1e-4, 4));
    const r = analyzeVoice({ samples, sampleRate: rate });
    if (!r.ok) throw new Error(r.message);
    expect(r.value.durationSec).toBeCloseTo(1.5 + 0.05 + 0.15, 2);
    expect(Math.abs(hz(r.value.stats.f0_median!) / 210 - 1)).toBeLessThan(0.02);
  });
});

describe('the parts of a clip (training views)', () => {
  const speech = concat(harmonicTone(170, 1, rate, 0.3), harmonicTone(230, 1, rate, 0.3));

  it('are measured on request: start, middle and end, each 60% of the speech, with the statistics of the whole', () => {
    expect(analyzeVoice({ samples: speech, sampleRate: rate })).not.toHaveProperty('value.crops');
    const r = analyzeVoice({ samples: speech, sampleRate: rate }, { crops: true });
    if (!r.ok) throw new Error(r.message);
    const crops = r.value.crops ?? [];
    expect(crops).toHaveLength(CROP_SPANS.length);
    const { features_version: _v, ...stats } = r.value.stats;
    for (const crop of crops) expect(Object.keys(crop).sort()).toEqual(Object.keys(stats).sort());
    // The start is mostly the lower tone, the end mostly the higher one: each part is read on its own.
    expect(hz(crops[0]!.f0_median!)).toBeCloseTo(170, -1);
    expect(hz(crops[2]!.f0_median!)).toBeCloseTo(230, -1);
    expect(crops[0]!.duration_s).toBeCloseTo(0.6 * r.value.durationSec, 2);
  });

  it('start on a frame boundary, where the clip’s spectral frames are exactly the part’s own', () => {
    const from = 37;
    const part = speech.subarray(from * HOP_LENGTH, speech.length - 1234);
    const own = analyseSpectrum(part);
    const shared = sliceFrames(analyseSpectrum(speech), from, from + frameCount(part.length));
    expect(shared.count).toBe(own.count);
    expect(Array.from(shared.mfcc)).toEqual(Array.from(own.mfcc));
    expect(Array.from(shared.melDb)).toEqual(Array.from(own.melDb));
    expect(Array.from(shared.levelDb)).toEqual(Array.from(own.levelDb));
  });

  it('are left out when a part would be shorter than the least speech a clip may have', () => {
    const r = analyzeVoice({ samples: harmonicTone(200, 0.7, rate, 0.3), sampleRate: rate }, { crops: true });
    if (!r.ok) throw new Error(r.message);
    expect(r.value.durationSec).toBeGreaterThan(0.5);
    expect(r.value.crops).toBeUndefined();
  });
});
