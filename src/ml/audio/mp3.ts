/**
 * MPEG audio (MP3) via mpg123-decoder (libmpg123 compiled to WASM). Its WASM instantiates
 * asynchronously, so the synchronous {@link decodeMp3} needs {@link loadMp3Decoder} to have
 * prepared a decoder; {@link decodeMp3Async} (used by `decodeAudioAsync`) makes its own.
 */
import { fail, ok, type Result } from '../types';
import { frameHeaderAt, MPEG_RATES, walkMp3Frames, type Mp3Layout } from './mp3Frames';
import type { MultiChannelPcm } from './wav';

/** The subset of mpg123-decoder's MPEGDecoder we use. */
interface MpegDecoder {
  ready: Promise<void>;
  free(): void;
  decode(data: Uint8Array): {
    channelData: Float32Array[];
    samplesDecoded: number;
    sampleRate: number;
    errors: unknown[];
  };
}

type MpegDecoderClass = new () => MpegDecoder;

let decoderClass: MpegDecoderClass | null = null;
let ready: MpegDecoder | null = null;
let loading: Promise<void> | null = null;

/**
 * Bytes handed to the decoder per call. Its output for one call is bounded by what these bytes can
 * hold: at worst 48-byte MPEG-2.5 frames of 576 samples, 16 KB → about 200 k samples per channel.
 */
const FEED_BYTES = 16 * 1024;

/** True when the bytes start with an ID3v2 tag or a plausible MPEG audio frame header. */
export function isMp3(bytes: Uint8Array): boolean {
  if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) return true;
  return frameHeaderAt(bytes, 0) !== null;
}

/**
 * Refuse a stream by its frame headers before decoding: malformed starts are `corrupt`, and a stream
 * whose frames hold more than `maxSeconds` is `too_long`. A few frames of slack cover the encoder
 * delay and padding that the decoder trims (its own count is checked again while decoding).
 */
function precheckFrames(bytes: Uint8Array, maxSeconds: number): Result<Mp3Layout> {
  const walked = walkMp3Frames(bytes);
  if (!walked.ok) return walked;
  const { seconds, samplesPerFrame, sampleRate } = walked.value;
  if (seconds > maxSeconds + (3 * samplesPerFrame) / sampleRate) {
    return fail(
      'too_long',
      `the recording is longer than ${maxSeconds} s (its frame headers add up to ${Math.round(seconds)} s)`,
    );
  }
  return walked;
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
  const layout = precheckFrames(bytes, maxSeconds);
  if (!layout.ok) return layout;
  const decoder = ready;
  if (!decoder)
    return fail('invalid', 'the MP3 decoder is not loaded yet: await loadMp3Decoder() (or use decodeAudioAsync)');
  // The decoder keeps bit-reservoir and gapless state between calls, so each stream gets a fresh
  // instance: this one is used up, and the next call must load another.
  ready = null;
  return decodeIncrementally(decoder, bytes, maxSeconds, layout.value);
}

/** Decode MP3 bytes with a decoder of its own, so concurrent calls never share state. */
export async function decodeMp3Async(bytes: Uint8Array, maxSeconds: number): Promise<Result<MultiChannelPcm>> {
  const layout = precheckFrames(bytes, maxSeconds);
  if (!layout.ok) return layout;
  return decodeIncrementally(await createDecoder(), bytes, maxSeconds, layout.value);
}

/**
 * The decoding step alone, without the frame-header refusal: for tests that check decoding itself
 * stops at the limit when the headers could not tell (free-format frames, or a walk that undercounts).
 */
export async function decodeMp3WithoutPrecheck(
  bytes: Uint8Array,
  maxSeconds: number,
): Promise<Result<MultiChannelPcm>> {
  return decodeIncrementally(await createDecoder(), bytes, maxSeconds, null);
}

/**
 * Feed the decoder {@link FEED_BYTES} at a time and copy its output into buffers that never grow
 * past `maxSeconds`: the moment the output would pass the limit, decoding stops with `too_long`. The
 * buffers start at the length the frame headers announce, so a normal file is copied once.
 */
function decodeIncrementally(
  decoder: MpegDecoder,
  bytes: Uint8Array,
  maxSeconds: number,
  layout: Mp3Layout | null,
): Result<MultiChannelPcm> {
  let channels: Float32Array[] = [];
  let length = 0;
  let sampleRate = 0;
  let limit = 0;
  try {
    for (let offset = 0; offset < bytes.length; offset += FEED_BYTES) {
      let chunk: ReturnType<MpegDecoder['decode']>;
      try {
        chunk = decoder.decode(bytes.subarray(offset, offset + FEED_BYTES));
      } catch (error) {
        return fail('corrupt', `the MP3 data could not be decoded (${(error as Error).message})`);
      }
      const { channelData, samplesDecoded } = chunk;
      if (samplesDecoded === 0 || channelData.length === 0) continue;
      if (sampleRate === 0) {
        sampleRate = chunk.sampleRate;
        if (!Object.values(MPEG_RATES).some((rates) => rates.includes(sampleRate))) {
          return fail('corrupt', `the MP3 decoder reported an impossible sample rate ${sampleRate}`);
        }
        limit = Math.floor(maxSeconds * sampleRate);
        const expected =
          layout && layout.sampleRate === sampleRate && !layout.freeFormat ? Math.ceil(layout.seconds * sampleRate) : 0;
        const initial = Math.min(limit, Math.max(expected, samplesDecoded, 16384));
        channels = channelData.map(() => new Float32Array(initial));
      } else if (chunk.sampleRate !== sampleRate) {
        return fail('corrupt', `the MP3 stream changes its sample rate from ${sampleRate} to ${chunk.sampleRate} Hz`);
      }
      if (length + samplesDecoded > limit) return fail('too_long', `the recording is longer than ${maxSeconds} s`);
      if (length + samplesDecoded > channels[0]!.length) {
        const size = Math.min(limit, Math.max(channels[0]!.length * 2, length + samplesDecoded));
        channels = channels.map((c) => {
          const grown = new Float32Array(size);
          grown.set(c.subarray(0, length));
          return grown;
        });
      }
      channels.forEach((c, i) => c.set((channelData[i] ?? channelData[0]!).subarray(0, samplesDecoded), length));
      length += samplesDecoded;
    }
  } finally {
    decoder.free();
  }
  if (length === 0) return fail('corrupt', 'the MP3 data holds no decodable frames');
  return ok({ channels: channels.map((c) => c.subarray(0, length)), sampleRate });
}
