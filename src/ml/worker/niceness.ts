import fs from 'node:fs';
import os from 'node:os';

/**
 * Lowers the calling thread's CPU priority (Linux: setpriority on the thread id; elsewhere a no-op),
 * so work nobody is waiting for takes only CPU that others do not need. Returns the niceness now in
 * effect, or null where it cannot be set.
 */
export function applyNiceness(niceness: number | undefined): number | null {
  if (niceness === undefined) return null;
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    os.setPriority(tid, niceness);
    return os.getPriority(tid);
  } catch {
    return null;
  }
}
