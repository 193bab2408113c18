/**
 * face-api's 68-landmark net and expression net share one architecture (with different weights): a
 * feature extractor of four densely connected blocks of separable convolutions over a 112×112 face,
 * average-pooled to 256 features, then one fully connected layer (136 landmark coordinates or 7
 * expression logits). Here it runs from fused weights: each convolution carries its bias and ReLU
 * inside the kernel, the input's division by 255 is folded into the first filter, and the head is
 * one fused matMul + bias.
 */
import type { Rank, Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { getTf } from '../../tf';
import { conv, separableConv, type FusedConv, type FusedSeparableConv } from './layers';
import {
  foldInputNormalisation,
  loadWeightArrays,
  type ModelFiles,
  toTensor,
  weight,
  type WeightArrays,
} from './weights';

/** The input side both nets read. */
export const FEATURE_NET_INPUT = 112;
/** face-api's mean pixel for these nets (and the recognition net). */
export const FACE_MEAN_RGB = [122.782, 117.001, 104.298] as const;

interface DenseBlock {
  /** Stride-2 entry layer: a plain convolution in the first block, separable in the others. */
  entry: FusedConv | FusedSeparableConv;
  layers: [FusedSeparableConv, FusedSeparableConv, FusedSeparableConv];
}

/** Fused weights of one feature net and its head. */
export interface FaceFeatureNetWeights {
  blocks: DenseBlock[];
  head: { weights: Tensor2D; bias: Tensor1D };
  mean: Tensor1D;
}

function separable(weights: WeightArrays, name: string): FusedSeparableConv {
  return {
    depthwise: toTensor(weight(weights, `${name}/depthwise_filter`, 4)),
    pointwise: toTensor(weight(weights, `${name}/pointwise_filter`, 4)),
    bias: toTensor(weight(weights, `${name}/bias`, 1)),
  };
}

function fuse(weights: WeightArrays): FaceFeatureNetWeights {
  const blocks = [0, 1, 2, 3].map((b): DenseBlock => {
    const name = `dense${b}`;
    let entry: FusedConv | FusedSeparableConv;
    if (b === 0) {
      // The first block enters with a plain convolution on the image; its /255 folds into the filter
      // (the mean cannot: this convolution pads 'same', see foldInputNormalisation).
      const folded = foldInputNormalisation(
        weight(weights, `${name}/conv0/filters`, 4),
        weight(weights, `${name}/conv0/bias`, 1),
      );
      entry = { filter: toTensor(folded.filter), bias: toTensor(folded.bias) };
    } else entry = separable(weights, `${name}/conv0`);
    return {
      entry,
      layers: [
        separable(weights, `${name}/conv1`),
        separable(weights, `${name}/conv2`),
        separable(weights, `${name}/conv3`),
      ],
    };
  });
  return {
    blocks,
    head: { weights: toTensor(weight(weights, 'fc/weights', 2)), bias: toTensor(weight(weights, 'fc/bias', 1)) },
    mean: getTf().tensor1d([...FACE_MEAN_RGB]),
  };
}

/** Which of face-api's two nets of this architecture to load. */
export type FaceFeatureNetKind = 'landmarks' | 'expressions';

const MODEL_FILE: Record<FaceFeatureNetKind, string> = {
  landmarks: 'face_landmark_68_model',
  expressions: 'face_expression_model',
};

/** Load one of the two nets' weights from face-api's model `files` and fuse them. */
export async function loadFaceFeatureNet(kind: FaceFeatureNetKind, files: ModelFiles): Promise<FaceFeatureNetWeights> {
  return fuse(await loadWeightArrays(files, MODEL_FILE[kind]));
}

/** Release the fused weights. */
export function disposeFaceFeatureNet(weights: FaceFeatureNetWeights): void {
  const tensors: Tensor[] = [weights.head.weights, weights.head.bias, weights.mean];
  for (const { entry, layers } of weights.blocks) {
    tensors.push(entry.bias, ...('filter' in entry ? [entry.filter] : [entry.depthwise, entry.pointwise]));
    for (const layer of layers) tensors.push(layer.depthwise, layer.pointwise, layer.bias);
  }
  getTf().dispose(tensors);
}

function denseBlock(x: Tensor4D, block: DenseBlock): Tensor4D {
  const tf = getTf();
  return tf.tidy(() => {
    const { entry, layers } = block;
    const out1 = 'filter' in entry ? conv(x, entry, 2, 'same', 'relu') : separableConv(x, entry, 2, 'relu');
    // Each layer reads the ReLU of the sum of all earlier outputs; the block returns the ReLU of all.
    // (out1 already went through a ReLU inside its kernel.)
    let sum = out1;
    let next = out1;
    for (const layer of layers) {
      sum = tf.add(sum, separableConv(next, layer, 1, 'linear'));
      next = tf.relu<Tensor4D>(sum);
    }
    return next;
  });
}

/**
 * The net's raw output `[1, n]` (landmark coordinates in [0, 1] of the square input, or expression
 * logits) for a `[1, 112, 112, 3]` pixel input.
 */
export function runFaceFeatureNet(weights: FaceFeatureNetWeights, input: Tensor4D): Tensor2D {
  const tf = getTf();
  return tf.tidy((): Tensor2D => {
    let out = tf.sub<Tensor4D>(input, weights.mean);
    for (const block of weights.blocks) out = denseBlock(out, block);
    const pooled = tf.avgPool(out, 7, 2, 'valid');
    const features = tf.reshape<Rank.R2>(pooled, [1, -1]);
    return tf.fused.matMul({ a: features, b: weights.head.weights, bias: weights.head.bias }) as Tensor2D;
  });
}
