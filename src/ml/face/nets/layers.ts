/**
 * Building blocks of the fused face nets. face-api runs each layer as separate kernels (convolution,
 * then bias add, batch-norm/scale multiply and add, then an activation built from 3–4 element-wise
 * ops), pads inputs to square with a float `concat` and keeps every activation of a net alive until
 * it ends. On the WASM backend those extra kernels and the concats cost as much as the convolutions
 * (scripts/face-kernels.ts: the detector spent 17 of 37 ms in Concat). Here every linear step is
 * folded into the convolution's filter and bias once at load, and the activation runs inside the
 * convolution kernel (`tf.fused.conv2d`), so a layer is one or two kernels.
 */
import type { Tensor1D, Tensor3D, Tensor4D } from '@tensorflow/tfjs-core';
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
export function conv(
  x: Tensor4D,
  layer: FusedConv,
  strides: 1 | 2,
  pad: 'same' | 'valid',
  activation: Activation,
): Tensor4D {
  return getTf().fused.conv2d({
    x,
    filter: layer.filter,
    bias: layer.bias,
    strides,
    pad,
    activation,
    leakyreluAlpha: LEAKY_ALPHA,
  });
}

/** Depthwise convolution, then pointwise convolution + bias + activation: two kernels. */
export function separableConv(
  x: Tensor4D,
  layer: FusedSeparableConv,
  strides: 1 | 2,
  activation: Activation,
): Tensor4D {
  const tf = getTf();
  return tf.tidy(() => {
    const depthwise = tf.depthwiseConv2d(x, layer.depthwise, strides, 'same');
    return tf.fused.conv2d({
      x: depthwise,
      filter: layer.pointwise,
      bias: layer.bias,
      strides: 1,
      pad: 'valid',
      activation,
      leakyreluAlpha: LEAKY_ALPHA,
    });
  });
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
  const padded =
    shortIn > short
      ? tf.pad(
          crop,
          tall
            ? [
                [0, 0],
                [0, shortIn - short],
                [0, 0],
              ]
            : [
                [0, shortIn - short],
                [0, 0],
                [0, 0],
              ],
        )
      : crop;
  const resized = tf.image.resizeBilinear(padded, tall ? [size, shortOut] : [shortOut, size], false, false);
  return shortOut < size
    ? tf.pad(
        resized,
        tall
          ? [
              [0, 0],
              [0, size - shortOut],
              [0, 0],
            ]
          : [
              [0, size - shortOut],
              [0, 0],
              [0, 0],
            ],
      )
    : resized;
}

/** Interleaved 8-bit RGB pixels, row-major (what `decodeImage` returns). */
export interface RgbFrame {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/** Throws unless `box` is whole pixels inside `frame` (a caller bug, not bad input). */
function checkBox(frame: RgbFrame, box: PixelBox): void {
  const { x, y, width, height } = box;
  if (!(Number.isInteger(x) && Number.isInteger(y) && Number.isInteger(width) && Number.isInteger(height)))
    throw new Error('crop box must be whole pixels');
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > frame.width || y + height > frame.height)
    throw new Error('crop box lies outside the frame');
}

/** Copy the rows of `box` from `frame` into `out` (`width * height * 3` floats). */
function copyRows(frame: RgbFrame, box: PixelBox, out: Float32Array): void {
  const row = box.width * 3;
  if (box.x === 0 && box.width === frame.width) {
    out.set(frame.pixels.subarray(box.y * row, (box.y + box.height) * row));
    return;
  }
  for (let r = 0; r < box.height; r++) {
    const start = ((box.y + r) * frame.width + box.x) * 3;
    out.set(frame.pixels.subarray(start, start + row), r * row);
  }
}

/**
 * The region `box` of `frame` as a float `[h, w, 3]` tensor, copied row by row in JS. Cropping here
 * rather than in tf: the WASM backend's Slice first copies the WHOLE image tensor out of the WASM heap
 * (2.8 MB for a 640×360 frame, per crop) and then copies the crop one pixel at a time in JS, and its
 * Gather took 18 ms for a face crop; this copies only the crop's rows.
 */
export function cropTensor(frame: RgbFrame, box: PixelBox): Tensor3D {
  checkBox(frame, box);
  const values = new Float32Array(box.width * box.height * 3);
  copyRows(frame, box, values);
  return getTf().tensor3d(values, [box.height, box.width, 3], 'float32');
}

/**
 * The region `box` of `frame` as a float `[1, size, size, 3]` input with the values face-api's
 * `NetInput.toBatchTensor` gives (zero padding to a square, then bilinear resize without corner
 * alignment), made with a pad kernel instead of float casts and concats.
 */
export function squareInput(frame: RgbFrame, box: PixelBox, size: number, placement: Placement): Tensor4D {
  const tf = getTf();
  return tf.tidy(() => {
    const crop = cropTensor(frame, box);
    const diff = Math.abs(box.height - box.width);
    let square: Tensor3D;
    if (diff > 0 && placement === 'top-left' && Math.max(box.width, box.height) !== size)
      square = topLeftSquare(crop, size);
    else {
      // face-api appends round(diff / 2) after the image and the rest before it when centring.
      const after = Math.round(diff * (placement === 'centre' ? 0.5 : 1));
      const before = diff - after;
      const padding: Array<[number, number]> =
        box.height > box.width
          ? [
              [0, 0],
              [before, after],
              [0, 0],
            ]
          : [
              [before, after],
              [0, 0],
              [0, 0],
            ];
      const padded = diff > 0 ? tf.pad(crop, padding) : crop;
      square = padded.shape[0] === size ? padded : tf.image.resizeBilinear(padded, [size, size], false, false);
    }
    return tf.expandDims<Tensor4D>(square, 0);
  });
}
