/**
 * Building blocks of the fused face nets. face-api runs each layer as separate kernels (convolution,
 * then bias add, batch-norm/scale multiply and add, then an activation built from 3–4 element-wise
 * ops), pads inputs to square with a float `concat` and keeps every activation of a net alive until
 * it ends. On the WASM backend those extra kernels and the concats cost as much as the convolutions
 * (scripts/face-kernels.ts: the detector spent 17 of 37 ms in Concat). Here every linear step is
 * folded into the convolution's filter and bias once at load, and the activation runs inside the
 * convolution kernel (`tf.fused.conv2d`), so a layer is one or two kernels.
 */
import type { Tensor, Tensor1D, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import { getTf } from '../../tf';

/** A convolution whose bias (and any following scale) is folded in. (A type, not an interface, so tf.tidy can return it.) */
export type FusedConv = {
  filter: Tensor4D;
  bias: Tensor1D;
};

/** A depthwise-separable convolution: depthwise filter, then a 1×1 pointwise filter plus bias. */
export type FusedSeparableConv = {
  depthwise: Tensor4D;
  pointwise: Tensor4D;
  bias: Tensor1D;
};

/** Activations the WASM convolution kernels apply in place. */
export type Activation = 'linear' | 'relu' | 'leakyrelu';

/** face-api's "leaky" is relu(x − 0.1x) + 0.1x, i.e. a leaky ReLU with slope 0.1. */
const LEAKY_ALPHA = 0.1;

/** Convolution + bias + activation in one kernel. */
export function conv(x: Tensor4D, layer: FusedConv, strides: 1 | 2, pad: 'same' | 'valid', activation: Activation): Tensor4D {
  return getTf().fused.conv2d({ x, filter: layer.filter, bias: layer.bias, strides, pad, activation, leakyreluAlpha: LEAKY_ALPHA });
}

/** Depthwise convolution, then pointwise convolution + bias + activation: two kernels. */
export function separableConv(x: Tensor4D, layer: FusedSeparableConv, strides: 1 | 2, activation: Activation): Tensor4D {
  const tf = getTf();
  return tf.tidy(() => {
    const depthwise = tf.depthwiseConv2d(x, layer.depthwise, strides, 'same');
    return tf.fused.conv2d({ x: depthwise, filter: layer.pointwise, bias: layer.bias, strides: 1, pad: 'valid', activation, leakyreluAlpha: LEAKY_ALPHA });
  });
}

/**
 * Fold the input normalisation (pixel − mean) / 255 into a convolution with 'valid' padding:
 * conv((x − m) / 255, W) + b = conv(x, W / 255) + (b − Σ W·m / 255). Exact only without padding
 * (a zero the convolution pads in would otherwise stand for the mean), which is why the nets whose
 * first layer pads 'same' keep an explicit subtraction.
 */
export function foldInputNormalisation(filter: Tensor4D, bias: Tensor1D, mean: readonly number[]): FusedConv {
  const tf = getTf();
  return tf.tidy(() => {
    const scaled = tf.div(filter, 255) as Tensor4D;
    const meanResponse = tf.sum(tf.mul(scaled, tf.tensor4d([...mean], [1, 1, mean.length, 1])), [0, 1, 2]);
    return { filter: scaled, bias: tf.sub(bias, meanResponse) as Tensor1D };
  });
}

/** A tensor that must be a given rank; face-api's param objects are untyped at this boundary. */
export function expectRank<T extends Tensor>(tensor: unknown, rank: number, name: string): T {
  const shape = (tensor as { shape?: unknown } | undefined)?.shape;
  if (!Array.isArray(shape) || shape.length !== rank) throw new Error(`face net weights: ${name} is not a rank-${rank} tensor`);
  return tensor as T;
}

/** A copy that owns its data, so the source net can be disposed (WASM clones share data by refcount). */
export function keep<T extends Tensor>(tensor: T): T {
  return getTf().clone(tensor);
}

/** Where `squareInput` puts the image inside the square: face-api centres crops and top-left-aligns whole frames. */
export type Placement = 'centre' | 'top-left';

/** An integer pixel region of an image. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Zero-pad `crop` (`[h, w, 3]`) to a square at the bottom/right and resize it to `size`, with the
 * same values as padding the whole square first, but touching far fewer padding pixels. Without
 * corner alignment or half-pixel centres, output row r reads input rows ⌊r·s⌋ and ⌊r·s⌋ + 1 with
 * s = side / size; padding the short axis only to the next multiple of side/gcd(side, size) past the
 * image (plus one zero row for the last interpolation) keeps s exact, and every output row beyond
 * that is all padding, i.e. zero. A 640×360 frame pads to 640×380 instead of 640×640.
 */
function topLeftSquare(crop: Tensor3D, size: number): Tensor3D {
  const tf = getTf();
  const [height, width] = crop.shape;
  const side = Math.max(height, width);
  const short = Math.min(height, width);
  const divisor = gcd(side, size);
  const stepIn = side / divisor;
  const stepOut = size / divisor;
  const steps = Math.ceil(Math.min(short + 1, side) / stepIn);
  const shortIn = steps * stepIn;
  const shortOut = steps * stepOut;
  const tall = height > width;
  const padded = shortIn > short ? tf.pad(crop, tall ? [[0, 0], [0, shortIn - short], [0, 0]] : [[0, shortIn - short], [0, 0], [0, 0]]) : crop;
  const resized = tf.image.resizeBilinear(padded, tall ? [size, shortOut] : [shortOut, size], false, false);
  return shortOut < size ? tf.pad(resized, tall ? [[0, 0], [0, size - shortOut], [0, 0]] : [[0, size - shortOut], [0, 0], [0, 0]]) : resized;
}

/**
 * The region `box` of `image` (`[h, w, 3]`, any dtype) as a float `[1, size, size, 3]` input with
 * the values face-api's `NetInput.toBatchTensor` gives (zero padding to a square, then bilinear
 * resize without corner alignment), made with a pad kernel instead of float casts and concats.
 */
export function squareInput(image: Tensor3D, box: PixelBox, size: number, placement: Placement): Tensor4D {
  const tf = getTf();
  return tf.tidy(() => {
    const [imageHeight, imageWidth] = image.shape;
    const whole = box.x === 0 && box.y === 0 && box.width === imageWidth && box.height === imageHeight;
    // Sliced as rows of interleaved pixels: the WASM backend copies a 3-D slice one 3-value pixel at
    // a time in JS (2 ms for a face crop), a 2-D slice one row at a time.
    const crop: Tensor3D = whole
      ? image
      : tf.reshape(tf.slice(tf.reshape(image, [imageHeight, imageWidth * 3]), [box.y, box.x * 3], [box.height, box.width * 3]), [box.height, box.width, 3]);
    const diff = Math.abs(box.height - box.width);
    let square: Tensor3D;
    if (diff > 0 && placement === 'top-left' && Math.max(box.width, box.height) !== size) square = topLeftSquare(crop, size);
    else {
      // face-api appends round(diff / 2) after the image and the rest before it when centring.
      const after = Math.round(diff * (placement === 'centre' ? 0.5 : 1));
      const before = diff - after;
      const padding: Array<[number, number]> = box.height > box.width ? [[0, 0], [before, after], [0, 0]] : [[before, after], [0, 0], [0, 0]];
      const padded = diff > 0 ? tf.pad(crop, padding) : crop;
      square = padded.shape[0] === size ? tf.cast(padded, 'float32') : tf.image.resizeBilinear(padded, [size, size], false, false);
    }
    return tf.expandDims(square, 0) as Tensor4D;
  });
}
