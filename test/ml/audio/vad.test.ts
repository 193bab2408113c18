import { analyzeVoice } from '../../../src/ml/audio/features';
import { trimSilence } from '../../../src/ml/audio/vad';
import { concat, harmonicTone, noise } from './signals';

const rate = 16000;

describe('trimSilence', () => {
  it('cuts leading and trailing silence, keeping a short lead-in and hangover', () => {
    const speech = harmonicTone(150, 1, rate, 0.3);
    const pcm = { samples: concat(noise(0.8, rate, 1e-4), speech, noise(1.2, rate, 1e-4, 7)), sampleRate: rate };
    const r = trimSilence(pcm);
    if (!r.ok) throw new Error(r.message);
    // Speech spans 0.8–1.8 s; 50 ms lead-in and 150 ms hangover.
    expect(r.value.startSeconds).toBeCloseTo(0.75, 2);
    expect(r.value.endSeconds).toBeCloseTo(1.95, 2);
    expect(r.value.pcm.samples.length).toBe(Math.round((r.value.endSeconds - r.value.startSeconds) * rate));
  });

  it('keeps a steady signal whole', () => {
    const r = trimSilence({ samples: harmonicTone(200, 1, rate, 0.5), sampleRate: rate });
    if (!r.ok) throw new Error(r.message);
    expect(r.value.startSeconds).toBe(0);
    expect(r.value.endSeconds).toBe(1);
  });

  it('finds quiet speech over a very low floor (quiet studio takes)', () => {
    const pcm = {
      samples: concat(noise(0.5, rate, 2e-5), harmonicTone(120, 0.8, rate, 0.004), noise(0.5, rate, 2e-5, 3)),
      sampleRate: rate,
    };
    const r = trimSilence(pcm);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.endSeconds - r.value.startSeconds).toBeCloseTo(0.8 + 0.05 + 0.15, 1);
  });

  it('digital silence and faint noise are `silence`', () => {
    expect(trimSilence({ samples: new Float32Array(rate * 2), sampleRate: rate })).toMatchObject({
      ok: false,
      code: 'silence',
    });
    expect(trimSilence({ samples: noise(2, rate, 1e-4), sampleRate: rate })).toMatchObject({
      ok: false,
      code: 'silence',
    });
    expect(analyzeVoice({ samples: noise(2, 48000, 1e-4), sampleRate: 48000 })).toMatchObject({
      ok: false,
      code: 'silence',
    });
  });

  it('a burst shorter than 0.5 s is `too_short`', () => {
    const pcm = {
      samples: concat(noise(1, rate, 1e-4), harmonicTone(180, 0.3, rate, 0.3), noise(1, rate, 1e-4, 5)),
      sampleRate: rate,
    };
    const r = trimSilence(pcm);
    expect(r).toMatchObject({ ok: false, code: 'too_short' });
    if (!r.ok) expect(r.message).toMatch(/0\.30 s/);
  });

  it('a single click does not start speech', () => {
    const samples = concat(noise(1, rate, 1e-4), harmonicTone(160, 0.7, rate, 0.3), noise(1, rate, 1e-4, 9));
    samples[800] = 0.9; // 50 ms in: one loud sample
    const r = trimSilence({ samples, sampleRate: rate });
    if (!r.ok) throw new Error(r.message);
    expect(r.value.startSeconds).toBeCloseTo(0.95, 2);
  });

  it('under 10 ms of audio is `too_short`', () => {
    expect(trimSilence({ samples: new Float32Array(100), sampleRate: rate })).toMatchObject({
      ok: false,
      code: 'too_short',
    });
  });
});
