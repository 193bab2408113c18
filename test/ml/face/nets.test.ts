import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Tensor3D } from '@tensorflow/tfjs-core';
import { buildSelfie720p } from '../../../bench/faceSpeed';
import { squareWindows } from '../../../src/ml/face/detect';
import { EXPRESSION_LABELS, predictExpressions } from '../../../src/ml/face/expressions';
import { predictDescriptor } from '../../../src/ml/face/descriptor';
import { alignedBox, faceCrop, predictLandmarks } from '../../../src/ml/face/landmarks';
import { faceApiModelDir, faceApiModelFile, loadFaceNets } from '../../../src/ml/face/models';
import { cropTensor, squareInput, type RgbFrame } from '../../../src/ml/face/nets/layers';
import { disposeFaceFeatureNet, loadFaceFeatureNet } from '../../../src/ml/face/nets/faceFeatureNet';
import { disposeFaceRecognitionNet, loadFaceRecognitionNet } from '../../../src/ml/face/nets/faceRecognitionNet';
import {
  detectTinyFaces,
  disposeTinyFaceDetector,
  loadTinyFaceDetector,
} from '../../../src/ml/face/nets/tinyFaceDetector';
import { loadWeightArrays, weight } from '../../../src/ml/face/nets/weights';
import { decodeImage } from '../../../src/ml/image/decode';
import { getFaceApi, getTf, initTf, type Tf } from '../../../src/ml/tf';

/**
 * The fused nets (src/ml/face/nets) must compute what face-api computes: here face-api's own nets,
 * loaded on demand, are the reference on real photos that ship with it.
 */
const DEMO = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

let tf: Tf;

/** A frame whose pixel (x, y, c) is a fixed, non-symmetric pattern, so misplaced pixels show. */
function patternFrame(width: number, height: number): RgbFrame {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 37 + Math.floor(i / (width * 3)) * 11) % 256;
  return { pixels, width, height };
}

function frameTensor(frame: RgbFrame): Tensor3D {
  return tf.tensor3d(frame.pixels, [frame.height, frame.width, 3], 'int32');
}

