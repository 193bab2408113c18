/**
 * Issue 9's targets in one run, from features cached in /tmp (extracted once with the same code eval
 * uses): voice on ravdess-3class.csv both role directions, and the pseudo-multimodal pairing
 * (scripts/pseudo-multimodal.ts) plain and with --duplicate-photos, both directions. Prints one JSON
 * document: accuracy, n and ece per signal and direction. For iterating on src/ml/model quickly; the
 * figures to report still come from `npm run eval` itself.
 *
 *   npx tsx scripts/voice-targets.ts [--fresh]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { analyzeVoice } from '../src/ml/audio/features';
import { evaluateManifest, type EvalReport } from '../src/ml/eval/evaluate';
import { parseManifest, readManifest, type ManifestRow } from '../src/ml/eval/manifest';
import { analyzeFace } from '../src/ml/face';
import { genericFaceProbabilities } from '../src/ml/face/generic';
import { initTf } from '../src/ml/tf';
import type { FaceFeatures, VoiceFeatures } from '../src/ml/types';
import { SHARED_DATA } from '../test/helpers/dataDir';

const DATA = SHARED_DATA;
const CACHE = '/tmp/attune-targets-features.json';

interface Cache {
  voice: Record<string, VoiceFeatures>;
  face: Record<string, FaceFeatures | null>;
}

function pseudo(args: string[]): ManifestRow[] {
  const csv = execFileSync('npx', ['tsx', path.join(__dirname, 'pseudo-multimodal.ts'), ...args], { encoding: 'utf8' });
  return parseManifest(csv, DATA);
}

const swap = (rows: ManifestRow[]): ManifestRow[] =>
  rows.map((r) => ({ ...r, role: r.role === 'test' ? ('calibrate' as const) : ('test' as const) }));

async function main(): Promise<void> {
  const voiceRows = readManifest(path.join(DATA, 'ravdess-3class.csv'));
  const sets: Record<string, ManifestRow[]> = {
    voice: voiceRows,
    voice_swapped: swap(voiceRows),
    pseudo: pseudo([]),
    pseudo_swapped: pseudo(['--swap-roles']),
    dup: pseudo(['--duplicate-photos']),
    dup_swapped: pseudo(['--duplicate-photos', '--swap-roles']),
  };
  let cache: Cache = { voice: {}, face: {} };
  if (!process.argv.includes('--fresh') && fs.existsSync(CACHE))
    cache = JSON.parse(fs.readFileSync(CACHE, 'utf8')) as Cache;
  let dirty = false;
  for (const rows of Object.values(sets))
    for (const r of rows) {
      if (r.voice && !cache.voice[r.voice]) {
        const v = analyzeVoice(new Uint8Array(fs.readFileSync(r.voice)), { crops: true });
        if (!v.ok) throw new Error(`${r.voice}: ${v.message}`);
        cache.voice[r.voice] = v.value;
        dirty = true;
      }
      if (r.face && !(r.face in cache.face)) {
        await initTf();
        const f = await analyzeFace(new Uint8Array(fs.readFileSync(r.face)));
        cache.face[r.face] = f.ok ? f.value : null;
        dirty = true;
      }
    }
  if (dirty) fs.writeFileSync(CACHE, JSON.stringify(cache));
  const out: Record<string, unknown> = {};
  const t0 = Date.now();
  for (const [name, rows] of Object.entries(sets)) {
    const r: EvalReport = await evaluateManifest(
      rows,
      {
        voice: (f) => Promise.resolve({ ok: true, value: cache.voice[f]! }),
        face: (f) => {
          const face = cache.face[f];
          return Promise.resolve(face ? { ok: true, value: face } : { ok: false, code: 'corrupt', message: 'no face' });
        },
      },
      genericFaceProbabilities,
    );
    const s = (x: EvalReport['voice']) =>
      x ? `${x.accuracy.toFixed(3)} n=${x.n} ece=${(x.ece ?? NaN).toFixed(3)}` : '-';
    out[name] = { voice: s(r.voice), face: s(r.face), fused: s(r.fused) };
  }
  out.ms = Date.now() - t0;
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

void main();
