/**
 * How much voice accuracy a channel change between calibration and use costs: each person calibrates
 * on the original clips, then their test clips are read again at −12, −6, +6 dB and through a
 * 300–3400 Hz phone band (src/ml/eval/channel.ts). Variants are made in memory from the decoded
 * audio; nothing is written. Both role directions; the JSON on stdout has accuracy per condition and
 * the points lost against the unchanged clips.
 *
 *   npx tsx scripts/voice-robustness.ts [MANIFEST.csv]     (default ../shared/data/ravdess-3class.csv)
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeAudio } from '../src/ml/audio/decode';
import { analyzeVoice } from '../src/ml/audio/features';
import { CHANNEL_CONDITIONS, type ChannelCondition } from '../src/ml/eval/channel';
import { evaluateManifest } from '../src/ml/eval/evaluate';
import { readManifest, type ManifestRow } from '../src/ml/eval/manifest';
import type { Pcm } from '../src/ml/types';

const manifest = process.argv[2] ?? path.resolve(__dirname, '../../shared/data/ravdess-3class.csv');
const rows = readManifest(manifest);
const decoded = new Map<string, Pcm>();
const pcmOf = (file: string): Pcm => {
  let pcm = decoded.get(file);
  if (!pcm) {
    const r = decodeAudio(new Uint8Array(fs.readFileSync(file)));
    if (!r.ok) throw new Error(`${file}: ${r.message}`);
    pcm = r.value;
    decoded.set(file, pcm);
  }
  return pcm;
};

async function run(rs: ManifestRow[], condition: ChannelCondition | null) {
  const testFiles = new Set(rs.filter((r) => r.role === 'test').map((r) => r.voice));
  const report = await evaluateManifest(
    rs,
    {
      face: () => Promise.resolve({ ok: false, code: 'invalid', message: 'voice only' }),
      voice: (file) =>
        Promise.resolve(
          // Parts are training data: measured for the calibration clips only.
          analyzeVoice(condition && testFiles.has(file) ? condition.apply(pcmOf(file)) : pcmOf(file), {
            crops: !testFiles.has(file),
          }),
        ),
    },
    () => ({}),
  );
  return report.voice!;
}

async function main(): Promise<void> {
  const swapped = rows.map((r) => ({ ...r, role: r.role === 'test' ? ('calibrate' as const) : ('test' as const) }));
  const out: Record<string, { accuracy: number[]; mean: number; lost_points: number; ece: number[] }> = {};
  const started = Date.now();
  for (const condition of [null, ...CHANNEL_CONDITIONS]) {
    const scores = [await run(rows, condition), await run(swapped, condition)];
    const mean = (scores[0]!.accuracy + scores[1]!.accuracy) / 2;
    const base = out.original?.mean ?? mean;
    out[condition?.name ?? 'original'] = {
      accuracy: scores.map((s) => s.accuracy),
      mean,
      lost_points: 100 * (base - mean),
      ece: scores.map((s) => s.ece ?? NaN),
    };
  }
  process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}

void main();
