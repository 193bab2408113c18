/**
 * Schemas for what the engine's worker threads send back. A worker is our own code, but its replies
 * cross a thread boundary as structured clones typed `unknown`: checking their shape here turns a bug
 * or a version mismatch into a typed failure at the boundary, not a NaN deep inside a model.
 */
import { z } from 'zod';
import { fail, type FaceFeatures, MAX_VOICE_CROPS, type PersonModel, type Result, type VoiceFeatures } from '../types';

const FAILURE_CODES = [
  'empty',
  'too_large',
  'too_many_pixels',
  'unsupported_format',
  'corrupt',
  'no_face',
  'face_too_small',
  'silence',
  'too_short',
  'too_long',
  'not_enough_samples',
  'invalid',
] as const;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const failure = z.object({ ok: z.literal(false), code: z.enum(FAILURE_CODES), message: z.string() });

const faceFeatures = z.object({
  faceCount: z.number().int().min(1),
  box: z.object({ x: finite, y: finite, width: finite, height: finite }),
  score: finite,
  expressions: z.record(z.string(), finite),
  landmarks: z.array(finite),
  descriptor: z.array(finite).length(128),
  geometry: z.record(z.string(), finite),
});

const voiceFeatures = z.object({
  durationSec: finite,
  stats: z.record(z.string(), finite),
  crops: z.array(z.record(z.string(), finite)).max(MAX_VOICE_CROPS).optional(),
});

// A person model's inside belongs to src/ml/model (and is checked by isUsableModel when read); here
// only its envelope: a version, its emotions and a report.
const personModel = z
  .object({
    version: z.number().int(),
    emotions: z.array(z.string()).min(2),
    createdAt: z.string(),
    report: z.object({}).passthrough(),
  })
  .passthrough();

function checked<T>(schema: z.ZodType, what: string, reply: unknown): Result<T> {
  const success = typeof reply === 'object' && reply !== null && (reply as { ok?: unknown }).ok === true;
  const parsed = (success ? z.object({ ok: z.literal(true), value: schema }) : failure).safeParse(reply);
  if (parsed.success) return parsed.data as Result<T>;
  const issue = parsed.error.issues[0];
  return fail(
    'invalid',
    `internal error: the ${what} thread sent a malformed reply (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown shape'})`,
  );
}

export const checkFaceReply = (reply: unknown): Result<FaceFeatures> =>
  checked<FaceFeatures>(faceFeatures, 'face analysis', reply);
export const checkVoiceReply = (reply: unknown): Result<VoiceFeatures> =>
  checked<VoiceFeatures>(voiceFeatures, 'voice analysis', reply);
export const checkTrainReply = (reply: unknown): Result<PersonModel> =>
  checked<PersonModel>(personModel, 'training', reply);
