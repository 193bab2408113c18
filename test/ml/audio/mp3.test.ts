import { decodeAudio, decodeAudioAsync } from '../../../src/ml/audio/decode';
import { analyzeVoiceAsync } from '../../../src/ml/audio/features';
import { isMp3DecoderLoaded, loadMp3Decoder } from '../../../src/ml/audio/mp3';
import { encodeMp3 as encodeLame } from '../../helpers/mp3';
import { harmonicTone, rmsDb, sine } from './signals';
import { matching } from '../../helpers/matchers';

/** The tests' MP3s: 64 kb/s unless a test says otherwise. */
const encodeMp3 = (samples: Float32Array, rate: number, kbps = 64) => encodeLame(samples, rate, kbps);

const rate = 44100;
const tone = sine(440, 1, rate, 0.5);
const mp3 = encodeMp3(tone, rate);

describe('MP3 decoding', () => {
  it('decodes a lamejs-encoded tone to 16 kHz with its level (async path loads the decoder)', async () => {
    const r = await decodeAudioAsync(mp3);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.sampleRate).toBe(16000);
    // 1 s of audio plus at most the encoder's delay and padding (a few frames).
    expect(r.value.samples.length).toBeGreaterThanOrEqual(16000);
    expect(r.value.samples.length).toBeLessThan(16000 + 3 * 1152 * (16000 / rate) + 1);
    expect(rmsDb(r.value.samples.subarray(4000, 12000))).toBeCloseTo(-9.03, 0);
  });

  it('decodes two streams in a row independently', async () => {
    const a = await decodeAudioAsync(mp3);
    const b = await decodeAudioAsync(mp3);
    if (!a.ok || !b.ok) throw new Error('decode failed');
    expect(b.value.samples.length).toBe(a.value.samples.length);
    expect(b.value.samples[8000]).toBeCloseTo(a.value.samples[8000]!, 6);
  });

  it('decodes concurrent streams without sharing a decoder', async () => {
    const other = encodeMp3(sine(220, 0.5, 22050, 0.2), 22050, 32);
    const [a, b] = await Promise.all([decodeAudioAsync(mp3), decodeAudioAsync(other)]);
    if (!a.ok || !b.ok) throw new Error('decode failed');
    expect(a.value.samples.length).toBeGreaterThanOrEqual(16000);
    expect(b.value.samples.length).toBeGreaterThanOrEqual(8000);
    expect(b.value.samples.length).toBeLessThan(12000);
  });

  it('the synchronous path needs a prepared decoder and uses it up', async () => {
    expect(isMp3DecoderLoaded()).toBe(false);
    expect(decodeAudio(mp3)).toMatchObject({
      ok: false,
      code: 'invalid',
      message: matching(/loadMp3Decoder/),
    });
    await loadMp3Decoder();
    expect(isMp3DecoderLoaded()).toBe(true);
    const r = decodeAudio(mp3);
    expect(r.ok && r.value.samples.length).toBeGreaterThanOrEqual(16000);
    expect(isMp3DecoderLoaded()).toBe(false);
  });

  it('reads pitch from an MP3 voice-like tone end to end', async () => {
    const voice = harmonicTone(150, 1.5, 22050, 0.3);
    const r = await analyzeVoiceAsync(encodeMp3(voice, 22050, 48));
    if (!r.ok) throw new Error(r.message);
    expect(100 * 2 ** (r.value.stats.f0_median! / 12)).toBeCloseTo(150, -0.5);
  });

  describe('bad input', () => {
    it('frame header followed by garbage is corrupt', async () => {
      const bytes = new Uint8Array(4000);
      bytes.set(mp3.subarray(0, 4));
      for (let i = 4; i < bytes.length; i++) bytes[i] = (i * 131) & 0xff;
      expect(await decodeAudioAsync(bytes)).toMatchObject({ ok: false, code: 'corrupt' });
    });
    it('an ID3 tag with nothing after it is corrupt', async () => {
      const id3 = Uint8Array.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 10, ...new Array<number>(10).fill(0)]);
      expect(await decodeAudioAsync(id3)).toMatchObject({ ok: false, code: 'corrupt' });
    });
    it('a truncated stream decodes what is there', async () => {
      const r = await decodeAudioAsync(mp3.subarray(0, mp3.length >> 1));
      if (!r.ok) throw new Error(r.message);
      expect(r.value.samples.length).toBeGreaterThan(6000);
      expect(r.value.samples.length).toBeLessThan(10000);
    });
    it('too long and too large', async () => {
      expect(await decodeAudioAsync(mp3, { maxSeconds: 0.5 })).toMatchObject({ ok: false, code: 'too_long' });
      expect(await decodeAudioAsync(mp3, { maxBytes: 10 })).toMatchObject({ ok: false, code: 'too_large' });
    });
    it('ADTS AAC (sync word with layer 0) is not taken for MP3', async () => {
      expect(await decodeAudioAsync(Uint8Array.from([0xff, 0xf1, 0x50, 0x80, 0, 0x1f, 0xfc]))).toMatchObject({
        ok: false,
        code: 'unsupported_format',
      });
    });
  });
});
