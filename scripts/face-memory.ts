/** Resident memory and WASM heap at each stage of the face pipeline. Run: npx tsx scripts/face-memory.ts */
import fs from 'node:fs';
import path from 'node:path';
import { initTf, getTf } from '../src/ml/tf';
import { buildSelfie720p } from '../bench/faceSpeed';
import { loadFaceNets, analyzeFace } from '../src/ml/face';

function report(stage: string): void {
  const backend = getTf().backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  const heap = ((backend.wasm?.HEAPU8?.length ?? 0) / 1e6).toFixed(0);
  const { rss, heapUsed } = process.memoryUsage();
  console.log(
    `${stage.padEnd(40)} rss ${(rss / 1e6).toFixed(0)} MB, this thread's wasm heap ${heap} MB, js heap ${(heapUsed / 1e6).toFixed(0)} MB`,
  );
}

async function main(): Promise<void> {
  console.log(`start rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
  await initTf();
  report('initTf');
  await loadFaceNets();
  report('nets loaded');
  const yale = path.resolve(__dirname, '../../shared/data/yale-faces/subject01.happy.jpg');
  if (fs.existsSync(yale)) {
    await analyzeFace(fs.readFileSync(yale));
    report('one Yale face (320x243)');
  }
  const jpeg = await buildSelfie720p();
  report('720p frame built (demo photo analysed)');
  for (let i = 0; i < 30; i++) await analyzeFace(jpeg);
  report('after 30 analyses of the 720p frame');
}
void main();
