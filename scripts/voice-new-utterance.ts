/**
 * Voice accuracy and confidence on utterances the person's model never heard. In
 * ravdess-3class.csv every test clip is the second take of a calibration clip (same actor, sentence,
 * emotion and intensity), so `eval` measures recognising a repeated take. Here each calibration clip
 * in turn is left out of the calibration and its second take is read: a sentence-and-intensity the
 * model has not heard from that person, as an /ask clip is (calibration rotates through prompted
 * sentences; questions are free speech). Both role directions. Twins are found by the RAVDESS file
 * name (modality-channel-emotion-intensity-statement-repetition-actor, repetition left out).
 *
 *   npx tsx scripts/voice-new-utterance.ts [MANIFEST.csv]     (default ../shared/data/ravdess-3class.csv)
 *
 * Prints one JSON document: per direction, the repeated-take figures (as eval) and the new-utterance
 * ones (accuracy, mean stated confidence, ece, n, and how many clips were left without a model because
 * leaving them out left an emotion one clip).
 */
import fs from 'node:fs';
import path from 'node:path';
import { analyzeVoice } from '../src/ml/audio/features';
import { expectedCalibrationError } from '../src/ml/eval/evaluate';
import { type ManifestRow, readManifest } from '../src/ml/eval/manifest';
import { predictWithModel, trainPersonModel } from '../src/ml/model';
import type { VoiceFeatures } from '../src/ml/types';

const manifest = process.argv[2] ?? path.resolve(__dirname, '../../shared/data/ravdess-3class.csv');
const rows = readManifest(manifest).filter((r) => r.voice);
const emotions = [...new Set(rows.map((r) => r.emotion))];
const features = new Map<string, VoiceFeatures>();
for (const r of rows) {
  const v = analyzeVoice(new Uint8Array(fs.readFileSync(r.voice!)), { crops: true });
  if (!v.ok) throw new Error(`${r.voice}: ${v.message}`);
  features.set(r.voice!, v.value);
}
const takeOf = (file: string): string =>
  path
    .basename(file, path.extname(file))
    .split('-')
    .filter((_, i) => i !== 5)
    .join('-');

interface Reading {
  confidence: number;
  correct: boolean;
}

function score(readings: Reading[]) {
  const n = readings.length;
  return {
    accuracy: readings.filter((r) => r.correct).length / Math.max(1, n),
    mean_confidence: readings.reduce((s, r) => s + r.confidence, 0) / Math.max(1, n),
    ece: expectedCalibrationError(readings),
    n,
  };
}

/** The voice reading of `clip` by a model calibrated on `calibration`, or null when none can be trained. */
function read(calibration: ManifestRow[], clip: ManifestRow): Reading | null {
  const model = trainPersonModel(
    calibration.map((r) => ({ emotion: r.emotion, voice: features.get(r.voice!) })),
    emotions,
    () => ({}),
  );
  const voice = model.ok
    ? predictWithModel(model.value, { voice: features.get(clip.voice!) }, () => ({}), emotions).voice
    : undefined;
  return voice ? { confidence: voice.confidence, correct: voice.emotion === clip.emotion } : null;
}

const out: Record<
  string,
  { repeated_take: ReturnType<typeof score>; new_utterance: ReturnType<typeof score> & { untrainable: number } }
> = {};
for (const swap of [false, true]) {
  const repeated: Reading[] = [];
  const unheard: Reading[] = [];
  // Leaving out a person's one clip of an emotion with two leaves too few to calibrate that emotion
  // (two per emotion is the minimum): such a clip has no reading, and is counted apart.
  let untrainable = 0;
  for (const person of new Set(rows.map((r) => r.person))) {
    const mine = rows.filter((r) => r.person === person);
    const calibration = mine.filter((r) => (r.role === 'calibrate') !== swap);
    const test = mine.filter((r) => (r.role === 'calibrate') === swap);
    for (const clip of test) {
      const r = read(calibration, clip);
      if (!r) throw new Error(`${person}: the calibration clips cannot train a voice model`);
      repeated.push(r);
    }
    for (const left of calibration) {
      const twin = test.find((t) => takeOf(t.voice!) === takeOf(left.voice!));
      if (!twin) continue;
      const r = read(
        calibration.filter((c) => c !== left),
        twin,
      );
      if (r) unheard.push(r);
      else untrainable++;
    }
  }
  out[swap ? 'swapped' : 'as_given'] = {
    repeated_take: score(repeated),
    new_utterance: { ...score(unheard), untrainable },
  };
}
process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
