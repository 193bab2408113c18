/**
 * A cooperative pause point inside long training loops. By default it does nothing. The engine's
 * training thread installs one that waits while face or voice analysis is in flight: on a 2-vCPU
 * machine the two cores can be hyperthread siblings, where a lower OS priority alone does not stop a
 * busy training thread from slowing someone else's /ask. Module state is per thread, so installing it
 * in the training worker affects only that worker.
 */
let pausePoint: () => void = () => undefined;

export function setPausePoint(fn: () => void): void {
  pausePoint = fn;
}

/** Called by training loops every few iterations. */
export function pauseIfAsked(): void {
  pausePoint();
}

/**
 * How long a training job may wait at its pause points: each wait at most `maxPauseMs`, and all of
 * them together no longer than the job has computed, so a stream of /asks at most halves its share of
 * the wall clock. Waiting only per point (up to 100 ms at each of the ~170 points of a calibration)
 * let a steady stream of asks hold one back 17 s and more: in a 30-minute soak, 18 of about 2300
 * calibrations were not done within 30 s.
 */
export class PauseBudget {
  private started = 0;
  private paused = 0;

  constructor(
    private readonly maxPauseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A job starts: nothing computed, nothing waited. */
  start(): void {
    this.started = this.now();
    this.paused = 0;
  }

  /** How long the next wait may last, ms (0: go on). */
  allowance(): number {
    const computed = this.now() - this.started - this.paused;
    return Math.max(0, Math.min(this.maxPauseMs, computed - this.paused));
  }

  /** A wait of `ms` happened. */
  waited(ms: number): void {
    this.paused += ms;
  }
}
