import { StreamResampler, resample } from '../../../src/ml/audio/resample';
import { zeroCrossingFrequency } from '../../reply/signals';

function sine(freq: number, seconds: number, rate: number, amplitude = 0.5): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

describe('resampling (whole and streamed)', () => {
  it('keeps a tone at its frequency and level', () => {
    const out = resample(sine(440, 1, 22050), 22050, 48000);
    expect(out.length).toBeGreaterThanOrEqual(47999);
    expect(out.length).toBeLessThanOrEqual(48001);
    expect(zeroCrossingFrequency(out, 48000)).toBeCloseTo(440, -0.5);
    const middle = out.subarray(1000, 47000);
    expect(Math.max(...middle)).toBeCloseTo(0.5, 1);
  });

  it('gives the same samples streamed in odd-sized pieces as all at once (no clicks at joins)', () => {
    const input = sine(300, 0.5, 22050);
    const whole = resample(input, 22050, 48000);
    const resampler = new StreamResampler(22050, 48000);
    const parts: Float32Array[] = [];
    for (let at = 0, size = 7; at < input.length; at += size, size = ((size * 3) % 1000) + 1)
      parts.push(resampler.push(input.subarray(at, at + size)));
    parts.push(resampler.flush());
    const streamed = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      streamed.set(p, o);
      o += p.length;
    }
    expect(streamed.length).toBe(whole.length);
    let maxDiff = 0;
    for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole[i]! - streamed[i]!));
    expect(maxDiff).toBe(0);
  });

  it('filters when downsampling: a 20 kHz tone does not alias into 16 kHz audio', () => {
    const out = resample(sine(20000, 0.2, 48000), 48000, 16000);
    const rms = Math.sqrt(out.reduce((n: number, v: number) => n + v * v, 0) / out.length);
    expect(rms).toBeLessThan(0.02);
  });

  it('rejects impossible rates', () => {
    expect(() => new StreamResampler(0, 48000)).toThrow(RangeError);
  });
});
