/**
 * Writes an evaluation manifest (`person,emotion,role,face,voice`, the format `eval` reads) from a
 * folder of a public dataset as its authors distribute it, so anyone can rebuild the evaluation
 * without ../shared/data:
 *
 *   npm run --silent make-manifest -- ravdess <RAVDESS folder> --out <file.csv>
 *   npm run --silent make-manifest -- yale <Yale faces folder> --out <file.csv>
 *
 * RAVDESS (Livingstone & Russo 2018): audio-only speech files named
 * `Modality-Channel-Emotion-Intensity-Statement-Repetition-Actor.ext` (any folder depth; WAV, Ogg or
 * MP3). Neutral (01), happy (03) and sad (04); repetition 1 calibrates, repetition 2 tests, so each
 * person is scored on recordings they did not calibrate with.
 *
 * Yale Face Database: files named `subjectNN.<condition>[.ext]`; `happy`, `normal` (read as neutral)
 * and `sad`, all `test` rows (it measures the uncalibrated face model). A photo whose bytes equal
 * another row's is left out and named on stderr (the original `subject04.sad` is such a copy).
 *
 * Paths in the manifest are relative to the manifest's own folder, as `eval` expects.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { formatManifest, type ManifestRow } from '../ml/eval/manifest';
import { parseArgs } from './args';

const RAVDESS_EMOTIONS: Readonly<Record<string, string>> = { '01': 'neutral', '03': 'happy', '04': 'sad' };
const RAVDESS_NAME = /^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)\.(wav|ogg|opus|mp3)$/i;
const YALE_EMOTIONS: Readonly<Record<string, string>> = { happy: 'happy', normal: 'neutral', sad: 'sad' };
const YALE_NAME = /^subject(\d+)\.([a-z]+)(\.[a-z0-9]+)?$/i;

/** Every file under `dir`, depth first, in name order (so the manifest is the same on every machine). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** RAVDESS speech rows: audio-only (modality 03), speech (channel 01), the three emotions. */
export function ravdessRows(dir: string, manifestDir: string): ManifestRow[] {
  const rows: ManifestRow[] = [];
  for (const file of filesUnder(dir)) {
    const m = RAVDESS_NAME.exec(path.basename(file));
    if (!m) continue;
    const [, modality, channel, emotionCode, , , repetition, actor] = m;
    const emotion = RAVDESS_EMOTIONS[emotionCode ?? ''];
    if (modality !== '03' || channel !== '01' || !emotion || !actor) continue;
    rows.push({
      person: `ravdess-${actor}`,
      emotion,
      role: repetition === '01' ? 'calibrate' : 'test',
      face: '',
      voice: path.relative(manifestDir, file).split(path.sep).join('/'),
    });
  }
  return rows;
}

/** Yale rows for happy / normal / sad, each photo once (byte-identical copies are left out). */
export function yaleRows(
  dir: string,
  manifestDir: string,
  onDuplicate: (file: string, copyOf: string) => void = () => undefined,
): ManifestRow[] {
  const rows: ManifestRow[] = [];
  const seen = new Map<string, string>();
  for (const file of filesUnder(dir)) {
    const m = YALE_NAME.exec(path.basename(file));
    if (!m) continue;
    const [, subject, condition] = m;
    const emotion = YALE_EMOTIONS[(condition ?? '').toLowerCase()];
    if (!emotion || !subject) continue;
    const hash = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const copyOf = seen.get(hash);
    if (copyOf !== undefined) {
      onDuplicate(file, copyOf);
      continue;
    }
    seen.set(hash, file);
    rows.push({
      person: `yale-${subject.padStart(2, '0')}`,
      emotion,
      role: 'test',
      face: path.relative(manifestDir, file).split(path.sep).join('/'),
      voice: '',
    });
  }
  return rows;
}

function main(): number {
  const { flags, positionals } = parseArgs(process.argv.slice(2), ['out']);
  const [kind, dir] = positionals;
  const out = flags.get('out');
  if ((kind !== 'ravdess' && kind !== 'yale') || !dir || typeof out !== 'string') {
    process.stderr.write('usage: make-manifest ravdess|yale <dataset folder> --out <manifest.csv>\n');
    return 2;
  }
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    process.stderr.write(`make-manifest: ${dir} is not a folder\n`);
    return 2;
  }
  const manifestDir = path.dirname(path.resolve(out));
  const rows =
    kind === 'ravdess'
      ? ravdessRows(path.resolve(dir), manifestDir)
      : yaleRows(path.resolve(dir), manifestDir, (file, copyOf) =>
          process.stderr.write(`left out ${file}: the same bytes as ${copyOf}\n`),
        );
  if (rows.length === 0) {
    process.stderr.write(
      `make-manifest: no ${kind} files found under ${dir} (see the naming in this script's header)\n`,
    );
    return 1;
  }
  fs.writeFileSync(out, formatManifest(rows));
  const people = new Set(rows.map((r) => r.person)).size;
  process.stderr.write(`wrote ${rows.length} rows for ${people} people to ${out}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main();
