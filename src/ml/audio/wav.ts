/**
 * RIFF/WAVE parser. Walks every chunk instead of assuming `data` follows `fmt ` at byte 36, because
 * real files carry other chunks first (Apple's `FLLR` padding, `LIST`, `bext`, ...).
 */
import { fail, ok, type Result } from '../types';

/** Interleaved-channel audio before downmixing. */
export interface MultiChannelPcm {
  /** One array per channel. */
  channels: Float32Array[];
  sampleRate: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Declared data sizes that mean "until the end of the file" (streaming writers). */
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

/** True when the bytes start like a RIFF/WAVE file. */
export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && tag(bytes, 0) === 'RIFF' && tag(bytes, 8) === 'WAVE';
}

function tag(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!);
}

interface WavFormat {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

/** Parse a WAV file: integer PCM of 8/16/24/32 bits or 32/64-bit float, any channel count. */
export function decodeWav(bytes: Uint8Array, maxSeconds: number): Result<MultiChannelPcm> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let format: WavFormat | null = null;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = tag(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) return fail('corrupt', 'the WAV fmt chunk is cut off');
      const parsed = parseFormat(view, body, size);
      if (!parsed.ok) return parsed;
      format = parsed.value;
    } else if (id === 'data') {
      if (!format) return fail('corrupt', 'the WAV data chunk comes before its fmt chunk');
      let length = size;
      if (UNKNOWN_SIZES.has(size)) length = bytes.length - body;
      else if (body + size > bytes.length) {
        return fail(
          'corrupt',
          `the WAV data chunk declares ${size} bytes but only ${bytes.length - body} are present (file truncated?)`,
        );
      }
      return samplesFrom(bytes.subarray(body, body + length), format, maxSeconds);
    }
    // Chunks are padded to an even length.
    pos = body + size + (size & 1);
  }
  return fail('corrupt', format ? 'the WAV file has no data chunk' : 'the WAV file has no fmt chunk');
}

function parseFormat(view: DataView, at: number, size: number): Result<WavFormat> {
  let formatTag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (formatTag === FORMAT_EXTENSIBLE) {
    // The real format is the first two bytes of the SubFormat GUID.
    if (size < 40 || at + 26 > view.byteLength) return fail('corrupt', 'the WAV extensible fmt chunk is cut off');
    formatTag = view.getUint16(at + 24, true);
  }
  if (formatTag !== FORMAT_PCM && formatTag !== FORMAT_FLOAT) {
    return fail('unsupported_format', `WAV sample format ${formatTag} is not supported (integer PCM or float only)`);
  }
  if (channels === 0) return fail('corrupt', 'the WAV file declares zero channels');
  if (sampleRate < 4000 || sampleRate > 384000)
    return fail('corrupt', `the WAV sample rate ${sampleRate} Hz is not plausible`);
  const validBits = formatTag === FORMAT_FLOAT ? [32, 64] : [8, 16, 24, 32];
  if (!validBits.includes(bitsPerSample)) {
    return fail(
      'unsupported_format',
      `${bitsPerSample}-bit ${formatTag === FORMAT_FLOAT ? 'float' : 'integer'} WAV is not supported`,
    );
  }
  if (blockAlign !== (bitsPerSample / 8) * channels) {
    return fail(
      'corrupt',
      `the WAV block size ${blockAlign} does not match ${channels} channels of ${bitsPerSample} bits`,
    );
  }
  return ok({ formatTag, channels, sampleRate, bitsPerSample, blockAlign });
}

function samplesFrom(data: Uint8Array, format: WavFormat, maxSeconds: number): Result<MultiChannelPcm> {
  const { channels: count, blockAlign, sampleRate, bitsPerSample, formatTag } = format;
  const frames = Math.floor(data.length / blockAlign);
  if (frames === 0) return fail('corrupt', 'the WAV data chunk holds no samples');
  if (frames > maxSeconds * sampleRate) return fail('too_long', `the recording is longer than ${maxSeconds} s`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const channels = Array.from({ length: count }, () => new Float32Array(frames));
  const bytesPer = bitsPerSample / 8;
  const read = sampleReader(view, formatTag, bitsPerSample);
  for (let c = 0; c < count; c++) {
    const out = channels[c]!;
    for (let f = 0, at = c * bytesPer; f < frames; f++, at += blockAlign) out[f] = read(at);
  }
  return ok({ channels, sampleRate });
}

function sampleReader(view: DataView, formatTag: number, bits: number): (at: number) => number {
  if (formatTag === FORMAT_FLOAT) {
    return bits === 32 ? (at) => view.getFloat32(at, true) : (at) => view.getFloat64(at, true);
  }
  switch (bits) {
    case 8: // 8-bit WAV is unsigned, centred on 128.
      return (at) => (view.getUint8(at) - 128) / 128;
    case 16:
      return (at) => view.getInt16(at, true) / 32768;
    case 24:
      return (at) => ((view.getInt8(at + 2) << 16) | (view.getUint8(at + 1) << 8) | view.getUint8(at)) / 8388608;
    default:
      return (at) => view.getInt32(at, true) / 2147483648;
  }
}
