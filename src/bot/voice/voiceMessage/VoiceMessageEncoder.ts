import { Worker } from 'node:worker_threads';
import { workerScript } from '../../../ml/worker/workerScript';
import type { PcmChunk } from '../../../reply';
import type { VoiceMessage } from './voiceMessage';

type Reply = { id: number; ok: true; message: VoiceMessage } | { id: number; ok: false; error: string };

/** An encode that takes longer than this failed (the worker is restarted). */
const ENCODE_TIMEOUT_MS = 30_000;
/**
 * An idle worker is ended after this long: libopus's WebAssembly heap keeps whatever a long reply
 * grew it to. A new one starts in a few hundred milliseconds when the next voice message is needed.
 */
const IDLE_EXIT_MS = 30_000;

/**
 * Encodes voice messages in a worker thread, one request after another (replies are seconds of
 * audio each; one worker keeps up with many). The thread that answers Discord only posts PCM and
 * receives bytes. A worker that dies is replaced at the next request; its pending requests fail.
 */
export class VoiceMessageEncoder {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (m: VoiceMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private closed = false;
  private idleTimer: NodeJS.Timeout | null = null;

  /** Encodes `pcm` (mono) as an Ogg Opus voice message. Rejects on empty audio, like `toVoiceMessage`. */
  encode(pcm: PcmChunk): Promise<VoiceMessage> {
    if (this.closed) return Promise.reject(new Error('the voice message encoder is closed'));
    if (pcm.samples.length === 0) return Promise.reject(new RangeError('cannot make a voice message from empty audio'));
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.ensureWorker();
    const id = this.nextId++;
    // A copy is transferred, so the caller's buffer stays usable.
    const samples = pcm.samples.slice();
    return new Promise<VoiceMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`voice message encoding took over ${ENCODE_TIMEOUT_MS / 1000} s`));
        void this.restart();
      }, ENCODE_TIMEOUT_MS);
      timer.unref?.();
      this.pending.set(id, { resolve, reject, timer });
      worker.ref();
      worker.postMessage({ id, samples, sampleRate: pcm.sampleRate }, [samples.buffer]);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    this.failAll(new Error('the voice message encoder is closed'));
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(workerScript(__dirname, 'encodeWorker'), { name: 'attune-voice-message' });
    worker.on('message', (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      if (this.pending.size === 0) {
        worker.unref();
        this.idleTimer = setTimeout(() => {
          this.idleTimer = null;
          if (this.pending.size === 0 && this.worker === worker) {
            this.worker = null;
            void worker.terminate();
          }
        }, IDLE_EXIT_MS);
        this.idleTimer.unref?.();
      }
      if (reply.ok) p.resolve(reply.message);
      else p.reject(new Error(reply.error));
    });
    const lost = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`voice message worker exited (${code})`)));
    // Idle, it must not keep the process alive; while it has work, it does.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private async restart(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('the voice message worker was restarted'));
    await worker?.terminate();
  }

  private failAll(error: Error): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(error);
      this.pending.delete(id);
    }
  }
}
