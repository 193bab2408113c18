/** Per-stage timing of analyzeFace on the 720p bench frame. Run: npx tsx scripts/face-profile.ts */
import { decodeImage } from '../src/ml/image/decode';
import { buildSelfie720p } from '../src/ml/face/bench';
import { detectFaces } from '../src/ml/face/detect';
import { predictLandmarks, alignedBox } from '../src/ml/face/landmarks';
import { predictExpressions } from '../src/ml/face/expressions';
import { predictDescriptor } from '../src/ml/face/descriptor';
import { getTf } from '../src/ml/tf';

async function main(): Promise<void> {
  const jpeg = await buildSelfie720p();
  const tf = getTf();
  const stages: Record<string, number[]> = {};
  const time = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    const value = await fn();
    (stages[name] ??= []).push(performance.now() - start);
    return value;
  };
  for (let i = 0; i < 25; i++) {
    const decoded = await time('decode', () => decodeImage(jpeg));
    if (!decoded.ok) throw new Error(decoded.message);
    const { pixels, width, height } = decoded.value;
    const image = await time('tensor', () => tf.tensor3d(pixels, [height, width, 3], 'int32'));
    const faces = await time('detect', () => detectFaces(image));
    const landmarks = await time('landmarks', () => predictLandmarks(image, faces[0]!));
    const box = alignedBox(landmarks, width, height);
    const crop = tf.slice3d(image, [Math.floor(box.y), Math.floor(box.x), 0], [Math.floor(box.height), Math.floor(box.width), 3]);
    await time('expressions', () => predictExpressions(crop));
    await time('descriptor', () => predictDescriptor(crop));
    crop.dispose();
    image.dispose();
    if (i === 0) console.log('decoded', width, height, 'face', faces[0]);
  }
  for (const [name, values] of Object.entries(stages)) {
    const sorted = values.slice(3).sort((a, b) => a - b);
    console.log(name.padEnd(12), sorted[sorted.length >> 1]!.toFixed(1));
  }
}
void main();
