/**
 * One entry point from bytes (or raw PCM) to mono PCM at the analysis rate. The format is found by
 * magic bytes only: attachment names and content types are whatever the sender's client chose.
 */
import { fail, ok, type Pcm, type Result } from '../types';
import { ANALYSIS_SAMPLE_RATE, DEFAULT_MAX_BYTES, DEFAULT_MAX_SECONDS, type DecodeOptions } from './constants';
import { decodeMp3, decodeMp3Async, isMp3 } from './mp3';
import { isOgg } from './ogg';
import { decodeOggOpus } from './opus';
import { downmix, resample } from './resample';
import { decodeWav, isWav, type MultiChannelPcm } from './wav';

/** Formats {@link decodeAudio} recognises. */
export type AudioFormat = 'ogg' | 'wav' | 'mp3';

/** Name the container by its first bytes, or null when it is none we decode. */
export function sniffAudioFormat(bytes: Uint8Array): AudioFormat | null {
  if (isOgg(bytes)) return 'ogg';
  if (isWav(bytes)) return 'wav';
  if (isMp3(bytes)) return 'mp3';
  return null;
}

/** Checks every input goes through before its decoder: size limits and a known format. */
function precheck(bytes: Uint8Array, opts: DecodeOptions): Result<{ format: AudioFormat; maxSeconds: number }> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length === 0) return fail('empty', 'the audio file is empty (0 bytes)');
  if (bytes.length > maxBytes)
    return fail('too_large', `the audio file is ${bytes.length} bytes; the limit is ${maxBytes}`);
  const format = sniffAudioFormat(bytes);
  if (!format) return fail('unsupported_format', 'this is not an audio format Attune reads (Ogg Opus, WAV or MP3)');
  return ok({ format, maxSeconds: opts.maxSeconds ?? DEFAULT_MAX_SECONDS });
}

/**
 * Decode Ogg Opus, WAV or MP3 bytes to mono PCM at {@link ANALYSIS_SAMPLE_RATE}.
 * MP3 needs `loadMp3Decoder()` to have resolved first (see {@link decodeAudioAsync}).
 */
export function decodeAudio(bytes: Uint8Array, opts: DecodeOptions = {}): Result<Pcm> {
  const checked = precheck(bytes, opts);
  if (!checked.ok) return checked;
  const { format, maxSeconds } = checked.value;
  switch (format) {
    case 'ogg':
      return decodeOggOpus(bytes, maxSeconds);
    case 'wav':
      return toAnalysisRate(decodeWav(bytes, maxSeconds));
    case 'mp3':
      return toAnalysisRate(decodeMp3(bytes, maxSeconds));
  }
}

/** {@link decodeAudio} for every format, MP3 included (with a decoder instance of its own). */
export async function decodeAudioAsync(bytes: Uint8Array, opts: DecodeOptions = {}): Promise<Result<Pcm>> {
  const checked = precheck(bytes, opts);
  if (!checked.ok) return checked;
  if (checked.value.format !== 'mp3') return decodeAudio(bytes, opts);
  return toAnalysisRate(await decodeMp3Async(bytes, checked.value.maxSeconds));
}

/**
 * Bring raw PCM (e.g. 48 kHz from a Discord voice receive) to the analysis rate, with the same
 * checks as decoded files: empty, non-finite samples, implausible rate, over-long.
 */
export function pcmToAnalysis(pcm: Pcm, opts: DecodeOptions = {}): Result<Pcm> {
  const maxSeconds = opts.maxSeconds ?? DEFAULT_MAX_SECONDS;
  const { samples, sampleRate } = pcm;
  if (!Number.isFinite(sampleRate) || sampleRate < 4000 || sampleRate > 384000) {
    return fail('invalid', `PCM sample rate ${sampleRate} Hz is not plausible`);
  }
  if (samples.length === 0) return fail('empty', 'the recording holds no samples');
  if (samples.length > maxSeconds * sampleRate) return fail('too_long', `the recording is longer than ${maxSeconds} s`);
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i]!)) return fail('corrupt', `PCM sample ${i} is not a finite number`);
  }
  return ok({ samples: resample(samples, sampleRate, ANALYSIS_SAMPLE_RATE), sampleRate: ANALYSIS_SAMPLE_RATE });
}

function toAnalysisRate(decoded: Result<MultiChannelPcm>): Result<Pcm> {
  if (!decoded.ok) return decoded;
  const { channels, sampleRate } = decoded.value;
  const mono = downmix(channels);
  return ok({ samples: resample(mono, sampleRate, ANALYSIS_SAMPLE_RATE), sampleRate: ANALYSIS_SAMPLE_RATE });
}
