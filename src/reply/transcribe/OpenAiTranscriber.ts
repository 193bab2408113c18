/**
 * Transcription through an OpenAI-compatible `POST {baseUrl}/audio/transcriptions`: the API OpenAI
 * serves and that self-hosted servers implement (whisper.cpp's server, faster-whisper servers,
 * LocalAI), so a server owner can keep audio on their own machine. One multipart request per
 * question: the audio file, the model name, optionally the language, `response_format=json`.
 *
 * Audio from the voice channel is already decoded (16 kHz mono); it is sent as 16 kHz mono 16-bit
 * WAV: 32 KB a second, so a 15 s question is 480 KB, with no encoding work on the bot's thread. A
 * file the person attached goes as it came (Ogg Opus, WAV or MP3, all of which the API accepts).
 *
 * Every failure (network, HTTP status, timeout, a reply too large or not the JSON expected, no
 * words) is a result, never a throw; logs carry the reason and timing, never the transcript or key.
 */
import type { Pcm } from '../../ml/types';
import { encodeWav } from '../speech/pcm';
import { silentLogger, type Logger, type SpokenAudio, type Transcriber, type TranscriptionResult } from '../types';
import { cleanTranscript } from './transcript';

export interface OpenAiTranscriberOptions {
  /** e.g. https://api.openai.com/v1, or http://127.0.0.1:8080/v1 for a local server. */
  baseUrl: string;
  /** e.g. whisper-1 (OpenAI), or whatever name the local server expects. */
  model: string;
  /** Bearer key; local servers usually need none. */
  apiKey?: string;
  /** ISO-639-1 code ("en"): skips language detection, which is faster and surer on short questions. */
  language?: string;
  /** The whole exchange, upload and reply body included. */
  timeoutMs: number;
  logger?: Logger;
}

/** A transcript of a few minutes is a few KB; anything far larger is not the reply we asked for. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

/**
 * 16-bit little-endian WAV of decoded mono PCM (float samples clamped to [-1, 1]). Samples are
 * written straight into the file's buffer: 15 s take about a millisecond on the bot's thread.
 */
export function pcmToWav(pcm: Pcm): Uint8Array {
  const n = pcm.samples.length;
  const header = Buffer.from(encodeWav(new Int16Array(0), pcm.sampleRate, 1));
  const out = new Uint8Array(44 + n * 2);
  out.set(header, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, 36 + n * 2, true);
  view.setUint32(40, n * 2, true);
  for (let i = 0; i < n; i++) {
    const s = Math.max(-1, Math.min(1, pcm.samples[i]!));
    view.setInt16(44 + i * 2, s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff), true);
  }
  return out;
}

class TranscriptionError extends Error {
  constructor(
    readonly reason: 'unavailable' | 'bad_response',
    message: string,
  ) {
    super(message);
  }
}

/** Reads a response body up to `limit` bytes; a longer one is refused without reading the rest. */
async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit)
    throw new TranscriptionError('bad_response', `the reply is ${declared} bytes (limit ${limit})`);
  if (!response.body) return '';
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw new TranscriptionError('bad_response', `the reply is over ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class OpenAiTranscriber implements Transcriber {
  readonly name = 'openai';
  readonly host: string;
  private readonly url: string;
  private readonly logger: Logger;

  constructor(private readonly options: OpenAiTranscriberOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/u, '')}/audio/transcriptions`;
    this.host = new URL(this.url).host;
    this.logger = options.logger ?? silentLogger;
  }

  async transcribe(audio: SpokenAudio, signal?: AbortSignal): Promise<TranscriptionResult> {
    const started = performance.now();
    const file =
      audio.kind === 'pcm'
        ? { bytes: pcmToWav(audio.pcm), filename: 'question.wav', contentType: 'audio/wav' }
        : { bytes: audio.bytes, filename: audio.filename, contentType: audio.contentType };
    const form = new FormData();
    form.append('file', new Blob([file.bytes], { type: file.contentType }), file.filename);
    form.append('model', this.options.model);
    if (this.options.language) form.append('language', this.options.language);
    form.append('response_format', 'json');
    const uploadBytes = file.bytes.byteLength;

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    // A body that trickles in must not outlive the timeout: the read races the abort.
    const aborted = new Promise<never>((_, reject) =>
      controller.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
    );
    aborted.catch(() => undefined);
    const done = (result: TranscriptionResult): TranscriptionResult => {
      if (!result.ok)
        this.logger.warn('reply.transcription_failed', {
          reason: result.reason,
          detail: result.message,
          ms: result.ms,
          uploadBytes,
        });
      return result;
    };
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const text = await Promise.race([this.exchange(form, controller.signal), aborted]);
      const cleaned = cleanTranscript(text);
      if (!cleaned.ok)
        return done({
          ok: false,
          reason: cleaned.reason,
          message: cleaned.reason === 'empty' ? 'the transcript was empty' : 'the transcript held no words',
          ms: elapsed(),
          uploadBytes,
        });
      return { ok: true, text: cleaned.text, ms: elapsed(), uploadBytes };
    } catch (error) {
      if (controller.signal.aborted) {
        const cancelled = signal?.aborted === true;
        return done({
          ok: false,
          reason: cancelled ? 'unavailable' : 'timeout',
          message: cancelled ? 'cancelled' : `no transcript within ${this.options.timeoutMs} ms`,
          ms: elapsed(),
          uploadBytes,
        });
      }
      const reason = error instanceof TranscriptionError ? error.reason : 'unavailable';
      return done({ ok: false, reason, message: (error as Error).message, ms: elapsed(), uploadBytes });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** One request; the transcript text, or a TranscriptionError. */
  private async exchange(form: FormData, signal: AbortSignal): Promise<string> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        body: form,
        signal,
        headers: this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {},
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new TranscriptionError('unavailable', `could not reach the service${cause ? ` (${cause})` : ''}`);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new TranscriptionError('unavailable', `HTTP ${response.status}`);
    }
    const body = await readLimited(response, MAX_RESPONSE_BYTES);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new TranscriptionError('bad_response', 'the reply was not valid JSON');
    }
    const text = (json as { text?: unknown } | null)?.text;
    if (typeof text !== 'string') throw new TranscriptionError('bad_response', 'the reply had no "text" string');
    return text;
  }
}
