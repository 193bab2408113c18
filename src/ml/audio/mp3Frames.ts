/**
 * MPEG audio frame headers, read without decoding: enough to know how long an MP3 is before any
 * sample is synthesised. A few megabytes of MP3 can hold half an hour of silent frames (a 104-byte
 * frame is 26 ms at 32 kb/s), and decoding that whole stream first costs over a gigabyte.
 */
import { fail, ok, type Result } from '../types';

/** Sampling rates by MPEG version bits (index 3 is reserved). */
export const MPEG_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000],
};

/** Bitrates in kbps by [MPEG-1 ? 0 : 1][layer 1..3 → 0..2], index 1..14. */
const BITRATES = [
  [
    [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  ],
  [
    [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  ],
];

/** One parsed 4-byte frame header. */
export interface FrameHeader {
  /** 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5 (the header's own bit values). */
  version: number;
  layer: 1 | 2 | 3;
  sampleRate: number;
  /** Samples per channel the frame decodes to. */
  samples: number;
  /** Bytes of the whole frame, header included; 0 for free-format frames (no bitrate given). */
  length: number;
  mono: boolean;
  crc: boolean;
}

/** The frame header at `at`, or null where the bytes cannot be one. */
export function frameHeaderAt(bytes: Uint8Array, at: number): FrameHeader | null {
  if (at < 0 || bytes.length < at + 4 || bytes[at] !== 0xff) return null;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  const version = (b1 >> 3) & 3;
  const layerBits = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  // Layer bits 00 are reserved (and mark ADTS AAC, which we do not decode).
  if ((b1 & 0xe0) !== 0xe0 || version === 1 || layerBits === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const layer = (4 - layerBits) as 1 | 2 | 3; // header bits 3,2,1 mean layers I, II, III
  const sampleRate = MPEG_RATES[version]![rateIndex]!;
  const mpeg1 = version === 3;
  const samples = layer === 1 ? 384 : layer === 3 && !mpeg1 ? 576 : 1152;
  const padding = (b2 >> 1) & 1;
  let length = 0;
  if (bitrateIndex !== 0) {
    const bitrate = BITRATES[mpeg1 ? 0 : 1]![layer - 1]![bitrateIndex - 1]! * 1000;
    length =
      layer === 1
        ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
        : Math.floor(((samples / 8) * bitrate) / sampleRate) + padding;
  }
  return { version, layer, sampleRate, samples, length, mono: bytes[at + 3]! >> 6 === 3, crc: (b1 & 1) === 0 };
}

/** Where the MPEG data starts: after an ID3v2 tag (and the zero padding some encoders leave). */
export function mpegDataStart(bytes: Uint8Array): number {
  let at = 0;
  if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    // ID3v2 size is four 7-bit bytes (synchsafe), plus a 10-byte header and an optional footer.
    const size =
      ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
    at = 10 + size + (bytes[5]! & 0x10 ? 10 : 0);
  }
  while (at < bytes.length && bytes[at] === 0) at++;
  return at;
}

/** What walking the frame headers found. */
export interface Mp3Layout {
  /** Sample rate of the first frame. */
  sampleRate: number;
  /** Audio frames counted (a Xing/Info/VBRI frame is not audio and is not counted). */
  frames: number;
  /** Seconds of audio those frames hold (before the decoder trims encoder delay and padding). */
  seconds: number;
  /** Samples per channel of one frame of the first kind found (for slack in limit checks). */
  samplesPerFrame: number;
  /** Frame count a Xing/Info/VBRI header declares, or null. Informational: a tag can lie. */
  declaredFrames: number | null;
  /** True when a free-format frame stopped the walk: the length is then unknown past it. */
  freeFormat: boolean;
  /** Bytes skipped between frames while resynchronising (junk, ID3v1 or APE tags). */
  skippedBytes: number;
}

/** Side-information size of a Layer III frame: where a Xing/Info tag starts after the header. */
function sideInfoBytes(h: FrameHeader): number {
  if (h.version === 3) return h.mono ? 17 : 32;
  return h.mono ? 9 : 17;
}

function tagAt(bytes: Uint8Array, at: number): string {
  if (at + 4 > bytes.length) return '';
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

function uint32be(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

/**
 * The frame count a Xing/Info (LAME, most VBR and CBR encoders) or VBRI (Fraunhofer) header in this
 * frame declares: undefined when the frame is an ordinary audio frame, null when it is an info
 * frame without a count.
 */
export function infoFrameCount(bytes: Uint8Array, at: number, h: FrameHeader): number | null | undefined {
  if (h.layer !== 3) return undefined;
  const xing = at + 4 + (h.crc ? 2 : 0) + sideInfoBytes(h);
  const xingTag = tagAt(bytes, xing);
  if (xingTag === 'Xing' || xingTag === 'Info') {
    if (xing + 8 > bytes.length) return null;
    const flags = uint32be(bytes, xing + 4);
    return flags & 1 && xing + 12 <= bytes.length ? uint32be(bytes, xing + 8) : null;
  }
  // VBRI sits 32 bytes after the header whatever the channel mode: tag, version, delay, quality, bytes, frames.
  const vbri = at + 36;
  if (tagAt(bytes, vbri) === 'VBRI') return vbri + 18 <= bytes.length ? uint32be(bytes, vbri + 14) : null;
  return undefined;
}

/** True when a frame at `at` is followed by another header, or ends exactly at the end of the data. */
function confirmedFrame(bytes: Uint8Array, at: number): FrameHeader | null {
  const h = frameHeaderAt(bytes, at);
  if (!h || h.length === 0) return null;
  const next = at + h.length;
  if (next === bytes.length || frameHeaderAt(bytes, next)) return h;
  return null;
}

/**
 * Walk every frame header from the start of the MPEG data to the end, the way a decoder syncs: the
 * first header must be followed by another exactly one frame later (random bytes after one
 * valid-looking header fail this; libmpg123 alone would "decode" them to noise), and after a gap
 * the walk resynchronises on the next header that is itself followed by a header. It reads four bytes
 * per frame and allocates nothing, so a 25 MB file is walked in milliseconds.
 */
export function walkMp3Frames(bytes: Uint8Array): Result<Mp3Layout> {
  const start = mpegDataStart(bytes);
  const first = frameHeaderAt(bytes, start);
  if (!first) return fail('corrupt', 'no MPEG audio frame found where the MP3 data should start');
  if (first.length > 0 && start + first.length + 4 <= bytes.length && !frameHeaderAt(bytes, start + first.length)) {
    return fail('corrupt', 'the MP3 data breaks off after its first frame (damaged or not MP3)');
  }
  const layout: Mp3Layout = {
    sampleRate: first.sampleRate,
    frames: 0,
    seconds: 0,
    samplesPerFrame: first.samples,
    declaredFrames: null,
    freeFormat: first.length === 0,
    skippedBytes: 0,
  };
  if (layout.freeFormat) return ok(layout);
  const declared = infoFrameCount(bytes, start, first);
  let at = start;
  if (declared !== undefined) {
    layout.declaredFrames = declared;
    at += first.length;
  }
  while (at + 4 <= bytes.length) {
    const h = frameHeaderAt(bytes, at);
    if (h && h.length === 0) {
      layout.freeFormat = true;
      break;
    }
    // A frame counts when another header follows it (or the data ends with it): a lone 0xFFE in junk does not.
    if (
      h &&
      at + h.length <= bytes.length &&
      (at + h.length + 4 > bytes.length || frameHeaderAt(bytes, at + h.length))
    ) {
      layout.frames++;
      layout.seconds += h.samples / h.sampleRate;
      at += h.length;
      continue;
    }
    if (h && at + h.length > bytes.length) break; // a last frame cut short decodes to nothing
    const resumed = resync(bytes, at + 1);
    if (resumed < 0) break;
    layout.skippedBytes += resumed - at;
    at = resumed;
  }
  return ok(layout);
}

/** Offset of the next confirmed frame at or after `from`, or -1. */
function resync(bytes: Uint8Array, from: number): number {
  for (let at = from; at + 4 <= bytes.length; at++) {
    if (bytes[at] === 0xff && confirmedFrame(bytes, at)) return at;
  }
  return -1;
}
