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
