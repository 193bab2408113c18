/**
 * Offline speech with eSpeak NG compiled to JavaScript (@echogarden/espeak-ng-emscripten, GPL-3.0):
 * voice data ships inside the package, so it needs neither network nor system packages. The engine
 * runs in a worker thread (espeakWorker.mjs) and streams audio back as it is made, so playback can
 * start a few tens of milliseconds after a request while the bot's event loop stays free.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { splitForEngine } from '../text/split';
import type { PcmChunk, SpeechEngine, SpeechStyle } from '../types';
import { prosodyFor, type Prosody } from './prosody';

/** eSpeak's neutral settings: 175 words per minute, pitch and range 50 of 0–99, volume 100 of 0–200. */
const NEUTRAL = { wpm: 175, pitch: 50, range: 50, volume: 100 };
/** eSpeak reads sentences of any length; pieces keep a runaway input from being one giant call. */
const MAX_PIECE_CHARS = 300;

/** What eSpeak is asked to use for one request. */
export interface EspeakSettings {
  wpm: number;
  pitch: number;
  range: number;
  volume: number;
}

/** eSpeak parameter values for a prosody. */
export function espeakSettings(prosody: Prosody): EspeakSettings {
  const clamp = (v: number, lo: number, hi: number): number => Math.round(Math.min(hi, Math.max(lo, v)));
  return {
    wpm: clamp(NEUTRAL.wpm * prosody.rate, 80, 450),
    // eSpeak's pitch control moves its base pitch roughly linearly; 100 steps per octave keeps it in 0–99.
    pitch: clamp(NEUTRAL.pitch + 100 * Math.log2(prosody.pitch), 0, 99),
    range: clamp(NEUTRAL.range * prosody.range, 0, 99),
    volume: clamp(NEUTRAL.volume * prosody.gain, 0, 200),
  };
}

/** eSpeak settings for a speech style (prosody mapped onto eSpeak's controls). */
export function espeakSettingsFor(style: SpeechStyle): EspeakSettings {
  return espeakSettings(prosodyFor(style));
}

export interface EspeakEngineOptions {
  /** eSpeak voice name, e.g. "en-us" or "en" (British). */
  voice?: string;
  /**
   * A worker that spoke and then sat idle this long is replaced by a fresh, warmed one: eSpeak's
   * WebAssembly heap only grows (measured with the voice message encoder: 132 MB kept after a burst
   * of 20 answers). Default 30 s; 0 keeps the worker.
   */
  recycleIdleMs?: number;
}

type WorkerMessage =
  | { type: 'chunk'; id: number; samples: Int16Array; sampleRate: number }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; message: string };

/** Per-request queue between the worker's messages and the consuming generator. */
interface Pending {
  items: WorkerMessage[];
  wake: (() => void) | null;
  /** The worker the request went to. */
  worker: Worker | null;
}

/** The default speech engine: offline eSpeak NG with emotion prosody. */
export class EspeakEngine implements SpeechEngine {
  readonly name = 'offline';
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly voice: string;
  private readonly recycleIdleMs: number;
  /** Requests (not warm-ups) the current worker served. */
  private served = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Workers replaced after sitting idle. */
  recycled = 0;

  constructor(options: EspeakEngineOptions = {}) {
    this.voice = options.voice ?? 'en-us';
    this.recycleIdleMs = options.recycleIdleMs ?? 30_000;
  }

  /** Start the worker and load the engine ahead of the first question (about 0.2–1 s once). */
  async warmUp(): Promise<void> {
    for await (const chunk of this.run('Ready.', { emotion: null, intensity: 0 }, false)) void chunk;
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.closed || this.recycleIdleMs <= 0 || this.served === 0 || this.pending.size > 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.closed || this.served === 0 || this.pending.size > 0 || !this.worker) return;
      const old = this.worker;
      this.worker = null;
      this.served = 0;
      this.recycled++;
      void old.terminate();
      void this.warmUp().catch(() => undefined);
    }, this.recycleIdleMs);
    this.idleTimer.unref?.();
  }

  private getWorker(): Worker {
    if (this.worker) return this.worker;
    this.served = 0;
    const worker = new Worker(join(__dirname, 'espeakWorker.mjs'));
    worker.on('message', (message: WorkerMessage) => this.deliver(message));
    // Only the requests this worker was given fail with it (a recycled worker exits after its
    // successor has started taking requests).
    const failAll = (message: string): void => {
      for (const [id, pending] of this.pending)
        if (pending.worker === worker) this.deliver({ type: 'error', id, message });
      if (this.worker === worker) this.worker = null; // the next request starts a fresh worker
    };
    worker.on('error', (error) => failAll(`speech worker failed: ${error.message}`));
    worker.on('exit', (code) => failAll(`speech worker exited with code ${code}`));
    // An idle worker must not keep the process (a CLI, a test) alive.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private deliver(message: WorkerMessage): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    pending.items.push(message);
    pending.wake?.();
  }

  synthesize(text: string, style: SpeechStyle): AsyncGenerator<PcmChunk> {
    return this.run(text, style, true);
  }

  private async *run(text: string, style: SpeechStyle, counts: boolean): AsyncGenerator<PcmChunk> {
    const pieces = splitForEngine(text, MAX_PIECE_CHARS);
    if (pieces.length === 0) return;
    const id = this.nextId++;
    const pending: Pending = { items: [], wake: null, worker: null };
    this.pending.set(id, pending);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.getWorker();
    pending.worker = worker;
    if (counts) this.served++;
    // While a request is open the worker keeps the process alive, so the answer is not cut off.
    worker.ref();
    try {
      worker.postMessage({ type: 'synth', id, voice: this.voice, pieces, settings: espeakSettings(prosodyFor(style)) });
      for (;;) {
        const item = pending.items.shift();
        if (!item) {
          await new Promise<void>((resolve) => (pending.wake = resolve));
          pending.wake = null;
          continue;
        }
        if (item.type === 'end') return;
        if (item.type === 'error') throw new Error(item.message);
        yield { samples: item.samples, sampleRate: item.sampleRate };
      }
    } finally {
      this.pending.delete(id);
      if (this.pending.size === 0) this.worker?.unref();
      this.armIdle();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
