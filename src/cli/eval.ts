/**
 * npm run --silent eval -- [--json] [--swap-roles] MANIFEST.csv
 *
 * Calibrates each person of a manifest from their `calibrate` rows and scores their `test` rows.
 * With --json, stdout carries exactly one JSON document; progress and logs go to stderr.
 */
import fs from 'node:fs/promises';
import { evaluateManifest, formatReport } from '../ml/eval/evaluate';
import { readManifest } from '../ml/eval/manifest';
import { analyzeVoiceAsync } from '../ml/audio/features';
import { analyzeFace } from '../ml/face';
import { genericFaceProbabilities } from '../ml/face/generic';
import { initTf } from '../ml/tf';
import { parseArgs } from './args';

async function main(): Promise<number> {
  const { flags, positionals } = parseArgs(process.argv.slice(2));
  if (positionals.length !== 1 || flags.has('help')) {
    process.stderr.write('usage: npm run --silent eval -- [--json] [--swap-roles] MANIFEST.csv\n');
    return 2;
  }
  let rows;
  try {
    rows = readManifest(positionals[0]);
  } catch (err) {
    process.stderr.write(`eval: cannot read ${positionals[0]}: ${(err as Error).message}\n`);
    return 2;
  }
  if (flags.has('swap-roles')) rows = rows.map((r) => ({ ...r, role: r.role === 'test' ? ('calibrate' as const) : ('test' as const) }));

  const started = Date.now();
  if (rows.some((r) => r.face)) await initTf();
  const report = await evaluateManifest(
    rows,
    {
      face: async (file) => analyzeFace(new Uint8Array(await fs.readFile(file))),
      voice: async (file) => analyzeVoiceAsync(new Uint8Array(await fs.readFile(file))),
    },
    genericFaceProbabilities,
    (msg) => process.stderr.write(`${msg}\n`),
  );
  process.stderr.write(`evaluated ${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (flags.has('json')) {
    const { unreadable, ...rest } = report;
    process.stdout.write(`${JSON.stringify({ ...rest, unreadable: unreadable.length })}\n`);
  } else process.stdout.write(`${formatReport(report)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`eval failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
