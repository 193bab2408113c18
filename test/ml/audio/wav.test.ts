import { decodeAudio } from '../../../src/ml/audio/decode';
import { ascii, harmonicTone, riff, rmsDb, sine, writeWav } from './signals';
import { matching } from '../../helpers/matchers';

const tone16k = sine(440, 0.5, 16000, 0.5);

function decoded(bytes: Uint8Array): Float32Array {
  const result = decodeAudio(bytes);
  if (!result.ok) throw new Error(`${result.code}: ${result.message}`);
  expect(result.value.sampleRate).toBe(16000);
  return result.value.samples;
}

describe('WAV decoding', () => {
  it.each([
    ['pcm8', 2e-2],
    ['pcm16', 1e-4],
    ['pcm24', 1e-6],
    ['pcm32', 1e-6],
    ['float32', 1e-6],
  ] as const)('reads %s samples exactly at 16 kHz', (format, tolerance) => {
    const out = decoded(writeWav([tone16k], { rate: 16000, format }));
    expect(out.length).toBe(tone16k.length);
    let maxErr = 0;
    for (let i = 0; i < out.length; i++) maxErr = Math.max(maxErr, Math.abs(out[i]! - tone16k[i]!));
    expect(maxErr).toBeLessThan(tolerance);
  });

  it('downmixes stereo by averaging channels', () => {
    const left = sine(300, 0.25, 16000, 0.4);
    const right = new Float32Array(left.length).fill(0.2);
    const out = decoded(writeWav([left, right], { rate: 16000, format: 'float32' }));
    for (const i of [0, 100, 2000]) expect(out[i]).toBeCloseTo((left[i]! + 0.2) / 2, 6);
  });

  it('walks past extra chunks before and after data (Apple FLLR, LIST)', () => {
    const bytes = writeWav([tone16k], {
      rate: 16000,
      format: 'pcm16',
      chunksBefore: [
        { id: 'FLLR', body: new Uint8Array(4044) },
        { id: 'odd!', body: new Uint8Array(3) },
      ],
      chunksAfter: [{ id: 'LIST', body: ascii('INFOISFT\x05\x00\x00\x00test\x00') }],
    });
    expect(decoded(bytes).length).toBe(tone16k.length);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE', () => {
    expect(decoded(writeWav([tone16k], { rate: 16000, format: 'pcm24', extensible: true })).length).toBe(
      tone16k.length,
    );
  });

  it('resamples 48 kHz and 44.1 kHz to 16 kHz keeping level and length', () => {
    for (const rate of [48000, 44100, 22050, 8000]) {
      const src = sine(330, 1, rate, 0.5);
      const out = decoded(writeWav([src], { rate, format: 'pcm16' }));
      expect(out.length).toBe(Math.floor((src.length * 16000) / rate));
      // A 0.5-amplitude sine is -9.03 dBFS; the band-limiting filter passes 330 Hz untouched.
      expect(rmsDb(out.subarray(800, out.length - 800))).toBeCloseTo(-9.03, 1);
    }
  });

  it('removes content above the new Nyquist when downsampling', () => {
    const out = decoded(writeWav([sine(12000, 1, 48000, 0.5)], { rate: 48000, format: 'float32' }));
    expect(rmsDb(out.subarray(800, out.length - 800))).toBeLessThan(-60);
  });

  describe('bad input', () => {
    const good = writeWav([harmonicTone(200, 0.3, 16000)], { rate: 16000, format: 'pcm16' });
    it('truncated data chunk is corrupt', () => {
      const r = decodeAudio(good.subarray(0, good.length - 1000));
      expect(r).toMatchObject({ ok: false, code: 'corrupt' });
      if (!r.ok) expect(r.message).toMatch(/truncated/);
    });
    it('header only is corrupt', () => {
      expect(decodeAudio(good.subarray(0, 12))).toMatchObject({ ok: false, code: 'corrupt' });
      expect(decodeAudio(good.subarray(0, 30))).toMatchObject({ ok: false, code: 'corrupt' });
    });
    it('garbage after a valid RIFF header is corrupt', () => {
      const bytes = new Uint8Array(good.length);
      bytes.set(good.subarray(0, 12));
      for (let i = 12; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff;
      expect(decodeAudio(bytes)).toMatchObject({ ok: false, code: 'corrupt' });
    });
    it('data before fmt is corrupt', () => {
      const bytes = riff([{ id: 'data', body: new Uint8Array(100) }]);
      expect(decodeAudio(bytes)).toMatchObject({
        ok: false,
        code: 'corrupt',
        message: matching(/before its fmt/),
      });
    });
    it('compressed WAV formats are unsupported', () => {
      const bytes = good.slice();
      new DataView(bytes.buffer).setUint16(20, 2, true); // MS ADPCM
      expect(decodeAudio(bytes)).toMatchObject({ ok: false, code: 'unsupported_format' });
    });
    it('inconsistent block size is corrupt', () => {
      const bytes = good.slice();
      new DataView(bytes.buffer).setUint16(32, 3, true);
      expect(decodeAudio(bytes)).toMatchObject({ ok: false, code: 'corrupt' });
    });
    it('too long is too_long', () => {
      expect(decodeAudio(good, { maxSeconds: 0.1 })).toMatchObject({ ok: false, code: 'too_long' });
    });
    it('oversized is too_large', () => {
      expect(decodeAudio(good, { maxBytes: 100 })).toMatchObject({ ok: false, code: 'too_large' });
    });
  });
});
