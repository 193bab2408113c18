import fs from 'node:fs';
import { getTf } from '../src/ml/tf';
import { analyzeFace } from '../src/ml/face';
async function main() {
  for (const f of process.argv.slice(2)) {
    const s = performance.now();
    const r = await analyzeFace(fs.readFileSync(f));
    const ms = performance.now() - s;
    if (!r.ok) {
      console.log(f, r);
      continue;
    }
    const e = Object.entries(r.value.expressions)
      .map(([k, v]) => `${k}=${v.toFixed(2)}`)
      .join(' ');
    console.log(f.split('/').pop(), ms.toFixed(0), r.value.faceCount, JSON.stringify(r.value.box), e);
    console.log(
      '  ',
      Object.entries(r.value.geometry)
        .map(([k, v]) => `${k}=${v.toFixed(3)}`)
        .join(' '),
    );
  }
  console.log(getTf().memory().numTensors, process.memoryUsage().rss / 1e6);
}
void main();
