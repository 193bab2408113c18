/**
 * Experiment: can the identity descriptor be read from the detection box instead of the
 * landmark-aligned box, so that it need not wait for the landmark net (and could run in a second
 * thread alongside landmarks + expressions)? Fits the aligned box as a scaled detection box over
 * Yale (all conditions) and the demo photos' largest faces, then compares descriptors from the two
 * boxes: their distance per photo, and how well each separates people on Yale (face-api's
 * same-person threshold is 0.6). Run: npx tsx scripts/face-descriptor-box.ts
 *
 * Result (kept out of the pipeline): aligned ≈ detection box × (0.90 wide, 0.96 tall), ±5–7 %. On
 * Yale the two descriptors separate people almost equally (same-subject < 0.6: 99.5 % vs 99.8 %;
 * different ≥ 0.6: 95.2 % vs 95.5 %), but on real photos the detector's box tightness varies
 * (aligned/detected 0.70 × 0.63 on demo sample5) and the descriptor moves 0.35–0.48, most of the
 * 0.6 margin; the selfie shrunk into a large photo moved 0.63 from its close-up (analyze.test needs
 * < 0.3). With the descriptor in a second thread this path measured 55.6 vs 62.6 ms inline, but
 * identity reading is not worth 7 ms.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  detectFaces,
  type DetectedFace,
  predictLandmarks,
  alignedBox,
  predictDescriptor,
  type PixelBox,
} from '../src/ml/face';
import { decodeImage } from '../src/ml/image';

const YALE = path.resolve(__dirname, '../../shared/data/yale-faces');
const DEMO = path.dirname(require.resolve('@vladmandic/face-api/package.json')) + '/demo';

const distance = (a: number[], b: number[]): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));
const pct = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
/** The aligned box predicted from the detection box (fitted by this script; see the header). */
function descriptorBox(face: DetectedFace, frameWidth: number, frameHeight: number): PixelBox | null {
  const centreX = face.x + face.width / 2;
  const centreY = face.y + face.height * (0.5 - 0.008);
  const x = Math.max(0, centreX - (face.width * 0.9) / 2);
  const y = Math.max(0, centreY - (face.height * 0.97) / 2);
  const width = Math.floor(Math.min(frameWidth, centreX + (face.width * 0.9) / 2) - x);
  const height = Math.floor(Math.min(frameHeight, centreY + (face.height * 0.97) / 2) - y);
  return width >= 2 && height >= 2 ? { x: Math.floor(x), y: Math.floor(y), width, height } : null;
}

const whole = (b: DetectedFace) => ({
  x: Math.floor(b.x),
  y: Math.floor(b.y),
  width: Math.floor(b.width),
  height: Math.floor(b.height),
});

async function main(): Promise<void> {
  const files = [
    ...fs
      .readdirSync(YALE)
      .filter((f) => f.endsWith('.jpg'))
      .map((f) => path.join(YALE, f)),
    ...fs
      .readdirSync(DEMO)
      .filter((f) => /^sample\d+\.jpg$/.test(f))
      .map((f) => path.join(DEMO, f)),
  ];
  const ratios: number[][] = [];
  const people: Array<{ subject: string; aligned: number[]; detected: number[] }> = [];
  const between: number[] = [];
  for (const file of files) {
    const decoded = await decodeImage(new Uint8Array(fs.readFileSync(file)));
    if (!decoded.ok) continue;
    const frame = decoded.value;
    const face = (await detectFaces(frame))[0];
    if (!face) continue;
    const a = alignedBox(await predictLandmarks(frame, face), frame.width, frame.height);
    ratios.push([
      (a.x + a.width / 2 - (face.x + face.width / 2)) / face.width,
      (a.y + a.height / 2 - (face.y + face.height / 2)) / face.height,
      a.width / face.width,
      a.height / face.height,
    ]);
    const aligned = await predictDescriptor(frame, whole(a));
    const detected = await predictDescriptor(frame, descriptorBox(face, frame.width, frame.height)!);
    between.push(distance(aligned, detected));
    if (distance(aligned, detected) > 0.3)
      console.log(
        `  ${path.basename(file)}: face ${face.width.toFixed(0)}x${face.height.toFixed(0)} px in ${frame.width}x${frame.height}, distance ${distance(aligned, detected).toFixed(3)}, aligned/detected ${(a.width / face.width).toFixed(2)} x ${(a.height / face.height).toFixed(2)}`,
      );
    if (file.startsWith(YALE)) people.push({ subject: path.basename(file).split('.')[0]!, aligned, detected });
  }
  const mean = (i: number): number => ratios.reduce((s, r) => s + r[i]!, 0) / ratios.length;
  const sd = (i: number): number => Math.sqrt(ratios.reduce((s, r) => s + (r[i]! - mean(i)) ** 2, 0) / ratios.length);
  console.log(
    `aligned box vs detection box (n=${ratios.length}): ${['centre dx', 'centre dy', 'width', 'height'].map((k, i) => `${k} ${mean(i).toFixed(3)}±${sd(i).toFixed(3)}`).join(', ')}`,
  );
  console.log(
    `descriptor distance, detection-box vs aligned-box crop of the same photo: median ${pct(between, 0.5).toFixed(3)}, 90% ${pct(between, 0.9).toFixed(3)}, max ${Math.max(...between).toFixed(3)}`,
  );
  for (const key of ['aligned', 'detected'] as const) {
    const same: number[] = [];
    const different: number[] = [];
    for (let i = 0; i < people.length; i++) {
      for (let j = i + 1; j < people.length; j++) {
        const d = distance(people[i]![key], people[j]![key]);
        (people[i]!.subject === people[j]!.subject ? same : different).push(d);
      }
    }
    const sameOk = same.filter((d) => d < 0.6).length / same.length;
    const differentOk = different.filter((d) => d >= 0.6).length / different.length;
    console.log(
      `${key.padEnd(8)} Yale: same-subject pairs ${same.length} median ${pct(same, 0.5).toFixed(3)} (<0.6: ${(100 * sameOk).toFixed(1)}%), different-subject pairs ${different.length} median ${pct(different, 0.5).toFixed(3)} (>=0.6: ${(100 * differentOk).toFixed(1)}%)`,
    );
  }
}
void main();
