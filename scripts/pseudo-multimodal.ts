/**
 * Writes a multimodal evaluation manifest to stdout by pairing people from the two shared sets:
 * RAVDESS actor k's voice with Yale subject k's face (subject04, which has no sad photo, is skipped).
 * Calibration rows are voice clips only (Yale has one photo per emotion, all kept for testing); test
 * rows pair each held-out clip with that subject's photo of the same emotion. It measures what fusion
 * does with a calibrated voice and the generic face — an approximation (the face and the voice are
 * not the same person), for orientation only.
 *
 *   npx tsx scripts/pseudo-multimodal.ts > /tmp/pseudo.csv && npm run --silent eval -- --root ../shared/data /tmp/pseudo.csv
 *
 * --duplicate-photos adds calibration photos, each sent twice, as people do: the first two calibration
 * clips of each emotion carry one photo of that emotion. Yale has a single happy and a single sad photo
 * per subject, all kept for testing, so the calibration photos come from the next subject in the list:
 * photos that, like the failing case, do not resemble the test photos. It checks that copies
 * cannot make cross-validation trust the face (fused must stay at or above the better single signal).
 *
 * (The manifest names files in ../shared/data by absolute path; eval reads only files inside the
 * manifest's folder unless --root names another.)
 */
import path from 'node:path';
import { formatManifest, readManifest, type ManifestRow } from '../src/ml/eval/manifest';
import { SHARED_DATA } from '../test/helpers/dataDir';

const DATA = SHARED_DATA;
const swap = process.argv.includes('--swap-roles');
const duplicatePhotos = process.argv.includes('--duplicate-photos');
const voice = readManifest(path.join(DATA, 'ravdess-3class.csv'));
const faces = readManifest(path.join(DATA, 'yale-faces.csv'));
const subjects = [...new Set(faces.map((r) => r.person))].filter((p) => p !== 'yale-04');
const actors = [...new Set(voice.map((r) => r.person))];

const rows: ManifestRow[] = [];
actors.forEach((actor, k) => {
  const subject = subjects[k];
  const other = subjects[(k + 1) % subjects.length];
  const photosSent = new Map<string, number>();
  for (const row of voice.filter((r) => r.person === actor)) {
    const role = (row.role === 'calibrate') !== swap ? 'calibrate' : 'test';
    let face =
      role === 'test' ? (faces.find((f) => f.person === subject && f.emotion === row.emotion)?.face ?? '') : '';
    if (role === 'calibrate' && duplicatePhotos && (photosSent.get(row.emotion) ?? 0) < 2) {
      photosSent.set(row.emotion, (photosSent.get(row.emotion) ?? 0) + 1);
      face = faces.find((f) => f.person === other && f.emotion === row.emotion)?.face ?? '';
    }
    rows.push({ person: `${actor}+${subject}`, emotion: row.emotion, role, face, voice: row.voice });
  }
});
process.stdout.write(formatManifest(rows));
