import { EXPRESSION_LABELS } from '../types';
import { getTf } from '../tf';
import { FEATURE_NET_INPUT, runFaceFeatureNet } from './nets/faceFeatureNet';
import { squareInput, type PixelBox, type RgbFrame } from './nets/layers';
import { loadFaceNets } from './models';

/** The labels live with the core's vocabulary (src/ml/types.ts), so code that only reads them loads no net. */
export { EXPRESSION_LABELS };

/**
 * Softmax over the seven expressions for the face in `box` of `frame` (any size; the region is padded
 * to a square and resized to 112×112 as face-api does). Omit `box` for the whole frame.
 */
export async function predictExpressions(frame: RgbFrame, box?: PixelBox): Promise<Record<string, number>> {
  const nets = await loadFaceNets();
  const tf = getTf();
  const region = box ?? { x: 0, y: 0, width: frame.width, height: frame.height };
  const out = tf.tidy(() =>
    tf.softmax(runFaceFeatureNet(nets.expressions, squareInput(frame, region, FEATURE_NET_INPUT, 'centre'))),
  );
  let probabilities: Float32Array;
  try {
    probabilities = (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
  if (probabilities.length !== EXPRESSION_LABELS.length)
    throw new Error(`expression net gave ${probabilities.length} outputs instead of ${EXPRESSION_LABELS.length}`);
  const result: Record<string, number> = {};
  EXPRESSION_LABELS.forEach((label, i) => (result[label] = probabilities[i]!));
  return result;
}
