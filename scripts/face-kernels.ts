/**
 * Where the time goes inside each face net on the current backend: tf.profile of one warm call per
 * stage, kernel milliseconds summed by kernel name, plus the stage's wall time (the difference is
 * JS overhead between kernels). Run: npx tsx scripts/face-kernels.ts
 */
import { buildSelfie720p } from '../bench/faceSpeed';
import { getTf } from '../src/ml/tf';
import { detectFaces, predictLandmarks, alignedBox, predictExpressions, predictDescriptor } from '../src/ml/face';
import { decodeImage } from '../src/ml/image';

type Profile = Awaited<ReturnType<ReturnType<typeof getTf>['profile']>>;

async function main(): Promise<void> {
  const jpeg = await buildSelfie720p();
  const tf = getTf();
  const decoded = await decodeImage(jpeg);
  if (!decoded.ok) throw new Error(decoded.message);
  const frame = decoded.value;
  const faces = await detectFaces(frame);
  const landmarks = await predictLandmarks(frame, faces[0]!);
  const box = alignedBox(landmarks, frame.width, frame.height);
  const region = {
    x: Math.floor(box.x),
    y: Math.floor(box.y),
    width: Math.floor(box.width),
    height: Math.floor(box.height),
  };
  const stages: Array<[string, () => Promise<unknown>]> = [
    ['detect', () => detectFaces(frame)],
    ['landmarks', () => predictLandmarks(frame, faces[0]!)],
    ['expressions', () => predictExpressions(frame, region)],
    ['descriptor', () => predictDescriptor(frame, region)],
  ];
  for (const [name, run] of stages) {
    for (let i = 0; i < 3; i++) await run();
    const start = performance.now();
    const profile: Profile = await tf.profile(async () => {
      await run();
    });
    const wall = performance.now() - start;
    const byKernel = new Map<string, { ms: number; count: number }>();
    let total = 0;
    for (const k of profile.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      total += ms;
      const entry = byKernel.get(k.name) ?? { ms: 0, count: 0 };
      entry.ms += ms;
      entry.count++;
      byKernel.set(k.name, entry);
    }
    // Plain timing without the profiler's bookkeeping.
    const plain: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await run();
      plain.push(performance.now() - t);
    }
    plain.sort((a, b) => a - b);
    console.log(
      `\n${name}: wall(profiled) ${wall.toFixed(1)} ms, wall(plain median) ${plain[5]!.toFixed(1)} ms, kernels ${profile.kernels.length}, kernel sum ${total.toFixed(1)} ms`,
    );
    for (const [kernel, { ms, count }] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
      console.log(`  ${kernel.padEnd(24)} ${ms.toFixed(2).padStart(7)} ms  x${count}`);
    }
  }
}
void main();
