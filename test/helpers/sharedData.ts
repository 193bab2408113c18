import fs from 'node:fs';
import path from 'node:path';
import { describeUnless } from './skip';

import { SHARED_DATA, SHARED_DATA_NAME } from './dataDir';

export { SHARED_DATA };

export const hasSharedData = fs.existsSync(path.join(SHARED_DATA, 'README.md'));

/** Why suites needing the data are skipped here, or null when it is present. */
export const sharedDataMissing: string | null = hasSharedData
  ? null
  : `${SHARED_DATA_NAME} is absent (real RAVDESS/Yale data is not shipped with Attune)`;

/**
 * `describe` for suites that need ../shared/data: where it is absent, the suite is reported as skipped
 * and one line says why (the data's licences forbid shipping it with the project).
 */
export const describeWithData: jest.Describe = describeUnless(sharedDataMissing);

export function sharedPath(...parts: string[]): string {
  return path.join(SHARED_DATA, ...parts);
}
