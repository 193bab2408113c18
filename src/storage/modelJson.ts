import type { PersonModel } from '../ml/types';
import { StoreError } from './StoreError';

/** A personal model is a few hundred KB at most; 16 MiB means something went badly wrong upstream. */
const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;

/**
 * Validates the parts of a PersonModel the store relies on and serialises it. Non-finite numbers are
 * refused because JSON would silently turn them into null and the loaded model would differ from the
 * saved one.
 */
export function checkModel(model: PersonModel): string {
  const bad = (message: string): never => {
    throw new StoreError('invalid', message);
  };
  if (typeof model !== 'object' || model === null) bad('model must be an object.');
  if (!Number.isSafeInteger(model.version) || model.version < 1) bad('model.version must be a positive integer.');
  if (typeof model.createdAt !== 'string' || Number.isNaN(Date.parse(model.createdAt)))
    bad('model.createdAt must be an ISO date string.');
  if (!Array.isArray(model.emotions) || model.emotions.some((e) => typeof e !== 'string'))
    bad('model.emotions must be an array of strings.');
  if (typeof model.report !== 'object' || model.report === null) bad('model.report must be an object.');
  const json = JSON.stringify(model, (key: string, value: unknown) => {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new StoreError('invalid', `model contains a non-finite number (${String(value)}) at key "${key}".`);
    }
    return value;
  });
  if (Buffer.byteLength(json) > MAX_MODEL_JSON_BYTES)
    bad(`model is larger than ${MAX_MODEL_JSON_BYTES} bytes as JSON.`);
  return json;
}
