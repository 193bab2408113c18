/** A first-come-first-served lock for async work in one process. */
export class AsyncMutex {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  get locked(): boolean {
    return this.held;
  }

  /** Resolves once the caller holds the lock; call {@link release} exactly once afterwards. */
  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    // Handing over directly keeps the lock held, so a newcomer cannot jump the queue.
    if (next) next();
    else this.held = false;
  }
}
