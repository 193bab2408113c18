/**
 * Reads face-api's weight files (a tfjs weights manifest plus .bin shards, 8-bit quantised) with
 * tfjs-core's own decoder, so the nets load without face-api's bundle or the `@tensorflow/tfjs`
 * union it pulls in. Values are the same floats face-api would dequantise.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { NamedTensorMap, Tensor, io } from '@tensorflow/tfjs-core';
import { getTf } from '../../tf';

interface ManifestGroup {
  paths: string[];
  weights: io.WeightsManifestEntry[];
}

function isManifest(value: unknown): value is ManifestGroup[] {
  return (
    Array.isArray(value) &&
    value.every((group) => Array.isArray((group as ManifestGroup)?.paths) && Array.isArray((group as ManifestGroup)?.weights))
  );
}

/** Load `<modelDir>/<model>-weights_manifest.json` and its shards as named tensors (the caller disposes them). */
export async function loadWeightMap(modelDir: string, model: string): Promise<NamedTensorMap> {
  const manifestPath = path.join(modelDir, `${model}-weights_manifest.json`);
  const manifest: unknown = JSON.parse(await fs.readFile(manifestPath, 'utf8'));
  if (!isManifest(manifest)) throw new Error(`${manifestPath} is not a tfjs weights manifest`);
  const map: NamedTensorMap = {};
  for (const group of manifest) {
    const shards = await Promise.all(group.paths.map((shard) => fs.readFile(path.join(modelDir, shard))));
    const bytes = Buffer.concat(shards);
    const expected = group.weights.reduce((sum, entry) => sum + entryBytes(entry), 0);
    if (bytes.length !== expected) throw new Error(`${model}: weight shards hold ${bytes.length} bytes, the manifest describes ${expected}`);
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    Object.assign(map, getTf().io.decodeWeights(buffer, group.weights));
  }
  return map;
}

/** Bytes one manifest entry occupies in its shard (quantised entries store 1 or 2 bytes per value). */
function entryBytes(entry: io.WeightsManifestEntry): number {
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const quantised = entry.quantization?.dtype;
  const width = quantised === 'uint8' ? 1 : quantised === 'uint16' || quantised === 'float16' ? 2 : 4;
  return count * width;
}

/** The tensor `name` of `map`, checked for rank (a wrong file would otherwise fail deep inside a kernel). */
export function weight<T extends Tensor>(map: NamedTensorMap, name: string, rank: number): T {
  const tensor = map[name];
  if (!tensor) throw new Error(`face net weights: ${name} missing`);
  if (tensor.rank !== rank) throw new Error(`face net weights: ${name} has rank ${tensor.rank}, expected ${rank}`);
  return tensor as T;
}
