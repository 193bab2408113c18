/**
 * Online speech through google-tts-api (the Google Translate voice). Its MP3 is decoded in-process by
 * mpg123-decoder (WASM; no system FFmpeg). The voice itself has no prosody controls, so emotion is
 * added afterwards: playing the audio slightly faster raises pitch and tempo together (happy), slower
 * lowers both (sad), and a gain sets loudness. The `slow` option is not used: it halves the speed,
 * far beyond what sounds like sadness.
 */
import { getAudioUrl } from 'google-tts-api';
import { decodeMp3, loadMp3Decoder } from '../../ml/audio/mp3';
import { splitForEngine } from '../text/split';
import type { PcmChunk, SpeechEngine, SpeechStyle } from '../types';
import { toInt16 } from './pcm';
import { prosodyFor, type Prosody } from './prosody';

/** google-tts-api throws over 200 characters per request. */
export const GOOGLE_MAX_CHARS = 200;
/** A sentence of speech is a few seconds; anything much longer is not what we asked for. */
const MAX_SECONDS_PER_PIECE = 60;
/** Responses bigger than this are refused before decoding (a 200-character MP3 is ~30 kB). */
const MAX_MP3_BYTES = 2_000_000;

export interface GoogleTtsEngineOptions {
  /** Language code, e.g. "en", "en-GB" accents are not offered by this endpoint; "en" is US English. */
  lang?: string;
  /** Base URL of the service; tests point it at a local stand-in. */
  host?: string;
  /** Per-request timeout in ms. */
  timeoutMs?: number;
}

/** Playback-rate factor and gain for a prosody: rate and pitch share the one resampling control. */
export function googleAdjustment(prosody: Prosody): { speed: number; gain: number } {
  return { speed: (prosody.pitch * prosody.rate) ** 0.25, gain: prosody.gain };
}

export class GoogleTtsEngine implements SpeechEngine {
  readonly name = 'google';
  private readonly lang: string;
  private readonly host: string | undefined;
  private readonly timeoutMs: number;

  constructor(options: GoogleTtsEngineOptions = {}) {
    this.lang = options.lang ?? 'en';
    this.host = options.host;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async *synthesize(text: string, style: SpeechStyle): AsyncGenerator<PcmChunk> {
    const { speed, gain } = googleAdjustment(prosodyFor(style));
    for (const piece of splitForEngine(text, GOOGLE_MAX_CHARS)) {
      const url = getAudioUrl(piece, { lang: this.lang, slow: false, ...(this.host ? { host: this.host } : {}) });
      const mp3 = await this.download(url);
      await loadMp3Decoder();
      const decoded = decodeMp3(mp3, MAX_SECONDS_PER_PIECE);
      if (!decoded.ok) throw new Error(`google TTS audio could not be decoded: ${decoded.message}`);
      const mono = decoded.value.channels[0]!;
      const scaled = new Float32Array(mono.length);
      for (let i = 0; i < mono.length; i++) scaled[i] = mono[i]! * gain;
      // Declaring a higher sample rate plays the same samples faster (and higher); the 48 kHz conversion
      // downstream does the actual resampling.
      yield { samples: toInt16(scaled), sampleRate: Math.round(decoded.value.sampleRate * speed) };
    }
  }

  private async download(url: string): Promise<Uint8Array> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      const response = await fetch(url, { signal: controller.signal });
      if (!response.ok) throw new Error(`google TTS answered HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length === 0) throw new Error('google TTS sent no audio');
      if (bytes.length > MAX_MP3_BYTES)
        throw new Error(`google TTS sent ${bytes.length} bytes, more than ${MAX_MP3_BYTES}`);
      return bytes;
    } catch (error) {
      if (controller.signal.aborted)
        throw new Error(`google TTS did not answer within ${this.timeoutMs} ms`, { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    // Nothing held between requests: each piece gets a fresh decoder.
  }
}
