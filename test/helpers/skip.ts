/**
 * Says why a suite is skipped: one plain line on stderr per suite. (console.warn would be shown by
 * jest with a code frame, like an error, or not at all when the suite passes.)
 */
export function reportSkip(suite: string, why: string): void {
  process.stderr.write(`Skipped ${suite}: ${why}\n`);
}

/**
 * `describe` when `why` is null; otherwise a `describe` whose suite is reported as skipped, says
 * why in one line, and whose body is never run (it may read what is missing while collecting tests).
 */
export function describeUnless(why: string | null): jest.Describe {
  if (why === null) return describe;
  return ((name: string) => {
    reportSkip(`"${name}"`, why);
    describe(name, () => {
      test.skip(`needs what is missing: ${why}`, () => undefined);
    });
  }) as unknown as jest.Describe;
}
