/**
 * Baseline of negative-expression evidence on Yale's neutral-expression conditions (glasses,
 * noglasses, centerlight, leftlight, rightlight): NOT the scored test rows. Used to set the generic
 * model's one correction factor. Run: npx tsx scripts/face-neutral-baseline.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { analyzeFace } from '../src/ml/face';

const YALE = path.resolve(__dirname, '../../shared/data/yale-faces');
const NEUTRAL_CONDITIONS = ['glasses', 'noglasses', 'centerlight', 'leftlight', 'rightlight'];

async function main(): Promise<void> {
  const ratios: number[] = [];
  for (const file of fs.readdirSync(YALE).sort()) {
    const condition = file.split('.')[1]!;
    if (!NEUTRAL_CONDITIONS.includes(condition)) continue;
    const result = await analyzeFace(fs.readFileSync(path.join(YALE, file)));
    if (!result.ok) {
      console.log(file, result.code);
      continue;
    }
    const e = result.value.expressions;
    const negative = e.sad! + e.angry! + e.fearful! + e.disgusted!;
    ratios.push(negative / Math.max(e.neutral!, 1e-6));
    console.log(
      file.padEnd(28),
      Object.entries(e)
        .map(([k, v]) => `${k.slice(0, 3)}=${v.toFixed(3)}`)
        .join(' '),
    );
  }
  ratios.sort((a, b) => a - b);
  const q = (p: number): number => ratios[Math.min(ratios.length - 1, Math.floor(p * ratios.length))]!;
  console.log(
    `n=${ratios.length} negative/neutral ratio quantiles: 50%=${q(0.5).toFixed(4)} 75%=${q(0.75).toFixed(4)} 90%=${q(0.9).toFixed(4)} 95%=${q(0.95).toFixed(4)} max=${q(1).toFixed(4)}`,
  );
}
void main();
