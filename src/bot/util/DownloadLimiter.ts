import { fail, ok, type Result } from '../../ml/types';

/**
 * Downloads one person may run at once. Two keep a photo and a voice file of one /ask moving
 * together; more would only let one person's burst of uploads take the whole budget below.
 */
export const MAX_DOWNLOADS_PER_PERSON = 2;

/**
 * Bytes (by declared size) that may be downloading at once, over everyone. Each download is held
 * whole in memory, so this bounds that memory: 24 MB is three attachments at the 8 MB default limit
 * and hundreds of selfies. Without it, 5 messages × 10 attachments × 7.5 MB downloaded at once
 * and raised RSS by ~590 MB.
 */
export const MAX_BYTES_IN_FLIGHT = 24 * 1024 * 1024;

/**
 * Downloads one person may have waiting. A calibration sends at most a few dozen selfies and clips,
 * a few at a time; past this the person is asked to slow down rather than queueing without end.
 */
export const MAX_QUEUED_PER_PERSON = 20;

/** Downloads that may wait over everyone (those without a known person count only here). */
export const MAX_QUEUED_TOTAL = 200;

/** Limits of one {@link DownloadLimiter}; every field defaults to the constant above. */
export interface DownloadLimits {
  maxPerPerson?: number;
  maxBytesInFlight?: number;
  maxQueuedPerPerson?: number;
  maxQueuedTotal?: number;
}

interface Waiter {
  owner: string | undefined;
  bytes: number;
  start: (release: () => void) => void;
}

/**
 * Admits downloads within a per-person count and a total byte budget; the rest wait in one FIFO
 * queue. A waiter whose person is at their cap is passed over (it cannot start anyway), but one that
 * only waits for bytes blocks those behind it, so a large file is never starved by small ones.
 */
export class DownloadLimiter {
  private readonly limits: Required<DownloadLimits>;
  private readonly running = new Map<string, number>();
  private readonly queue: Waiter[] = [];
  private bytesInFlight = 0;
  /** Most bytes ever in flight at once (for tests and benchmarks). */
  peakBytesInFlight = 0;

  constructor(limits: DownloadLimits = {}) {
    this.limits = {
      maxPerPerson: limits.maxPerPerson ?? MAX_DOWNLOADS_PER_PERSON,
      maxBytesInFlight: limits.maxBytesInFlight ?? MAX_BYTES_IN_FLIGHT,
      maxQueuedPerPerson: limits.maxQueuedPerPerson ?? MAX_QUEUED_PER_PERSON,
      maxQueuedTotal: limits.maxQueuedTotal ?? MAX_QUEUED_TOTAL,
    };
  }

  /** Downloads waiting now. */
  get queued(): number {
    return this.queue.length;
  }

  /** Bytes reserved by running downloads now. */
  get inFlight(): number {
    return this.bytesInFlight;
  }

  /**
   * Wait for a slot for a download of `bytes` (its declared size) by `owner`; resolves with the
   * function that gives the slot back (call it exactly once, when the bytes have been handed on).
   * Refused at once when the person's or the total queue is full.
   */
  acquire(owner: string | undefined, bytes: number): Result<Promise<() => void>, 'busy'> {
    // A file larger than the whole budget still runs, alone: its own limit already bounds it.
    const size = Math.min(bytes, this.limits.maxBytesInFlight);
    if (this.queue.length > 0 || !this.canStart(owner, size)) {
      const mine = owner === undefined ? 0 : this.queue.filter((w) => w.owner === owner).length;
      if (mine >= this.limits.maxQueuedPerPerson || this.queue.length >= this.limits.maxQueuedTotal) {
        return fail(
          'busy',
          'You are sending files faster than Attune can read them; please wait a moment and send the rest again.',
        );
      }
    }
    return ok(
      new Promise<() => void>((resolve) => {
        this.queue.push({ owner, bytes: size, start: resolve });
        this.pump();
      }),
    );
  }

  private canStart(owner: string | undefined, bytes: number): boolean {
    if (owner !== undefined && (this.running.get(owner) ?? 0) >= this.limits.maxPerPerson) return false;
    return this.bytesInFlight + bytes <= this.limits.maxBytesInFlight;
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length;) {
      const waiter = this.queue[i]!;
      const { owner, bytes } = waiter;
      if (owner !== undefined && (this.running.get(owner) ?? 0) >= this.limits.maxPerPerson) {
        i++;
        continue;
      }
      if (this.bytesInFlight + bytes > this.limits.maxBytesInFlight) return;
      this.queue.splice(i, 1);
      this.bytesInFlight += bytes;
      this.peakBytesInFlight = Math.max(this.peakBytesInFlight, this.bytesInFlight);
      if (owner !== undefined) this.running.set(owner, (this.running.get(owner) ?? 0) + 1);
      let released = false;
      waiter.start(() => {
        if (released) return;
        released = true;
        this.bytesInFlight -= bytes;
        if (owner !== undefined) {
          const left = (this.running.get(owner) ?? 1) - 1;
          if (left > 0) this.running.set(owner, left);
          else this.running.delete(owner);
        }
        this.pump();
      });
    }
  }
}
