/**
 * Jest's asymmetric string matchers typed as the strings they stand for (jest types them `any`, which
 * typed lint rightly refuses inside object literals).
 */
export function matching(pattern: RegExp | string): string {
  return expect.stringMatching(pattern) as string;
}

export function containing(text: string): string {
  return expect.stringContaining(text) as string;
}
