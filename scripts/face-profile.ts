/** Per-stage timing of analyzeFace on the 720p bench frame. Run: npx tsx scripts/face-profile.ts */
import { buildSelfie720p } from '../bench/faceSpeed';
import { detectFaces, predictLandmarks, alignedBox, predictExpressions, predictDescriptor } from '../src/ml/face';
import { decodeImage } from '../src/ml/image';

async function main(): Promise<void> {
  const jpeg = await buildSelfie720p();
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
    const frame = decoded.value;
    const faces = await time('detect', () => detectFaces(frame));
    const landmarks = await time('landmarks', () => predictLandmarks(frame, faces[0]!));
    const box = alignedBox(landmarks, frame.width, frame.height);
    const region = {
      x: Math.floor(box.x),
      y: Math.floor(box.y),
      width: Math.floor(box.width),
      height: Math.floor(box.height),
    };
    await time('expressions', () => predictExpressions(frame, region));
    await time('descriptor', () => predictDescriptor(frame, region));
    if (i === 0) console.log('decoded', frame.width, frame.height, 'face', faces[0]);
  }
  for (const [name, values] of Object.entries(stages)) {
    const sorted = values.slice(3).sort((a, b) => a - b);
    console.log(name.padEnd(12), sorted[sorted.length >> 1]!.toFixed(1));
  }
}
void main();
