/**
 * npm run --silent eval -- [--json] [--swap-roles] [--root DIR] MANIFEST.csv
 *
 * Calibrates each person of a manifest from their `calibrate` rows and scores their `test` rows.
 * With --json, stdout carries exactly one JSON document; progress and logs go to stderr.
 * Sample files must lie inside the manifest's folder (or --root): a row naming a file outside it, a
 * missing file, a folder, a device or FIFO, or a file over the bot's size limits is counted as
 * unreadable with its reason, and the run goes on.
 */
import path from 'node:path';
import { evaluateManifest, formatReport } from '../ml/eval/evaluate';
import { readManifest } from '../ml/eval/manifest';
import { EVAL_MAX_AUDIO_BYTES, EVAL_MAX_IMAGE_BYTES, readSampleFile } from '../ml/eval/sampleFile';
import { analyzeVoiceAsync } from '../ml/audio/features';
import { analyzeFace } from '../ml/face';
import { genericFaceProbabilities } from '../ml/face/generic';
import { initTf } from '../ml/tf';
import { parseArgs } from './args';

async function main(): Promise<number> {
  const usage = 'usage: npm run --silent eval -- [--json] [--swap-roles] [--root DIR] MANIFEST.csv\n';
  let parsed;
  try {
    parsed = parseArgs(process.argv.slice(2), ['root']);
  } catch (err) {
    process.stderr.write(`eval: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  const { flags, positionals } = parsed;
  const [manifest] = positionals;
  if (positionals.length !== 1 || !manifest || flags.has('help') || flags.get('root') === true) {
    process.stderr.write(usage);
    return 2;
  }
  const root = path.resolve(String(flags.get('root') ?? path.dirname(path.resolve(manifest))));
  let rows;
  try {
    rows = readManifest(manifest);
  } catch (err) {
    process.stderr.write(`eval: cannot read ${manifest}: ${(err as Error).message}\n`);
    return 2;
  }
  if (flags.has('swap-roles'))
    rows = rows.map((r) => ({ ...r, role: r.role === 'test' ? ('calibrate' as const) : ('test' as const) }));

  const started = Date.now();
  if (rows.some((r) => r.face)) await initTf();
  // A clip's parts are training data: measured for the clips that calibrate, not for those only read.
  const calibrating = new Set(rows.filter((r) => r.role === 'calibrate').map((r) => r.voice));
  const report = await evaluateManifest(
    rows,
    {
      face: async (file) => {
        const bytes = await readSampleFile(file, root, EVAL_MAX_IMAGE_BYTES);
        return bytes.ok ? analyzeFace(bytes.value, { maxBytes: EVAL_MAX_IMAGE_BYTES }) : bytes;
      },
      voice: async (file) => {
        const bytes = await readSampleFile(file, root, EVAL_MAX_AUDIO_BYTES);
        return bytes.ok
          ? analyzeVoiceAsync(bytes.value, { maxBytes: EVAL_MAX_AUDIO_BYTES, crops: calibrating.has(file) })
          : bytes;
      },
    },
    genericFaceProbabilities,
    (msg) => process.stderr.write(`${msg}\n`),
  );
  process.stderr.write(`evaluated ${rows.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (flags.has('json')) {
    const { unreadable, unreadableByReason, ...rest } = report;
    process.stdout.write(
      `${JSON.stringify({ ...rest, unreadable: unreadable.length, unreadable_by_reason: unreadableByReason })}\n`,
    );
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
