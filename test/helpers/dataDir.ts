import path from 'node:path';

/**
 * Where the evaluation data lives: ../shared/data beside the project (never copied into it), or the
 * folder ATTUNE_SHARED_DATA names (laid out the same way; a missing folder shows which suites need
 * it). Free of jest's globals, so benchmarks and scripts use it too.
 */
const override = process.env['ATTUNE_SHARED_DATA'];
export const SHARED_DATA = override || path.resolve(__dirname, '../../../shared/data');

/** How messages name that folder: as the person set it, or as the README calls it. */
export const SHARED_DATA_NAME = override || '../shared/data';
