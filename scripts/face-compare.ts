/**
 * Guard for pipeline rewrites: analyse every Yale photo (all conditions) and the face-api demo photos,
 * save the features to a JSON file, or compare them with a saved run and print the largest changes
 * (face count, box, expressions, landmarks, descriptor distance) and every image whose outcome changed.
 * Run: npx tsx scripts/face-compare.ts save /tmp/before.json
 *      npx tsx scripts/face-compare.ts compare /tmp/before.json
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FaceFeatures } from '../src/ml/types';
import { analyzeFace } from '../src/ml/face';

const YALE = path.resolve(__dirname, '../../shared/data/yale-faces');
const DEMO = path.dirname(require.resolve('@vladmandic/face-api/package.json')) + '/demo';

type Outcome = { ok: true; value: FaceFeatures } | { ok: false; code: string };

function inputs(): string[] {
  const yale = fs.existsSync(YALE)
    ? fs
        .readdirSync(YALE)
        .filter((f) => f.endsWith('.jpg'))
        .sort()
        .map((f) => path.join(YALE, f))
    : [];
  const demo = fs
    .readdirSync(DEMO)
    .filter((f) => /^sample\d+\.jpg$/.test(f))
    .sort()
    .map((f) => path.join(DEMO, f));
  return [...yale, ...demo];
}

async function run(): Promise<Record<string, Outcome>> {
  const out: Record<string, Outcome> = {};
  for (const file of inputs()) {
    const result = await analyzeFace(new Uint8Array(fs.readFileSync(file)));
    out[path.basename(file)] = result.ok ? { ok: true, value: result.value } : { ok: false, code: result.code };
  }
  return out;
}

const maxAbsDiff = (a: number[], b: number[]): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const dist = (a: number[], b: number[]): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

async function main(): Promise<void> {
  const [mode, file] = process.argv.slice(2);
  if (!file || (mode !== 'save' && mode !== 'compare')) throw new Error('usage: face-compare.ts save|compare FILE');
  const now = await run();
  if (mode === 'save') {
    fs.writeFileSync(file, JSON.stringify(now));
    console.log(`saved ${Object.keys(now).length} images to ${file}`);
    return;
  }
  const before = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Outcome>;
  const worst = { box: 0, score: 0, expressions: 0, landmarks: 0, descriptor: 0 };
  let changed = 0;
  for (const [name, was] of Object.entries(before)) {
    const is = now[name];
    if (!is) continue;
    if (!was.ok || !is.ok) {
      if (was.ok !== is.ok || (!was.ok && !is.ok && was.code !== is.code)) {
        changed++;
        console.log(`${name}: ${was.ok ? 'ok' : was.code} -> ${is.ok ? 'ok' : is.code}`);
      }
      continue;
    }
    const a = was.value;
    const b = is.value;
    if (a.faceCount !== b.faceCount) {
      changed++;
      console.log(`${name}: faceCount ${a.faceCount} -> ${b.faceCount}`);
    }
    const box = maxAbsDiff(
      [a.box.x, a.box.y, a.box.width, a.box.height],
      [b.box.x, b.box.y, b.box.width, b.box.height],
    );
    const labels = Object.keys(a.expressions);
    const expressions = maxAbsDiff(
      labels.map((l) => a.expressions[l]!),
      labels.map((l) => b.expressions[l] ?? NaN),
    );
    const landmarks = maxAbsDiff(a.landmarks, b.landmarks);
    const descriptor = a.descriptor.length && b.descriptor.length ? dist(a.descriptor, b.descriptor) : 0;
    const entries: Array<[keyof typeof worst, number]> = [
      ['box', box],
      ['score', Math.abs(a.score - b.score)],
      ['expressions', expressions],
      ['landmarks', landmarks],
      ['descriptor', descriptor],
    ];
    for (const [key, value] of entries) worst[key] = Math.max(worst[key], Number.isNaN(value) ? Infinity : value);
  }
  console.log(`${Object.keys(before).length} images, ${changed} changed outcome/face count`);
  console.log(
    `largest change: box ${worst.box.toExponential(2)} px, score ${worst.score.toExponential(2)}, expressions ${worst.expressions.toExponential(2)}, landmarks ${worst.landmarks.toExponential(2)} (box fractions), descriptor distance ${worst.descriptor.toExponential(2)}`,
  );
}
void main();
