/**
 * Says why a suite is skipped: one plain line on stderr per suite. (console.warn would be shown by
 * jest with a code frame, like an error, or not at all when the suite passes.)
 */
export function reportSkip(suite: string, why: string): void {
  process.stderr.write(`Skipped ${suite}: ${why}\n`);
}
