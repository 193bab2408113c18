import fs from 'node:fs';
import path from 'node:path';

/** The shared evaluation data lives beside the project and is never copied into it. */
export const SHARED_DATA = path.resolve(__dirname, '../../../shared/data');

export const hasSharedData = fs.existsSync(path.join(SHARED_DATA, 'README.md'));

/**
 * `describe` for suites that need ../shared/data: where it is absent, the suite is reported as skipped
 * and a message says why (the data's licences forbid shipping it with the project).
 */
export const describeWithData: jest.Describe = hasSharedData
  ? describe
  : (((name: string, fn: () => void) => {
      // eslint-disable-next-line no-console
      console.warn(`Skipping "${name}": ../shared/data is absent (real RAVDESS/Yale data is not shipped with Attune).`);
      describe['skip'](name, fn);
    }) as unknown as jest.Describe);

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}
