import fs from 'node:fs';
import { describeWithData, sharedPath } from '../helpers/sharedData';
import {
  FRAME_SAMPLES,
  activeSeconds,
  decodeOggOpus,
  decodeOpusPackets,
  encodeOpusPackets,
  loadOggOpusFile,
  parseOggOpus,
  peakDb,
  sineWave,
} from './index';
import { MAX_OGG_BYTES } from './audio/ogg';

/** Upward zero crossings per second: the frequency of a clean tone. */
function toneHz(pcm: Float32Array): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) if ((pcm[i - 1] as number) < 0 && (pcm[i] as number) >= 0) crossings++;
  return crossings / (pcm.length / 48_000);
}

describe('Opus helpers', () => {
  test('encodes 20 ms frames (last one padded) and decodes back to the same tone', () => {
    const tone = sineWave(0.5, 330, 0.5);
    const packets = encodeOpusPackets(tone);
    expect(packets).toHaveLength(25);
    // Stereo: the TOC byte's stereo flag (bit 2) is set, as Discord clients send.
    expect((packets[10]![0]! >> 2) & 1).toBe(1);
    const decoded = decodeOpusPackets(packets);
    if (!decoded.ok) throw new Error(decoded.message);
    expect(decoded.value.length).toBe(25 * FRAME_SAMPLES);
    // Skip the codec's look-ahead ramp; then frequency and level match the input.
    const steady = decoded.value.subarray(4800);
    expect(toneHz(steady)).toBeGreaterThan(320);
    expect(toneHz(steady)).toBeLessThan(340);
    expect(peakDb(steady)).toBeGreaterThan(-7.5);
    expect(peakDb(steady)).toBeLessThan(-5.0);
    expect(encodeOpusPackets(tone, { channels: 1 })[10]![0]! & 4).toBe(0);
  });

  test('activeSeconds counts loud 20 ms windows, absolute or relative to the peak', () => {
    const pcm = new Float32Array(48_000);
    pcm.set(sineWave(0.4, 200, 0.01), 9600); // -40 dBFS peak, 0.4 s
    expect(activeSeconds(pcm)).toBe(0);
    expect(activeSeconds(pcm, { belowPeakDb: 10 })).toBeCloseTo(0.4, 5);
    expect(activeSeconds(new Float32Array(0))).toBe(0);
  });

  test('empty input encodes to no packets; garbage packets are a typed failure', () => {
    expect(encodeOpusPackets(new Float32Array(0))).toEqual([]);
    const bad = decodeOpusPackets([Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff])]);
    expect(bad).toMatchObject({ ok: false, code: 'corrupt' });
  });
});

describe('Ogg Opus parser: bad input', () => {
  test('empty, not Ogg, oversized and missing files fail with specific codes', () => {
    expect(parseOggOpus(Buffer.alloc(0))).toMatchObject({ ok: false, code: 'empty' });
    expect(parseOggOpus(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(parseOggOpus(Buffer.alloc(MAX_OGG_BYTES + 1))).toMatchObject({ ok: false, code: 'too_large' });
    expect(loadOggOpusFile('/nonexistent/clip.ogg')).toMatchObject({ ok: false, code: 'invalid' });
  });
});

describeWithData('Ogg Opus parser on a shared RAVDESS clip', () => {
  const file = sharedPath('ravdess-3class/Actor_01/03-01-01-01-01-01-01.ogg');
  const bytes = fs.readFileSync(file);

  test('reads the header and packets (values cross-checked with opusinfo)', () => {
    const parsed = parseOggOpus(bytes);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.value).toMatchObject({
      channels: 1,
      preSkip: 312,
      inputSampleRate: 48_000,
      outputGainDb: 0,
      finalGranule: 158_870,
    });
    expect(parsed.value.packets).toHaveLength(166);
    expect(parsed.value.packets.slice(0, 3).map((p) => p.length)).toEqual([38, 40, 38]);
  });

  test('decodes to 3.303 s of 48 kHz mono, as opusinfo reports', () => {
    const clip = decodeOggOpus(bytes);
    if (!clip.ok) throw new Error(clip.message);
    expect(clip.value.pcm.length).toBe(158_870 - 312);
    expect(clip.value.durationSecs).toBeCloseTo(3.303, 3);
    const speech = activeSeconds(clip.value.pcm, { belowPeakDb: 30 });
    expect(speech).toBeGreaterThan(1.0);
    expect(speech).toBeLessThan(3.3);
  });

  test('truncated and bit-flipped files fail as corrupt', () => {
    expect(parseOggOpus(bytes.subarray(0, 5000))).toMatchObject({
      ok: false,
      code: 'corrupt',
      message: expect.stringMatching(/Truncated/) as unknown,
    });
    const flipped = Buffer.from(bytes);
    flipped[3000] = (flipped[3000] ?? 0) ^ 0x40;
    expect(parseOggOpus(flipped)).toMatchObject({
      ok: false,
      code: 'corrupt',
      message: expect.stringMatching(/CRC/) as unknown,
    });
  });
});
