import { decodeAudio, decodeAudioAsync } from '../../../src/ml/audio/decode';
import { decodeMp3WithoutPrecheck } from '../../../src/ml/audio/mp3';
import { walkMp3Frames } from '../../../src/ml/audio/mp3Frames';
import { encodeMp3, SILENT_FRAME_SECONDS, silentMp3 } from '../../helpers/mp3';
import { ascii, oggPages, opusHead, riff, sine } from './signals';

const MB = 1024 * 1024;

/** Growth of array-buffer memory (typed arrays, WASM heaps) and RSS across `run`, in MB, and its time. */
async function measure<T>(
  run: () => T | Promise<T>,
): Promise<{ result: T; arrayBuffersMb: number; rssMb: number; ms: number }> {
  const before = process.memoryUsage();
  const t0 = performance.now();
  const result = await run();
  const ms = performance.now() - t0;
  const after = process.memoryUsage();
  return {
    result,
    ms,
    arrayBuffersMb: (after.arrayBuffers - before.arrayBuffers) / MB,
    rssMb: (after.rss - before.rss) / MB,
  };
}

describe('MP3 duration from frame headers', () => {
  it('walks a hand-built silent stream frame by frame', () => {
    const walked = walkMp3Frames(silentMp3(10));
    if (!walked.ok) throw new Error(walked.message);
    expect(walked.value).toMatchObject({
      sampleRate: 44100,
      samplesPerFrame: 1152,
      frames: 383,
      declaredFrames: null,
      freeFormat: false,
      skippedBytes: 0,
    });
    expect(walked.value.seconds).toBeCloseTo(383 * SILENT_FRAME_SECONDS, 6);
  });

  it('reads a lamejs stream the same length the decoder gives', async () => {
    const bytes = encodeMp3(sine(440, 2, 22050, 0.3), 22050, 48);
    const walked = walkMp3Frames(bytes);
    const decoded = await decodeAudioAsync(bytes);
    if (!walked.ok || !decoded.ok) throw new Error('failed');
    // The decoder trims the encoder's delay and padding: at most a few frames shorter.
    expect(walked.value.seconds).toBeGreaterThanOrEqual(2);
    expect(walked.value.seconds - decoded.value.samples.length / 16000).toBeLessThan((3 * 576) / 22050);
  });

  it('skips an ID3v2 tag, resynchronises over junk and does not count an Info frame', () => {
    const tag = Uint8Array.from([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 20, ...new Array<number>(20).fill(0x55)]);
    const info = silentMp3(1, { infoFrames: 39 });
    const junk = new Uint8Array(333).fill(0xff);
    const bytes = new Uint8Array([...tag, ...info, ...junk, ...silentMp3(1)]);
    const walked = walkMp3Frames(bytes);
    if (!walked.ok) throw new Error(walked.message);
    expect(walked.value.declaredFrames).toBe(39);
    // The frame just before the junk is not confirmed by a following header, so it is not counted.
    expect(walked.value.frames).toBe(38 + 39);
    expect(walked.value.skippedBytes).toBeGreaterThanOrEqual(333);
  });
});

