import { decodeAudio } from '../../../src/ml/audio/decode';
import { extractVoiceFeatures } from '../../../src/ml/audio/features';
import { ascii, encodeOggOpus, harmonicTone, oggPages, opusHead, rmsDb } from './signals';
import { matching } from '../../helpers/matchers';

const tone = harmonicTone(180, 1.2, 48000, 0.5);
const ogg = encodeOggOpus(tone);

describe('Ogg Opus decoding', () => {
  it('round-trips an opusscript-encoded tone: exact length, level and pitch', () => {
    const r = decodeAudio(ogg);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.sampleRate).toBe(16000);
    // Pre-skip removed and end trimmed by the last granule: 1.2 s exactly.
    expect(r.value.samples.length).toBe(19200);
    const middle = r.value.samples.subarray(1600, 17600);
    expect(rmsDb(middle)).toBeCloseTo(rmsDb(tone.subarray(4800, 52800)), 0);
    const f = extractVoiceFeatures({ samples: middle, sampleRate: 16000 });
    if (!f.ok) throw new Error(f.message);
    expect(100 * 2 ** (f.value.stats.f0_median! / 12)).toBeCloseTo(180, -0.5);
  });

  it('applies the OpusHead output gain', () => {
    const plain = decodeAudio(ogg);
    const bytes = encodeOggOpus(tone);
    // Rebuild with a -6 dB gain (Q7.8) in the head: re-mux the same packets.
    const louder = remux(bytes, opusHead(312, 1, -6 * 256));
    const quieter = decodeAudio(louder);
    if (!plain.ok || !quieter.ok) throw new Error('decode failed');
    expect(rmsDb(quieter.value.samples) - rmsDb(plain.value.samples)).toBeCloseTo(-6, 1);
  });

  it('downmixes a stereo stream', () => {
    const r = decodeAudio(encodeOggOpus(tone, 312, new Float32Array(tone.length)));
    if (!r.ok) throw new Error(r.message);
    expect(r.value.samples.length).toBe(19200);
    // One silent channel halves the amplitude: −6 dB against the mono encoding.
    const mono = decodeAudio(ogg);
    if (!mono.ok) throw new Error(mono.message);
    expect(rmsDb(r.value.samples.subarray(1600, 17600)) - rmsDb(mono.value.samples.subarray(1600, 17600))).toBeCloseTo(
      -6,
      0,
    );
  });

  it('reads bytes that sit at an offset inside a larger buffer (Node Buffer slices)', () => {
    const host = new Uint8Array(ogg.length + 13);
    host.set(ogg, 13);
    const r = decodeAudio(host.subarray(13));
    expect(r.ok && r.value.samples.length).toBe(19200);
  });

  describe('bad input', () => {
    it('a short invalid Opus packet is corrupt', () => {
      // TOC code 3 announces a frame count byte that is missing.
      const bad = oggPages([opusHead(), ascii('OpusTags\0\0\0\0\0\0\0\0'), Uint8Array.of(0x03)], [0, 0, 960]);
      expect(decodeAudio(bad)).toMatchObject({
        ok: false,
        code: 'corrupt',
        message: matching(/packet 2/),
      });
    });
    it('truncated file is corrupt', () => {
      const r = decodeAudio(ogg.subarray(0, ogg.length - 7));
      expect(r).toMatchObject({ ok: false, code: 'corrupt', message: matching(/cut off/) });
    });
    it('a flipped byte fails the page checksum', () => {
      const bytes = ogg.slice();
      bytes[bytes.length - 20] = bytes.at(-20)! ^ 0x55;
      expect(decodeAudio(bytes)).toMatchObject({
        ok: false,
        code: 'corrupt',
        message: matching(/checksum/),
      });
    });
    it('garbage after the first page is corrupt', () => {
      const firstPage = 27 + 1 + 19;
      const bytes = ogg.slice();
      for (let i = firstPage; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
      expect(decodeAudio(bytes)).toMatchObject({ ok: false, code: 'corrupt' });
    });
    it('Ogg without Opus (e.g. Vorbis) is unsupported', () => {
      const vorbis = oggPages([ascii('\x01vorbis' + '\x00'.repeat(23))], [0]);
      expect(decodeAudio(vorbis)).toMatchObject({
        ok: false,
        code: 'unsupported_format',
        message: matching(/Opus/),
      });
    });
    it('multistream (surround) Opus is unsupported', () => {
      const head = new Uint8Array(27);
      head.set(opusHead(312, 6));
      head[18] = 1;
      head[19] = 4;
      expect(decodeAudio(oggPages([head], [0]))).toMatchObject({ ok: false, code: 'unsupported_format' });
    });
    it('an invalid Opus packet is corrupt', () => {
      const bad = oggPages(
        [opusHead(), ascii('OpusTags\0\0\0\0\0\0\0\0'), new Uint8Array(5000).fill(0xfc)],
        [0, 0, 960],
      );
      expect(decodeAudio(bad)).toMatchObject({
        ok: false,
        code: 'corrupt',
        message: matching(/packet 2/),
      });
    });
    it('headers without audio are corrupt', () => {
      const empty = oggPages([opusHead(), ascii('OpusTags\0\0\0\0\0\0\0\0')], [0, 0]);
      expect(decodeAudio(empty)).toMatchObject({ ok: false, code: 'corrupt' });
    });
    it('longer than maxSeconds is too_long', () => {
      expect(decodeAudio(ogg, { maxSeconds: 1 })).toMatchObject({ ok: false, code: 'too_long' });
    });
    it('the capture pattern alone is corrupt', () => {
      expect(decodeAudio(ascii('OggS'))).toMatchObject({ ok: false, code: 'corrupt' });
    });
  });
});

/** Replace the OpusHead page of a single-packet-per-page file made by encodeOggOpus. */
function remux(bytes: Uint8Array, head: Uint8Array): Uint8Array {
  const packets: Uint8Array[] = [];
  const granules: number[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let pos = 0; pos < bytes.length;) {
    const segments = bytes[pos + 26]!;
    let size = 0;
    for (let s = 0; s < segments; s++) size += bytes[pos + 27 + s]!;
    packets.push(bytes.slice(pos + 27 + segments, pos + 27 + segments + size));
    granules.push(view.getUint32(pos + 6, true));
    pos += 27 + segments + size;
  }
  packets[0] = head;
  return oggPages(packets, granules);
}
