import { Worker } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { workerScript } from './workerScript';

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<WorkerRequest, 'id'>;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
  /** The thread the request went to: only its death fails the request. */
  worker: Worker;
}

/** Replace a worker that did work and then sat idle this long (see `recycle`). */
export interface RecyclePolicy {
  idleMs: number;
  /** Sent to the fresh worker at once, so it is ready for the next request (e.g. load models). */
  warm?: RequestBody;
}

/**
 * One worker thread with request ids, a timeout per request, and a restart when the thread dies
 * (requests in flight are rejected; the next request starts a fresh thread).
 *
 * With a recycle policy, a worker that served requests and then sat idle is replaced by a fresh one:
 * WebAssembly memories (TensorFlow's, libopus's) and malloc arenas only ever grow, so one burst or one
 * large input would otherwise hold its peak memory for the life of the process.
 */
export class WorkerClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** Requests (other than the warm-up) the current worker has served. */
  private served = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Workers replaced because they sat idle (for tests and logs). */
  recycled = 0;

  constructor(
    readonly name: string,
    private readonly timeoutMs: number,
    /** CPU niceness for the thread (0 = normal, 19 = lowest); Linux only. */
    private readonly niceness?: number,
    /** Shared counter of analysis requests in flight; training pauses while it is above zero. */
    private readonly analysisInFlight?: SharedArrayBuffer,
    private readonly recycle?: RecyclePolicy,
  ) {}

  private armIdle(): void {
    if (!this.recycle || this.closed) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.pending.size > 0 || this.served === 0) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.pending.size > 0 || this.served === 0 || this.closed || !this.worker) return;
      const old = this.worker;
      this.worker = null;
      this.served = 0;
      this.recycled++;
      void old.terminate();
      if (this.recycle?.warm) void this.call(this.recycle.warm, [], false).catch(() => undefined);
    }, this.recycle.idleMs);
    this.idleTimer.unref?.();
  }

  private spawn(): Worker {
    const worker = new Worker(workerScript(__dirname, 'engineWorker'), {
      name: `attune-${this.name}`,
      workerData: { niceness: this.niceness, analysisInFlight: this.analysisInFlight },
    });
    worker.on('message', (res: WorkerResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      clearTimeout(p.timer);
      if (res.ok) p.resolve(res.result);
      else p.reject(new Error(`${this.name} worker: ${res.error}`));
      this.armIdle();
    });
    // A thread that ends fails the requests it was given, not those of a thread that replaced it
    // (a recycled or timed-out thread exits after its successor has started).
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, p] of this.pending) {
        if (p.worker !== worker) continue;
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
  call<T>(body: RequestBody, transfer: ArrayBuffer[] = [], counts = true): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${this.name} worker is closed`));
    if (!this.worker) {
      this.worker = this.spawn();
      this.served = 0;
    }
    if (counts) this.served++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
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
      this.pending.set(id, { resolve: resolve, reject, timer, worker });
      worker.postMessage({ ...body, id }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}
