import fs from 'node:fs';
import path from 'node:path';
import { reportSkip } from './skip';

/**
 * The shared evaluation data lives beside the project and is never copied into it.
 * ATTUNE_SHARED_DATA points elsewhere (e.g. a missing folder, to see which suites need the data).
 */
export const SHARED_DATA = process.env.ATTUNE_SHARED_DATA || path.resolve(__dirname, '../../../shared/data');

export const hasSharedData = fs.existsSync(path.join(SHARED_DATA, 'README.md'));

/**
 * `describe` for suites that need ../shared/data: where it is absent, the suite is reported as skipped
 * and a message says why (the data's licences forbid shipping it with the project).
 */
export const describeWithData: jest.Describe = hasSharedData
  ? describe
  : (((name: string) => {
      // The suite body is not run at all: it may read the data while collecting its tests.
      const where = process.env.ATTUNE_SHARED_DATA || '../shared/data';
      const why = `${where} is absent (real RAVDESS/Yale data is not shipped with Attune)`;
      reportSkip(`"${name}"`, why);
      describe(name, () => {
        test['skip'](`needs ${why}`, () => undefined);
      });
    }) as unknown as jest.Describe);

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}