describe('MP3 memory is bounded by the duration limit, not by the file', () => {
  it('refuses 33 minutes of silent frames (7.9 MB) as too long from the headers, quickly, without decoding', async () => {
    const bytes = silentMp3(33 * 60);
    expect(bytes.length).toBeLessThan(8 * MB);
    const { result, ms, arrayBuffersMb } = await measure(() => decodeAudioAsync(bytes, { maxBytes: 8 * MB }));
    expect(result).toMatchObject({ ok: false, code: 'too_long', message: expect.stringMatching(/1980 s/) as unknown });
    expect(ms).toBeLessThan(500);
    // Decoding it whole held 33 min × 44.1 kHz × 2 channels of floats: about 700 MB.
    expect(arrayBuffersMb).toBeLessThan(20);
  });

  it('an Info tag that understates the frames does not hide them', async () => {
    const r = await decodeAudioAsync(silentMp3(10 * 60, { infoFrames: 40 }));
    expect(r).toMatchObject({ ok: false, code: 'too_long' });
  });

  it('decoding itself stops at the limit: memory and time do not grow with the duration', async () => {
    // Without the header check (as for free-format frames, whose length the headers do not give).
    const short = await measure(() => decodeMp3WithoutPrecheck(silentMp3(5 * 60), 60));
    const long = await measure(() => decodeMp3WithoutPrecheck(silentMp3(40 * 60), 60));
    expect(short.result).toMatchObject({ ok: false, code: 'too_long' });
    expect(long.result).toMatchObject({ ok: false, code: 'too_long' });
    // 60 s × 44.1 kHz × 2 channels × 4 bytes ≈ 20 MB is the most it may hold; all 40 minutes would be 850 MB.
    expect(long.arrayBuffersMb).toBeLessThan(60);
    expect(long.ms).toBeLessThan(Math.max(3 * short.ms, 1000));
  });

  it('a file within the limit still decodes whole', async () => {
    const r = await decodeMp3WithoutPrecheck(silentMp3(70), 120);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.sampleRate).toBe(44100);
    expect(r.value.channels[0]!.length).toBeGreaterThan(69 * 44100);
    expect(r.value.channels[0]!.length).toBeLessThanOrEqual(Math.ceil(70 / SILENT_FRAME_SECONDS) * 1152);
  });
});

describe('WAV and Ogg Opus stop at the duration limit too', () => {
  it('a WAV is refused from its data chunk size, before any sample is read', async () => {
    // Ten minutes of 8-bit 8 kHz mono: 4.8 MB of bytes, 19 MB as floats.
    const fmt = new Uint8Array(16);
    const v = new DataView(fmt.buffer);
    [1, 1].forEach((x, i) => v.setUint16(i * 2, x, true)); // integer PCM, mono
    v.setUint32(4, 8000, true);
    v.setUint32(8, 8000, true);
    v.setUint16(12, 1, true);
    v.setUint16(14, 8, true);
    const wav = riff([
      { id: 'fmt ', body: fmt },
      { id: 'data', body: new Uint8Array(10 * 60 * 8000).fill(128) },
    ]);
    const { result, arrayBuffersMb } = await measure(() => decodeAudio(wav));
    expect(result).toMatchObject({ ok: false, code: 'too_long' });
    expect(arrayBuffersMb).toBeLessThan(5);
  });

  /** Ogg Opus of `packets` silent 20 ms packets whose last page claims `granule` (48 kHz samples). */
  function lyingOgg(packets: number, granule: number): Uint8Array {
    const silence = Uint8Array.of(0xf8, 0xff, 0xfe); // CELT 20 ms fullband, a silent frame
    const all = [opusHead(), ascii('OpusTags\0\0\0\0\0\0\0\0'), ...new Array<Uint8Array>(packets).fill(silence)];
    const granules = all.map((_, i) => (i === all.length - 1 ? granule : 0));
    return oggPages(all, granules);
  }

  it('an Ogg Opus file whose granule claims 1 s but holds 10 minutes stops decoding at the limit', async () => {
    const bytes = lyingOgg(30_000, 48_000 + 312);
    const { result, arrayBuffersMb } = await measure(() => decodeAudio(bytes, { maxSeconds: 60 }));
    expect(result).toMatchObject({ ok: false, code: 'too_long' });
    // 60 s at 16 kHz in floats is 3.7 MB; ten minutes would be 37 MB.
    expect(arrayBuffersMb).toBeLessThan(10);
  });

  it('an Ogg Opus file whose granule claims an hour is refused before decoding', () => {
    expect(decodeAudio(lyingOgg(50, 3600 * 48_000))).toMatchObject({ ok: false, code: 'too_long' });
  });

  it('the same packets with an honest granule decode', () => {
    const r = decodeAudio(lyingOgg(50, 50 * 960));
    expect(r.ok && r.value.samples.length).toBe(Math.ceil((50 * 960 - 312) / 3));
  });
});
