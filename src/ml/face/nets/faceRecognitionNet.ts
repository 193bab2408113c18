/**
 * face-api's face recognition net (a ResNet-34-like net after dlib's, 150×150 input, 128-d output)
 * run from fused weights. face-api computes each convolution as conv → add bias → multiply scale →
 * add shift → ReLU (five kernels); the bias, scale and shift fold into the filter and one bias once
 * at load, and the ReLU runs inside the kernel. The input normalisation goes into the first
 * filter and bias. Residual joins pad with `tf.pad` where face-api concatenates zeros.
 */
import type { Tensor2D, Tensor4D } from '@tensorflow/tfjs-core';
import { getTf } from '../../tf';
import { FACE_MEAN_RGB } from './faceFeatureNet';
import { conv, type FusedConv } from './layers';
import {
  foldInputNormalisation,
  loadWeightArrays,
  type ModelFiles,
  scaleOutputs,
  toTensor,
  weight,
  type WeightArrays,
} from './weights';

/** The input side the net reads. */
export const RECOGNITION_INPUT = 150;

interface Residual {
  first: FusedConv;
  second: FusedConv;
  /** Down-sampling residual: stride-2 'valid' first convolution and an average-pooled shortcut. */
  down: boolean;
}

/** Fused weights of the recognition net. */
export interface FaceRecognitionNetWeights {
  stem: FusedConv;
  residuals: Residual[];
  fc: Tensor2D;
}

/** (conv(x, W) + b) · s + t  =  conv(x, W · s) + (b · s + t), for face-api's `<name>/conv` + `<name>/scale`. */
function foldScale(weights: WeightArrays, name: string, normaliseInput = false): FusedConv {
  let filter = weight(weights, `${name}/conv/filters`, 4);
  let bias = weight(weights, `${name}/conv/bias`, 1);
  // The stem pads nothing ('valid'), so the input normalisation folds into it exactly, before the scale.
  if (normaliseInput) ({ filter, bias } = foldInputNormalisation(filter, bias, FACE_MEAN_RGB));
  const scale = weight(weights, `${name}/scale/weights`, 1).values;
  const shift = weight(weights, `${name}/scale/biases`, 1).values;
  const folded = bias.values.map((b, o) => b * scale[o]! + shift[o]!);
  return { filter: toTensor(scaleOutputs(filter, scale)), bias: toTensor({ shape: bias.shape, values: folded }) };
}

/** face-api's layer order (faceRecognitionNet/FaceRecognitionNet.ts); `_down` layers down-sample. */
const RESIDUALS = [
  'conv32_1',
  'conv32_2',
  'conv32_3',
  'conv64_down',
  'conv64_1',
  'conv64_2',
  'conv64_3',
  'conv128_down',
  'conv128_1',
  'conv128_2',
  'conv256_down',
  'conv256_1',
  'conv256_2',
  'conv256_down_out',
] as const;

/** Load the recognition net's weights from face-api's model `files` and fuse them. */
export async function loadFaceRecognitionNet(files: ModelFiles): Promise<FaceRecognitionNetWeights> {
  const weights = await loadWeightArrays(files, 'face_recognition_model');
  return {
    stem: foldScale(weights, 'conv32_down', true),
    residuals: RESIDUALS.map((name) => ({
      first: foldScale(weights, `${name}/conv1`),
      second: foldScale(weights, `${name}/conv2`),
      down: name.includes('_down'),
    })),
    fc: toTensor(weight(weights, 'fc', 2)),
  };
}

/** Release the fused weights. */
export function disposeFaceRecognitionNet(weights: FaceRecognitionNetWeights): void {
  getTf().dispose([
    weights.stem.filter,
    weights.stem.bias,
    weights.fc,
    ...weights.residuals.flatMap((r) => [r.first.filter, r.first.bias, r.second.filter, r.second.bias]),
  ]);
}

function residual(x: Tensor4D, layer: Residual): Tensor4D {
  const tf = getTf();
  return tf.tidy(() => {
    let out = layer.down ? conv(x, layer.first, 2, 'valid', 'relu') : conv(x, layer.first, 1, 'same', 'relu');
    out = conv(out, layer.second, 1, 'same', 'linear');
    let shortcut = x;
    if (layer.down) {
      shortcut = tf.avgPool(x, 2, 2, 'valid');
      // An odd side leaves the strided convolution one row/column short of the pooled shortcut:
      // face-api appends a zero row and column to the convolution output.
      const [, poolH, poolW, poolC] = shortcut.shape;
      const [, outH, outW, outC] = out.shape;
      if (poolH !== outH || poolW !== outW)
        out = tf.pad(out, [
          [0, 0],
          [0, poolH - outH],
          [0, poolW - outW],
          [0, 0],
        ]);
      // Channel doubling: the shortcut gets zero channels after its own.
      if (poolC !== outC)
        shortcut = tf.pad(shortcut, [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, outC - poolC],
        ]);
    }
    return tf.relu(tf.add(out, shortcut)) as Tensor4D;
  });
}

/** The 128-d descriptor `[1, 128]` for a `[1, 150, 150, 3]` pixel input. */
export function runFaceRecognitionNet(weights: FaceRecognitionNetWeights, input: Tensor4D): Tensor2D {
  const tf = getTf();
  return tf.tidy(() => {
    let out = conv(input, weights.stem, 2, 'valid', 'relu');
    out = tf.maxPool(out, 3, 2, 'valid');
    for (const layer of weights.residuals) out = residual(out, layer);
    const pooled = tf.mean<Tensor2D>(out, [1, 2]);
    return tf.matMul(pooled, weights.fc);
  });
}
