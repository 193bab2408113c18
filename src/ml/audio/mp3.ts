/**
 * MPEG audio (MP3) via mpg123-decoder (libmpg123 compiled to WASM). Its WASM instantiates
 * asynchronously, so the synchronous {@link decodeMp3} needs {@link loadMp3Decoder} to have
 * prepared a decoder; {@link decodeMp3Async} (used by `decodeAudioAsync`) makes its own.
 */
import { fail, ok, type Result } from '../types';
import type { MultiChannelPcm } from './wav';

/** The subset of mpg123-decoder's MPEGDecoder we use. */
interface MpegDecoder {
  ready: Promise<void>;
  free(): void;
  decode(data: Uint8Array): { channelData: Float32Array[]; samplesDecoded: number; sampleRate: number; errors: unknown[] };
}

type MpegDecoderClass = new () => MpegDecoder;

let decoderClass: MpegDecoderClass | null = null;
let ready: MpegDecoder | null = null;
let loading: Promise<void> | null = null;

/** Sampling rates by MPEG version bits (index 3 is reserved). */
const MPEG_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

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

/** Byte length of the frame whose header is at `at`, or 0 for free-format frames. */
function frameLength(bytes: Uint8Array, at: number): number {
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  const version = (b1 >> 3) & 3;
  const layer = 4 - ((b1 >> 1) & 3); // header bits 3,2,1 mean layers I, II, III
  const bitrateIndex = b2 >> 4;
  if (bitrateIndex === 0) return 0;
  const bitrate = BITRATES[version === 3 ? 0 : 1]![layer - 1]![bitrateIndex - 1]! * 1000;
  const rate = MPEG_RATES[version]![(b2 >> 2) & 3]!;
  const padding = (b2 >> 1) & 1;
  if (layer === 1) return (Math.floor((12 * bitrate) / rate) + padding) * 4;
  const perFrame = layer === 3 && version !== 3 ? 72 : 144;
  return Math.floor((perFrame * bitrate) / rate) + padding;
}

/**
 * Confirm the stream the way decoders sync: the first frame header must be followed, exactly one
 * frame later, by another. Random bytes after one valid-looking header fail this; libmpg123 alone
 * would happily "decode" them to noise.
 */
function checkFrameSync(bytes: Uint8Array): Result<void> {
  let at = 0;
  if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    // ID3v2 size is four 7-bit bytes (synchsafe), plus a 10-byte header and an optional footer.
    const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
    at = 10 + size + (bytes[5]! & 0x10 ? 10 : 0);
  }
  while (at < bytes.length && bytes[at] === 0) at++; // some encoders pad after the tag
  if (!frameHeaderAt(bytes, at)) return fail('corrupt', 'no MPEG audio frame found where the MP3 data should start');
  const length = frameLength(bytes, at);
  if (length > 0 && at + length + 4 <= bytes.length && !frameHeaderAt(bytes, at + length)) {
    return fail('corrupt', 'the MP3 data breaks off after its first frame (damaged or not MP3)');
  }
  return ok(undefined);
}

/** True when the bytes start with an ID3v2 tag or a plausible MPEG audio frame header. */
export function isMp3(bytes: Uint8Array): boolean {
  if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) return true;
  return frameHeaderAt(bytes, 0);
}

function frameHeaderAt(bytes: Uint8Array, at: number): boolean {
  if (bytes.length < at + 4) return false;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  const version = (b1 >> 3) & 3;
  const layer = (b1 >> 1) & 3;
  const bitrateIndex = b2 >> 4;
  const rateIndex = (b2 >> 2) & 3;
  // Layer bits 00 are reserved (and mark ADTS AAC, which we do not decode).
  return bytes[at] === 0xff && (b1 & 0xe0) === 0xe0 && version !== 1 && layer !== 0 && bitrateIndex !== 15 && rateIndex !== 3;
}

/** A new decoder instance; the first call imports the package and compiles its WASM (tens of ms). */
async function createDecoder(): Promise<MpegDecoder> {
  if (!decoderClass) {
    // ES-module-only package: Node 22 and jest (which transforms it) both load it this way.
    const module = (await import('mpg123-decoder')) as unknown as { MPEGDecoder: MpegDecoderClass };
    decoderClass = module.MPEGDecoder;
  }
  const decoder = new decoderClass();
  await decoder.ready;
  return decoder;
}

/**
 * Make a fresh MP3 decoder ready for the synchronous {@link decodeMp3}. Later calls only
 * instantiate the cached WASM module. Concurrent calls share one promise.
 */
export function loadMp3Decoder(): Promise<void> {
  if (ready) return Promise.resolve();
  loading ??= createDecoder()
    .then((decoder) => {
      ready = decoder;
    })
    .finally(() => {
      loading = null;
    });
  return loading;
}

/** True once {@link loadMp3Decoder} has finished and its decoder is not used up yet. */
export function isMp3DecoderLoaded(): boolean {
  return ready !== null;
}

/**
 * Decode MP3 bytes with the decoder {@link loadMp3Decoder} prepared (each stream uses one up).
 * Fails with `invalid` if none is ready.
 */
export function decodeMp3(bytes: Uint8Array, maxSeconds: number): Result<MultiChannelPcm> {
  const sync = checkFrameSync(bytes);
  if (!sync.ok) return sync;
  const decoder = ready;
  if (!decoder) return fail('invalid', 'the MP3 decoder is not loaded yet: await loadMp3Decoder() (or use decodeAudioAsync)');
  // The decoder keeps bit-reservoir and gapless state between calls, so each stream gets a fresh
  // instance: this one is used up, and the next call must load another.
  ready = null;
  return decodeWith(decoder, bytes, maxSeconds);
}

/** Decode MP3 bytes with a decoder of its own, so concurrent calls never share state. */
export async function decodeMp3Async(bytes: Uint8Array, maxSeconds: number): Promise<Result<MultiChannelPcm>> {
  const sync = checkFrameSync(bytes);
  if (!sync.ok) return sync;
  return decodeWith(await createDecoder(), bytes, maxSeconds);
}

function decodeWith(decoder: MpegDecoder, bytes: Uint8Array, maxSeconds: number): Result<MultiChannelPcm> {
  let result: ReturnType<MpegDecoder['decode']>;
  try {
    result = decoder.decode(bytes);
  } catch (error) {
    return fail('corrupt', `the MP3 data could not be decoded (${(error as Error).message})`);
  } finally {
    decoder.free();
  }
  const { channelData, samplesDecoded, sampleRate } = result;
  if (samplesDecoded === 0 || channelData.length === 0 || !sampleRate) {
    return fail('corrupt', 'the MP3 data holds no decodable frames');
  }
  if (!Object.values(MPEG_RATES).some((rates) => rates.includes(sampleRate))) {
    return fail('corrupt', `the MP3 decoder reported an impossible sample rate ${sampleRate}`);
  }
  if (samplesDecoded > maxSeconds * sampleRate) return fail('too_long', `the recording is longer than ${maxSeconds} s`);
  return ok({ channels: channelData.map((c) => c.subarray(0, samplesDecoded)), sampleRate });
}
