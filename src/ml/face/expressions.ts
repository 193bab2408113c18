import type { Tensor3D } from '@tensorflow/tfjs';
import { getFaceApi } from '../tf';
import { loadFaceNets } from './models';

/** face-api's seven expression labels, in the order its net outputs them. */
export const EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;

/** Softmax over the seven expressions for one aligned face crop (`[h, w, 3]`, any size). */
export async function predictExpressions(faceCrop: Tensor3D): Promise<Record<string, number>> {
  const nets = await loadFaceNets();
  const found = await nets.faceExpressionNet.predictExpressions(faceCrop);
  const expressions = Array.isArray(found) ? found[0]! : found;
  const out: Record<string, number> = {};
  // Read by label, not position, so a reordering inside face-api cannot silently swap classes.
  for (const label of getFaceApi().FACE_EXPRESSION_LABELS) out[label] = (expressions as unknown as Record<string, number>)[label] ?? 0;
  return out;
}
