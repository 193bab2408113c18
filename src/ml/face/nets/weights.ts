/**
 * Reads face-api's weight files (a tfjs weights manifest plus .bin shards, mostly 8-bit quantised)
 * into plain Float32Arrays, so the nets can fold them in JS and upload each final weight to the WASM
 * heap once. Decoding to tensors first (tfjs' io.decodeWeights) and folding with tf ops put every
 * weight in the heap twice (raw and folded), and the WASM heap never shrinks: for the recognition
 * net that was +22 MB resident. Dequantisation is tfjs' own formula, value = min + scale · q.
 */
import { promises as fs } from 'node:fs';
import type { Tensor } from '@tensorflow/tfjs-core';
import { getTf } from '../../tf';

/** One weight: its shape and row-major values. */
export interface WeightArray {
  shape: number[];
  values: Float32Array;
}

/** A model's weights by name (`conv0/filters`, ...). */
export type WeightArrays = Map<string, WeightArray>;

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

function isManifest(value: unknown): value is ManifestGroup[] {
  return (
    Array.isArray(value) &&
    value.every(
      (group: Partial<ManifestGroup>) =>
        Array.isArray(group?.paths) &&
        Array.isArray(group?.weights) &&
        group.weights.every(
          (w) => typeof w?.name === 'string' && Array.isArray(w.shape) && w.shape.every(Number.isInteger),
        ),
    )
  );
}

/** Decode one entry starting at `offset` of `bytes`; returns the values and the bytes consumed. */
function decodeEntry(
  entry: ManifestEntry,
  bytes: Buffer,
  offset: number,
  model: string,
): { values: Float32Array; size: number } {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const q = entry.quantization;
  if (entry.dtype !== 'float32')
    throw new Error(`${model}: ${entry.name} has dtype ${entry.dtype}; only float32 weights are supported`);
  if (q && q.dtype !== 'uint8')
    throw new Error(`${model}: ${entry.name} is quantised as ${q.dtype}; only uint8 is supported`);
  const size = count * (q ? 1 : 4);
  if (offset + size > bytes.length) throw new Error(`${model}: weight shards end before ${entry.name}`);
  const values = new Float32Array(count);
  if (q) {
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    for (let i = 0; i < count; i++) values[i] = bytes[offset + i]! * scale + min;
  } else {
    // Copy through a byte view: the shard offset need not be 4-byte aligned.
    new Uint8Array(values.buffer).set(bytes.subarray(offset, offset + size));
  }
  return { values, size };
}

/** Where a file of face-api's model folder is, by its name there (src/ml/face/models.ts: the pinned copy). */
export type ModelFiles = (name: string) => string;

/** Load `<model>-weights_manifest.json` and its shards. */
export async function loadWeightArrays(files: ModelFiles, model: string): Promise<WeightArrays> {
  const manifestPath = files(`${model}-weights_manifest.json`);
  const manifest: unknown = JSON.parse(await fs.readFile(manifestPath, 'utf8'));
  if (!isManifest(manifest)) throw new Error(`${manifestPath} is not a tfjs weights manifest`);
  const weights: WeightArrays = new Map();
  for (const group of manifest) {
    const bytes = Buffer.concat(await Promise.all(group.paths.map((shard) => fs.readFile(files(shard)))));
    let offset = 0;
    for (const entry of group.weights) {
      const { values, size } = decodeEntry(entry, bytes, offset, model);
      weights.set(entry.name, { shape: entry.shape, values });
      offset += size;
    }
    if (offset !== bytes.length)
      throw new Error(`${model}: weight shards hold ${bytes.length} bytes, the manifest describes ${offset}`);
  }
  return weights;
}

/** The weight `name`, checked for rank (a wrong file would otherwise fail deep inside a kernel). */
export function weight(weights: WeightArrays, name: string, rank: number): WeightArray {
  const found = weights.get(name);
  if (!found) throw new Error(`face net weights: ${name} missing`);
  if (found.shape.length !== rank)
    throw new Error(`face net weights: ${name} has rank ${found.shape.length}, expected ${rank}`);
  return found;
}

/** Upload a weight to the tf backend. */
export function toTensor<T extends Tensor>(w: WeightArray): T {
  return getTf().tensor(w.values, w.shape, 'float32') as T;
}

/** filter[..., o] · scale[o] for a filter whose last axis is the output channel. */
export function scaleOutputs(filter: WeightArray, scale: Float32Array): WeightArray {
  const outputs = filter.shape[filter.shape.length - 1]!;
  if (scale.length !== outputs)
    throw new Error(`face net weights: ${outputs} output channels but ${scale.length} scales`);
  const values = new Float32Array(filter.values.length);
  for (let i = 0; i < values.length; i++) values[i] = filter.values[i]! * scale[i % outputs]!;
  return { shape: filter.shape, values };
}

/**
 * Fold the input normalisation (pixel − mean) / 255 into a `[kh, kw, 3, out]` convolution with
 * 'valid' padding: conv((x − m) / 255, W) + b = conv(x, W / 255) + (b − Σ W·m / 255). Exact only
 * without padding (a zero the convolution pads in would otherwise stand for the mean), so a net whose
 * first layer pads 'same' folds only the 1/255 (`mean` omitted) and subtracts the mean itself.
 */
export function foldInputNormalisation(
  filter: WeightArray,
  bias: WeightArray,
  mean?: readonly number[],
): { filter: WeightArray; bias: WeightArray } {
  const [, , inputs, outputs] = filter.shape as [number, number, number, number];
  const scaled = new Float32Array(filter.values.length);
  const shift = Float64Array.from(bias.values);
  for (let i = 0; i < scaled.length; i++) {
    scaled[i] = filter.values[i]! / 255;
    if (mean) shift[i % outputs]! -= (filter.values[i]! * mean[Math.floor(i / outputs) % inputs]!) / 255;
  }
  return {
    filter: { shape: filter.shape, values: scaled },
    bias: { shape: bias.shape, values: Float32Array.from(shift) },
  };
}