async function maxAbsDiff(a: { data(): Promise<unknown> }, b: { data(): Promise<unknown> }): Promise<number> {
  const x = (await a.data()) as Float32Array;
  const y = (await b.data()) as Float32Array;
  expect(x.length).toBe(y.length);
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

async function demoFrame(n: number): Promise<RgbFrame> {
  const decoded = await decodeImage(new Uint8Array(fs.readFileSync(path.join(DEMO, `sample${n}.jpg`))));
  if (!decoded.ok) throw new Error(decoded.message);
  return decoded.value;
}

beforeAll(async () => {
  await initTf();
  tf = getTf();
  await loadFaceNets();
  const { nets } = getFaceApi();
  await Promise.all([
    nets.tinyFaceDetector.loadFromDisk(faceApiModelDir()),
    nets.faceLandmark68Net.loadFromDisk(faceApiModelDir()),
    nets.faceExpressionNet.loadFromDisk(faceApiModelDir()),
    nets.faceRecognitionNet.loadFromDisk(faceApiModelDir()),
  ]);
});

describe('squareInput', () => {
  // face-api pads to a square (centred for face crops, bottom/right for whole frames) and resizes.
  const cases: Array<[string, number, number, number, boolean]> = [
    ['landscape frame, letterboxed to 224', 640, 360, 224, false],
    ['portrait frame, letterboxed to 224', 201, 301, 224, false],
    ['side with no common factor with 224 (pads the whole square)', 641, 300, 224, false],
    ['odd-difference face crop, centred to 112', 175, 152, 112, true],
    ['tall face crop, centred to 150', 120, 161, 150, true],
    ['square crop already at the input size', 112, 112, 112, true],
  ];
  it.each(cases)('gives face-api’s input values for a %s', async (_name, width, height, size, centred) => {
    const frame = patternFrame(width, height);
    const ours = squareInput(frame, { x: 0, y: 0, width, height }, size, centred ? 'centre' : 'top-left');
    const image = frameTensor(frame);
    const theirs = new (getFaceApi().NetInput)([image as never]).toBatchTensor(size, centred);
    try {
      expect(ours.shape).toEqual([1, size, size, 3]);
      expect(await maxAbsDiff(ours, theirs)).toBeLessThan(1e-3);
    } finally {
      tf.dispose([ours, theirs as never, image]);
    }
  });

  it('crops the requested region, row by row', async () => {
    const frame = patternFrame(9, 7);
    const crop = cropTensor(frame, { x: 2, y: 3, width: 4, height: 2 });
    const whole = frameTensor(frame);
    const expected = tf.slice(whole, [3, 2, 0], [2, 4, 3]);
    try {
      expect(crop.shape).toEqual([2, 4, 3]);
      expect(await maxAbsDiff(crop, expected)).toBe(0);
    } finally {
      tf.dispose([crop, whole, expected]);
    }
  });

  it('refuses regions outside the frame or not on whole pixels', () => {
    const frame = patternFrame(10, 10);
    expect(() => cropTensor(frame, { x: 5, y: 0, width: 6, height: 2 })).toThrow(/outside the frame/);
    expect(() => cropTensor(frame, { x: -1, y: 0, width: 2, height: 2 })).toThrow(/outside the frame/);
    expect(() => cropTensor(frame, { x: 0, y: 0, width: 0, height: 2 })).toThrow(/outside the frame/);
    expect(() => cropTensor(frame, { x: 0.5, y: 0, width: 2, height: 2 })).toThrow(/whole pixels/);
  });
});

describe('fused nets against face-api on demo photos', () => {
  it('detect the same faces, whole frames and tiles', async () => {
    const faceapi = getFaceApi();
    const { detector } = await loadFaceNets();
    let compared = 0;
    for (const n of [1, 2, 3, 4, 5, 6]) {
      const frame = await demoFrame(n);
      const regions = [
        { x: 0, y: 0, width: frame.width, height: frame.height },
        ...squareWindows(frame.width, frame.height, 100).map((w) => ({
          x: w.x,
          y: w.y,
          width: w.size,
          height: w.size,
        })),
      ];
      for (const region of regions) {
        const ours = await detectTinyFaces(detector, frame, region, 224, 0.5);
        const whole = frameTensor(frame);
        const image = tf.slice(whole, [region.y, region.x, 0], [region.height, region.width, 3]);
        const theirs = await faceapi.nets.tinyFaceDetector.locateFaces(
          image,
          new faceapi.TinyFaceDetectorOptions({ inputSize: 224, scoreThreshold: 0.5 }),
        );
        tf.dispose([whole, image]);
        expect(ours).toHaveLength(theirs.length);
        ours.forEach((face, i) => {
          const { box, score } = theirs[i]!;
          expect(
            Math.abs(face.x - box.x) +
              Math.abs(face.y - box.y) +
              Math.abs(face.width - box.width) +
              Math.abs(face.height - box.height),
          ).toBeLessThan(0.01);
          expect(face.score).toBeCloseTo(score, 5);
        });
        compared += ours.length;
      }
    }
    // The demo photos hold 22 faces; the tiles and whole frames find most of them.
    expect(compared).toBeGreaterThanOrEqual(15);
  });

  it('read the same landmarks, expressions and descriptor', async () => {
    const faceapi = getFaceApi();
    const decoded = await decodeImage(await buildSelfie720p());
    if (!decoded.ok) throw new Error(decoded.message);
    const frame = decoded.value;
    const image = frameTensor(frame);
    try {
      const [detection] = await faceapi.nets.tinyFaceDetector.locateFaces(
        image,
        new faceapi.TinyFaceDetectorOptions({ inputSize: 224, scoreThreshold: 0.5 }),
      );
      const box = {
        x: detection!.box.x,
        y: detection!.box.y,
        width: detection!.box.width,
        height: detection!.box.height,
        score: detection!.score,
      };
      const ours = await predictLandmarks(frame, box);
      const [faceTensor] = await faceapi.extractFaceTensors(image as never, [
        new faceapi.Rect(box.x, box.y, box.width, box.height),
      ]);
      const found = await faceapi.nets.faceLandmark68Net.detectLandmarks(faceTensor!);
      const crop = faceCrop(box, frame.width, frame.height)!;
      const theirs = (Array.isArray(found) ? found[0]! : found).positions.flatMap((p) => [p.x + crop.x, p.y + crop.y]);
      faceTensor!.dispose();
      expect(ours).toHaveLength(136);
      ours.forEach((v, i) => expect(Math.abs(v - theirs[i]!)).toBeLessThan(0.01));

      const aligned = alignedBox(ours, frame.width, frame.height);
      const region = {
        x: Math.floor(aligned.x),
        y: Math.floor(aligned.y),
        width: Math.floor(aligned.width),
        height: Math.floor(aligned.height),
      };
      const alignedTensor = tf.slice(image, [region.y, region.x, 0], [region.height, region.width, 3]);
      const expressions = await predictExpressions(frame, region);
      const theirExpressions = await faceapi.nets.faceExpressionNet.predictExpressions(alignedTensor);
      for (const label of EXPRESSION_LABELS) {
        expect(
          Math.abs(expressions[label]! - (theirExpressions as unknown as Record<string, number>)[label]!),
        ).toBeLessThan(1e-4);
      }
      const descriptor = await predictDescriptor(frame, region);
      const theirDescriptor = (await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(
        alignedTensor,
      )) as Float32Array;
      alignedTensor.dispose();
      const distance = Math.sqrt(descriptor.reduce((s, v, i) => s + (v - theirDescriptor[i]!) ** 2, 0));
      expect(descriptor).toHaveLength(128);
      expect(distance).toBeLessThan(1e-3);
    } finally {
      image.dispose();
    }
  });

  it('release every tensor they load', async () => {
    const before = tf.memory().numTensors;
    const detector = await loadTinyFaceDetector(faceApiModelFile);
    const landmarks = await loadFaceFeatureNet('landmarks', faceApiModelFile);
    const recognition = await loadFaceRecognitionNet(faceApiModelFile);
    // Detector: first conv 2 + 5 separable × 3 + last conv 2. Landmarks: entry conv 2 + 3 separable
    // entries × 3 + 12 separable layers × 3 + head 2 + mean 1. Recognition: (stem + 14 × 2) convs × 2 + fc.
    expect(tf.memory().numTensors - before).toBe(19 + 50 + 59);
    disposeTinyFaceDetector(detector);
    disposeFaceFeatureNet(landmarks);
    disposeFaceRecognitionNet(recognition);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('label expressions in face-api’s output order', () => {
    expect([...EXPRESSION_LABELS]).toEqual([...getFaceApi().FACE_EXPRESSION_LABELS]);
  });
});

describe('loadWeightArrays', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-weights-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const inDir = (name: string) => path.join(dir, name);

  const manifest = (weights: unknown[]): string => JSON.stringify([{ paths: ['m.bin'], weights }]);

  it('dequantises uint8 weights and reads float32 ones', async () => {
    fs.writeFileSync(
      path.join(dir, 'm-weights_manifest.json'),
      manifest([
        { name: 'q', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
        { name: 'f', shape: [2], dtype: 'float32' },
      ]),
    );
    fs.writeFileSync(
      path.join(dir, 'm.bin'),
      Buffer.concat([Buffer.from([0, 1, 2, 255]), Buffer.from(new Float32Array([1.5, -2.25]).buffer)]),
    );
    const weights = await loadWeightArrays(inDir, 'm');
    expect(Array.from(weight(weights, 'q', 2).values)).toEqual([-1, -0.5, 0, 126.5]);
    expect(Array.from(weight(weights, 'f', 1).values)).toEqual([1.5, -2.25]);
    expect(() => weight(weights, 'q', 4)).toThrow(/rank 2, expected 4/);
    expect(() => weight(weights, 'absent', 1)).toThrow(/absent missing/);
  });

  it('refuses truncated shards, extra bytes, unsupported quantisation and a malformed manifest', async () => {
    const entry = { name: 'f', shape: [4], dtype: 'float32' };
    fs.writeFileSync(path.join(dir, 'm-weights_manifest.json'), manifest([entry]));
    fs.writeFileSync(path.join(dir, 'm.bin'), Buffer.alloc(10));
    await expect(loadWeightArrays(inDir, 'm')).rejects.toThrow(/end before f/);
    fs.writeFileSync(path.join(dir, 'm.bin'), Buffer.alloc(20));
    await expect(loadWeightArrays(inDir, 'm')).rejects.toThrow(/hold 20 bytes, the manifest describes 16/);
    fs.writeFileSync(
      path.join(dir, 'm-weights_manifest.json'),
      manifest([{ ...entry, quantization: { dtype: 'float16' } }]),
    );
    await expect(loadWeightArrays(inDir, 'm')).rejects.toThrow(/only uint8/);
    fs.writeFileSync(path.join(dir, 'm-weights_manifest.json'), JSON.stringify({ weights: [] }));
    await expect(loadWeightArrays(inDir, 'm')).rejects.toThrow(/not a tfjs weights manifest/);
    await expect(loadWeightArrays(inDir, 'missing')).rejects.toThrow(/ENOENT/);
  });
});
