/**
 * Scores the generic face model on Yale (/work/shared/data/yale-faces.csv, all rows `test`) and
 * prints accuracy and the confusion matrix, next to the raw expression-net argmax for reference.
 * Run: npx tsx scripts/face-experiment.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { genericFaceProbabilities } from '../src/ml/face/generic';
import { DEFAULT_EMOTIONS, type Probabilities } from '../src/ml/types';
import { analyzeFace } from '../src/ml/face';
import { SHARED_DATA } from '../test/helpers/dataDir';

const DATA = SHARED_DATA;
const MANIFEST = path.join(DATA, 'yale-faces.csv');

function argmax(probabilities: Probabilities): string {
  return Object.entries(probabilities).reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}

function report(name: string, pairs: Array<[string, string]>): void {
  const labels = [...DEFAULT_EMOTIONS];
  const counts = labels.map(() => labels.map(() => 0));
  for (const [truth, predicted] of pairs) counts[labels.indexOf(truth)]![labels.indexOf(predicted)]!++;
  const correct = pairs.filter(([t, p]) => t === p).length;
  console.log(`${name}: accuracy ${(correct / pairs.length).toFixed(3)} (${correct}/${pairs.length})`);
  console.log(`  true\\pred ${labels.map((l) => l.padStart(8)).join('')}`);
  labels.forEach((label, i) =>
    console.log(`  ${label.padEnd(9)} ${counts[i]!.map((c) => String(c).padStart(8)).join('')}`),
  );
}

async function main(): Promise<void> {
  if (!fs.existsSync(MANIFEST)) {
    console.log(`Skipping: ${MANIFEST} is absent (Yale is not shipped with Attune).`);
    return;
  }
  const rows = fs
    .readFileSync(MANIFEST, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
  const generic: Array<[string, string]> = [];
  const geometryBy = new Map<string, Record<string, Record<string, number>>>();
  const raw: Array<[string, string]> = [];
  for (const [person, emotion, , face] of rows) {
    const result = await analyzeFace(fs.readFileSync(path.join(DATA, face!)));
    if (!result.ok) {
      console.log(`${person} ${emotion}: ${result.code}`);
      generic.push([emotion!, 'neutral']);
      raw.push([emotion!, 'neutral']);
      continue;
    }
    const e = result.value.expressions;
    const byEmotion = geometryBy.get(person!) ?? {};
    byEmotion[emotion!] = result.value.geometry;
    geometryBy.set(person!, byEmotion);
    raw.push([emotion!, argmax({ happy: e.happy!, neutral: e.neutral!, sad: e.sad! })]);
    const probabilities = genericFaceProbabilities(result.value, DEFAULT_EMOTIONS);
    generic.push([emotion!, argmax(probabilities)]);
    if (process.argv.includes('--verbose')) {
      console.log(
        `${person} ${emotion!.padEnd(8)} -> ${argmax(probabilities).padEnd(8)} ${Object.entries(e)
          .map(([k, v]) => `${k.slice(0, 3)}=${v.toFixed(3)}`)
          .join(' ')}`,
      );
    }
  }
  report('expression net argmax (happy/neutral/sad)', raw);
  report('generic model', generic);
  // How often a landmark feature moves the expected way from the same person's neutral face: the
  // signal a per-person model can use by subtracting that person's neutral geometry.
  const checks: Array<[string, string, 1 | -1]> = [
    ['happy', 'mouth_corner_lift', 1],
    ['happy', 'mouth_width', 1],
    ['sad', 'mouth_corner_lift', -1],
    ['sad', 'corner_below_nose', -1],
    ['sad', 'brow_inner_raise', 1],
  ];
  console.log("geometry change from the same person's neutral face (share of subjects moving the expected way):");
  for (const [emotion, feature, sign] of checks) {
    let agree = 0;
    let n = 0;
    for (const faces of geometryBy.values()) {
      const neutral = faces.neutral?.[feature];
      const other = faces[emotion]?.[feature];
      if (neutral === undefined || other === undefined) continue;
      n++;
      if (Math.sign(other - neutral) === sign) agree++;
    }
    console.log(`  ${emotion.padEnd(6)} ${feature.padEnd(18)} ${sign > 0 ? 'up  ' : 'down'} ${agree}/${n}`);
  }
}
void main();
