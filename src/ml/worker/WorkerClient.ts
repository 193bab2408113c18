import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from './protocol';

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<WorkerRequest, 'id'>;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * One worker thread with request ids, a timeout per request, and a restart when the thread dies
 * (requests in flight are rejected; the next request starts a fresh thread).
 */
export class WorkerClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  constructor(
    readonly name: string,
    private readonly timeoutMs: number,
    /** CPU niceness for the thread (0 = normal, 19 = lowest); Linux only. */
    private readonly niceness?: number,
    /** Shared counter of analysis requests in flight; training pauses while it is above zero. */
    private readonly analysisInFlight?: SharedArrayBuffer,
  ) {}

  private spawn(): Worker {
    const worker = new Worker(path.join(__dirname, 'entry.cjs'), { name: `attune-${this.name}`, workerData: { niceness: this.niceness, analysisInFlight: this.analysisInFlight } });
    worker.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      clearTimeout(p.timer);
      if (res.ok) p.resolve(res.result);
      else p.reject(new Error(`${this.name} worker: ${res.error}`));
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(err);
        this.pending.delete(id);
      }
    };
    worker.on('error', (err) => fail(new Error(`${this.name} worker crashed: ${err.message}`)));
    worker.on('exit', (code) => fail(new Error(`${this.name} worker exited (code ${code})`)));
    // Idle workers must not keep a CLI alive; pending requests hold a ref through their timers.
    worker.unref();
    return worker;
  }

  /** Sends one request; resolves with the worker's result or rejects on error, crash or timeout. */
  call<T>(body: RequestBody, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${this.name} worker is closed`));
    if (!this.worker) this.worker = this.spawn();
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name} worker timed out after ${this.timeoutMs} ms`));
        // A stuck thread would block every later request: replace it.
        if (this.worker === worker) {
          this.worker = null;
          void worker.terminate();
        }
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      worker.postMessage({ ...body, id } as WorkerRequest, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
