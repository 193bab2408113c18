/**
 * face-api's 68-landmark net and expression net share one architecture (with different weights): a
 * feature extractor of four densely connected blocks of separable convolutions over a 112×112 face,
 * average-pooled to 256 features, then one fully connected layer (136 landmark coordinates or 7
 * expression logits). Here it runs from fused weights: each convolution carries its bias and ReLU
 * inside the kernel, the input's division by 255 is folded into the first filter, and the head is
 * one fused matMul + bias.
 */
import type { Tensor, Tensor1D, Tensor2D, Tensor4D } from '@tensorflow/tfjs';
import { getFaceApi, getTf } from '../../tf';
import { conv, expectRank, keep, separableConv, type FusedConv, type FusedSeparableConv } from './layers';

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

type Raw = Record<string, unknown>;

function separable(raw: Raw, name: string): FusedSeparableConv {
  return {
    depthwise: keep(expectRank<Tensor4D>(raw.depthwise_filter, 4, `${name} depthwise`)),
    pointwise: keep(expectRank<Tensor4D>(raw.pointwise_filter, 4, `${name} pointwise`)),
    bias: keep(expectRank<Tensor1D>(raw.bias, 1, `${name} bias`)),
  };
}

function fuse(extractor: Raw, head: Raw): FaceFeatureNetWeights {
  const tf = getTf();
  const blocks = ['dense0', 'dense1', 'dense2', 'dense3'].map((name, b): DenseBlock => {
    const block = extractor[name] as Record<string, Raw> | undefined;
    if (!block) throw new Error(`face net weights: ${name} missing`);
    const entryRaw = block.conv0!;
    const entry: FusedConv | FusedSeparableConv =
      b === 0
        ? { filter: tf.div(expectRank<Tensor4D>(entryRaw.filters, 4, `${name} conv0`), 255), bias: keep(expectRank<Tensor1D>(entryRaw.bias, 1, `${name} conv0 bias`)) }
        : separable(entryRaw, `${name} conv0`);
    return { entry, layers: [separable(block.conv1!, `${name} conv1`), separable(block.conv2!, `${name} conv2`), separable(block.conv3!, `${name} conv3`)] };
  });
  const fc = head.fc as Raw;
  return {
    blocks,
    head: { weights: keep(expectRank<Tensor2D>(fc.weights, 2, 'fc weights')), bias: keep(expectRank<Tensor1D>(fc.bias, 1, 'fc bias')) },
    mean: tf.tensor1d([...FACE_MEAN_RGB]),
  };
}

/** Which of face-api's two nets of this architecture to load. */
export type FaceFeatureNetKind = 'landmarks' | 'expressions';

/** Load one of the two nets from `modelDir` and fuse it; face-api's copy is released. */
export async function loadFaceFeatureNet(kind: FaceFeatureNetKind, modelDir: string): Promise<FaceFeatureNetWeights> {
  const faceapi = getFaceApi();
  const net = kind === 'landmarks' ? new faceapi.FaceLandmark68Net() : new faceapi.FaceExpressionNet();
  await net.loadFromDisk(modelDir);
  try {
    return fuse(net.faceFeatureExtractor.params as unknown as Raw, net.params as unknown as Raw);
  } finally {
    net.dispose();
  }
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
      next = tf.relu(sum) as Tensor4D;
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
    let out = tf.sub(input, weights.mean) as Tensor4D;
    for (const block of weights.blocks) out = denseBlock(out, block);
    const pooled = tf.avgPool(out, 7, 2, 'valid');
    const features = tf.reshape(pooled, [1, -1]) as Tensor2D;
    return tf.fused.matMul({ a: features, b: weights.head.weights, bias: weights.head.bias }) as Tensor2D;
  });
}
