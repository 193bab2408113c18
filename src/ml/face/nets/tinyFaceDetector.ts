/**
 * face-api's TinyFaceDetector (a tiny-YOLOv2 with depthwise-separable layers, 5 anchors, one class)
 * run from fused weights: each layer is a depthwise + a pointwise kernel with bias and leaky ReLU
 * inside it, and the input normalisation is folded into the first filter and bias. Boxes are decoded
 * from one read of the output grid and de-duplicated with face-api's non-maximum suppression, so the
 * detections match face-api's `locateFaces` (to float rounding).
 */
import type { Tensor4D } from '@tensorflow/tfjs-core';
import { getTf } from '../../tf';
import {
  conv,
  separableConv,
  squareInput,
  type FusedConv,
  type FusedSeparableConv,
  type PixelBox,
  type RgbFrame,
} from './layers';
import { foldInputNormalisation, loadWeightArrays, type ModelFiles, toTensor, weight } from './weights';

/** A face box in pixels of the region the detector was run on. */
export interface Detection {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

/** The detector's own constants (face-api's tinyFaceDetector/const.ts). */
const MEAN_RGB = [117.001, 114.697, 97.404] as const;
const ANCHORS: ReadonlyArray<readonly [number, number]> = [
  [1.603231, 2.094468],
  [6.041143, 7.080126],
  [2.882459, 3.518061],
  [4.266906, 5.178857],
  [9.041765, 10.66308],
];
const IOU_THRESHOLD = 0.4;
/** x, y, w, h, objectness per anchor (one class, no class scores). */
const BOX_ENCODING = 5;

/** The detector's weights, fused. */
export interface TinyFaceDetectorWeights {
  first: FusedConv;
  separable: FusedSeparableConv[];
  last: FusedConv;
}

/** Load face-api's tiny detector weights from its model `files` and fuse them. */
export async function loadTinyFaceDetector(files: ModelFiles): Promise<TinyFaceDetectorWeights> {
  const weights = await loadWeightArrays(files, 'tiny_face_detector_model');
  // conv1..conv7 are depthwise-separable; this model file has conv1..conv5 (face-api skips absent ones).
  const separable: FusedSeparableConv[] = [];
  for (let i = 1; i <= 7; i++) {
    if (!weights.has(`conv${i}/depthwise_filter`)) continue;
    separable.push({
      depthwise: toTensor(weight(weights, `conv${i}/depthwise_filter`, 4)),
      pointwise: toTensor(weight(weights, `conv${i}/pointwise_filter`, 4)),
      bias: toTensor(weight(weights, `conv${i}/bias`, 1)),
    });
  }
  // The first layer pads nothing ('valid'), so the input normalisation folds into it exactly.
  const first = foldInputNormalisation(weight(weights, 'conv0/filters', 4), weight(weights, 'conv0/bias', 1), MEAN_RGB);
  return {
    first: { filter: toTensor(first.filter), bias: toTensor(first.bias) },
    separable,
    last: { filter: toTensor(weight(weights, 'conv8/filters', 4)), bias: toTensor(weight(weights, 'conv8/bias', 1)) },
  };
}

/** Release the fused weights. */
export function disposeTinyFaceDetector(weights: TinyFaceDetectorWeights): void {
  const { first, separable, last } = weights;
  getTf().dispose([
    first.filter,
    first.bias,
    last.filter,
    last.bias,
    ...separable.flatMap((l) => [l.depthwise, l.pointwise, l.bias]),
  ]);
}

/** The raw output grid `[1, cells, cells, anchors × 5]` for a `[1, size, size, 3]` pixel input. */
function forward(weights: TinyFaceDetectorWeights, input: Tensor4D): Tensor4D {
  const tf = getTf();
  return tf.tidy(() => {
    let out = conv(input, weights.first, 1, 'valid', 'leakyrelu');
    out = tf.maxPool(out, 2, 2, 'same');
    weights.separable.forEach((layer, i) => {
      out = separableConv(out, layer, 1, 'leakyrelu');
      // Five halvings, then one stride-1 pool (face-api's layout), then no pooling for conv6/conv7.
      if (i < 4) out = tf.maxPool(out, 2, 2, 'same');
      else if (i === 4) out = tf.maxPool(out, 2, 1, 'same');
    });
    return conv(out, weights.last, 1, 'valid', 'linear');
  });
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface Candidate {
  left: number;
  top: number;
  right: number;
  bottom: number;
  score: number;
}

/** face-api's IoU-based non-maximum suppression: highest score first, drop overlaps above the threshold. */
function suppress(candidates: Candidate[], inputSize: number): Candidate[] {
  const area = (c: Candidate): number => (c.right - c.left) * (c.bottom - c.top) * inputSize * inputSize;
  let order = candidates.map((_, i) => i).sort((a, b) => candidates[a]!.score - candidates[b]!.score);
  const picked: Candidate[] = [];
  while (order.length > 0) {
    const current = candidates[order.pop()!]!;
    picked.push(current);
    order = order.filter((i) => {
      const other = candidates[i]!;
      const w = Math.max(0, Math.min(current.right, other.right) - Math.max(current.left, other.left)) * inputSize;
      const h = Math.max(0, Math.min(current.bottom, other.bottom) - Math.max(current.top, other.top)) * inputSize;
      const inter = w * h;
      return inter / (area(current) + area(other) - inter) <= IOU_THRESHOLD;
    });
  }
  return picked;
}

/**
 * Faces in the region `box` of `frame`, in pixels of that region. The region is
 * zero-padded at the bottom/right to a square and resized to `inputSize` (a multiple of 32), as
 * face-api does.
 */
export async function detectTinyFaces(
  weights: TinyFaceDetectorWeights,
  frame: RgbFrame,
  box: PixelBox,
  inputSize: number,
  scoreThreshold: number,
): Promise<Detection[]> {
  const tf = getTf();
  const grid = tf.tidy(() => forward(weights, squareInput(frame, box, inputSize, 'top-left')));
  const [, cells] = grid.shape;
  let values: Float32Array;
  try {
    values = (await grid.data()) as Float32Array;
  } finally {
    grid.dispose();
  }
  // The grid covers the padded square; these map it back onto the unpadded region (face-api rounds
  // the region's resized size the same way).
  const scale = inputSize / Math.max(box.width, box.height);
  const correctX = inputSize / Math.round(box.width * scale);
  const correctY = inputSize / Math.round(box.height * scale);
  const candidates: Candidate[] = [];
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      for (let anchor = 0; anchor < ANCHORS.length; anchor++) {
        const at = ((row * cells + col) * ANCHORS.length + anchor) * BOX_ENCODING;
        const score = sigmoid(values[at + 4]!);
        if (score <= scoreThreshold) continue;
        const centreX = ((col + sigmoid(values[at]!)) / cells) * correctX;
        const centreY = ((row + sigmoid(values[at + 1]!)) / cells) * correctY;
        const width = ((Math.exp(values[at + 2]!) * ANCHORS[anchor]![0]) / cells) * correctX;
        const height = ((Math.exp(values[at + 3]!) * ANCHORS[anchor]![1]) / cells) * correctY;
        const left = centreX - width / 2;
        const top = centreY - height / 2;
        candidates.push({ left, top, right: left + width, bottom: top + height, score });
      }
    }
  }
  return suppress(candidates, inputSize).map((c) => ({
    x: c.left * box.width,
    y: c.top * box.height,
    width: (c.right - c.left) * box.width,
    height: (c.bottom - c.top) * box.height,
    score: c.score,
  }));
}
