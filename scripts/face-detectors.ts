/**
 * Experiment: which face detector (face-api's TinyFaceDetector at several input sizes vs SsdMobilenetv1,
 * and the pipeline's detectFaces) finds
 * the faces in the Yale set (one face per image, all conditions) and the face-api demo samples, and
 * how fast. Run: npx tsx scripts/face-detectors.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { initTf, getFaceApi, getTf } from '../src/ml/tf';
import { detectFaces, faceApiModelDir } from '../src/ml/face';
import { decodeImage } from '../src/ml/image';

const YALE = path.resolve(__dirname, '../../shared/data/yale-faces');
const DEMO = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? NaN;
}

async function main(): Promise<void> {
  await initTf();
  const faceapi = getFaceApi();
  const tf = getTf();
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(faceApiModelDir());
  await faceapi.nets.tinyFaceDetector.loadFromDisk(faceApiModelDir());
  const detectors: Record<
    string,
    InstanceType<typeof faceapi.SsdMobilenetv1Options> | InstanceType<typeof faceapi.TinyFaceDetectorOptions>
  > = {
    ssd: new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 }),
    tiny160: new faceapi.TinyFaceDetectorOptions({ inputSize: 160, scoreThreshold: 0.5 }),
    tiny192: new faceapi.TinyFaceDetectorOptions({ inputSize: 192, scoreThreshold: 0.5 }),
    tiny224: new faceapi.TinyFaceDetectorOptions({ inputSize: 224, scoreThreshold: 0.5 }),
    tiny320: new faceapi.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: 0.5 }),
    tiny416: new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 }),
  };
  const sets: Array<[string, string[]]> = [
    [
      'yale',
      fs.existsSync(YALE)
        ? fs
            .readdirSync(YALE)
            .filter((f) => f.endsWith('.jpg'))
            .map((f) => path.join(YALE, f))
        : [],
    ],
    ['demo', [1, 2, 3, 4, 5, 6].map((n) => path.join(DEMO, `sample${n}.jpg`))],
  ];
  for (const [setName, files] of sets) {
    const stats: Record<string, { exactlyOne: number; none: number; counts: number[]; ms: number[] }> = {};
    for (const name of Object.keys(detectors)) stats[name] = { exactlyOne: 0, none: 0, counts: [], ms: [] };
    for (const file of files) {
      const decoded = await decodeImage(fs.readFileSync(file));
      if (!decoded.ok) throw new Error(`${file}: ${decoded.message}`);
      const { pixels, width, height } = decoded.value;
      const input = tf.tensor3d(pixels, [height, width, 3], 'int32');
      for (const [name, options] of Object.entries(detectors)) {
        const start = performance.now();
        const found = await faceapi.detectAllFaces(input, options);
        stats[name]!.ms.push(performance.now() - start);
        stats[name]!.counts.push(found.length);
        if (found.length === 1) stats[name]!.exactlyOne++;
        if (found.length === 0) stats[name]!.none++;
      }
      input.dispose();
    }
    // The pipeline's own detector (fused tiny detector, coarse 224 pass + tiles when faces are small).
    const pipeline = { exactlyOne: 0, none: 0, counts: [] as number[], ms: [] as number[] };
    for (const file of files) {
      const decoded = await decodeImage(fs.readFileSync(file));
      if (!decoded.ok) throw new Error(`${file}: ${decoded.message}`);
      const start = performance.now();
      const found = await detectFaces(decoded.value);
      pipeline.ms.push(performance.now() - start);
      pipeline.counts.push(found.length);
      if (found.length === 1) pipeline.exactlyOne++;
      if (found.length === 0) pipeline.none++;
    }
    stats.pipeline = pipeline;
    for (const [name, s] of Object.entries(stats)) {
      const detail = setName === 'demo' ? ` counts=${s.counts.join(',')}` : '';
      console.log(
        `${setName} ${name}: images=${files.length} one=${s.exactlyOne} none=${s.none} median_ms=${median(s.ms).toFixed(1)}${detail}`,
      );
    }
  }
}

void main();
