import {
  DEFAULT_EMOTIONS,
  type ConfusionMatrix,
  type FaceFeatures,
  type LabelledSample,
  type PersonModel,
  type Result,
  type SignalReading,
  type VoiceFeatures,
} from '../types';
import { type GenericFaceModel, predictWithModel, trainPersonModel } from '../model';
import type { ManifestRow } from './manifest';
import type { Unreadable, UnreadableReason } from './sampleFile';

/**
 * Reads features from a sample's files; injected so the evaluation logic is testable without models.
 * A file that cannot be read is an {@link Unreadable} with its reason (a throw is caught as one too).
 */
export interface Extractors {
  face(file: string): Promise<Result<FaceFeatures> | Unreadable>;
  voice(file: string): Promise<Result<VoiceFeatures> | Unreadable>;
}

export interface Score {
  accuracy: number;
  n: number;
  /**
   * Expected calibration error of the stated confidence: over 10 equal-width confidence bins, the
   * sample-weighted gap between mean confidence and accuracy. Unreadable samples are left out of it.
   */
  ece?: number;
}

const ECE_BINS = 10;

/** Expected calibration error of (confidence, correct) pairs over {@link ECE_BINS} equal-width bins. */
export function expectedCalibrationError(readings: readonly { confidence: number; correct: boolean }[]): number {
  if (readings.length === 0) return 0;
  const conf = new Array<number>(ECE_BINS).fill(0);
  const hits = new Array<number>(ECE_BINS).fill(0);
  const count = new Array<number>(ECE_BINS).fill(0);
  for (const r of readings) {
    const b = Math.min(ECE_BINS - 1, Math.floor(r.confidence * ECE_BINS));
    conf[b]! += r.confidence;
    hits[b]! += r.correct ? 1 : 0;
    count[b]!++;
  }
  let ece = 0;
  for (let b = 0; b < ECE_BINS; b++) if (count[b]) ece += Math.abs(conf[b]! - hits[b]!) / readings.length;
  return ece;
}

export interface PersonScore {
  person: string;
  calibrated: boolean;
  voice: Score | null;
  face: Score | null;
  fused: Score | null;
}

export interface EvalReport {
  voice: Score | null;
  face: Score | null;
  fused: Score | null;
  people: PersonScore[];
  confusion: { voice: ConfusionMatrix | null; face: ConfusionMatrix | null; fused: ConfusionMatrix | null };
  /** Samples whose features could not be read (counted as wrong when they are test rows). */
  unreadable: { file: string; code: UnreadableReason; message: string }[];
  /** How many samples could not be read, by reason (`missing`, `outside_manifest_folder`, `corrupt`, ...). */
  unreadableByReason: Partial<Record<UnreadableReason, number>>;
}

type SignalKey = 'voice' | 'face' | 'fused';

/** The emotion set of a manifest: the default three first (in their order), then any others sorted. */
export function manifestEmotions(rows: readonly ManifestRow[]): string[] {
  const present = new Set(rows.map((r) => r.emotion));
  return [
    ...DEFAULT_EMOTIONS.filter((e) => present.has(e)),
    ...[...present].filter((e) => !DEFAULT_EMOTIONS.includes(e)).sort(),
  ];
}

class Tally {
  hits = 0;
  n = 0;
  readonly readings: { confidence: number; correct: boolean }[] = [];
  constructor(readonly confusion: ConfusionMatrix) {}
  add(truth: string, predicted: string | null, confidence?: number): void {
    this.n++;
    if (predicted === truth) this.hits++;
    if (confidence !== undefined) this.readings.push({ confidence, correct: predicted === truth });
    const i = this.confusion.labels.indexOf(truth);
    const j = predicted === null ? -1 : this.confusion.labels.indexOf(predicted);
    if (i >= 0 && j >= 0) this.confusion.counts[i]![j]!++;
  }
  score(): Score | null {
    return this.n
      ? {
          accuracy: this.hits / this.n,
          n: this.n,
          ...(this.readings.length ? { ece: expectedCalibrationError(this.readings) } : {}),
        }
      : null;
  }
}

/**
 * Calibrates each person from their `calibrate` rows and scores their `test` rows: voice rows with the
 * voice model alone, face rows with the face model alone, rows with both fused. Top class, no abstention;
 * an unreadable test sample counts as wrong.
 */
export async function evaluateManifest(
  rows: readonly ManifestRow[],
  extract: Extractors,
  generic: GenericFaceModel,
  log: (msg: string) => void = () => {},
): Promise<EvalReport> {
  const emotions = manifestEmotions(rows);
  const newMatrix = (): ConfusionMatrix => ({ labels: emotions, counts: emotions.map(() => emotions.map(() => 0)) });
  const total: Record<SignalKey, Tally> = {
    voice: new Tally(newMatrix()),
    face: new Tally(newMatrix()),
    fused: new Tally(newMatrix()),
  };
  const unreadable: EvalReport['unreadable'] = [];
  const people: PersonScore[] = [];

  const attempt = async <T>(
    file: string,
    run: (file: string) => Promise<Result<T> | Unreadable>,
  ): Promise<T | undefined> => {
    let r: Result<T> | Unreadable;
    try {
      r = await run(file);
    } catch (error) {
      // One bad row must not end the run: whatever an extractor throws counts against that sample.
      r = { ok: false, code: 'read_error', message: `${file}: ${(error as Error).message}` };
    }
    if (r.ok) return r.value;
    unreadable.push({ file, code: r.code, message: r.message });
    return undefined;
  };
  const read = async (row: ManifestRow) => ({
    face: row.face ? await attempt(row.face, (f) => extract.face(f)) : undefined,
    voice: row.voice ? await attempt(row.voice, (f) => extract.voice(f)) : undefined,
  });

  const byPerson = new Map<string, ManifestRow[]>();
  for (const r of rows) byPerson.set(r.person, [...(byPerson.get(r.person) ?? []), r]);

  for (const [person, personRows] of byPerson) {
    const samples: LabelledSample[] = [];
    for (const row of personRows.filter((r) => r.role === 'calibrate')) {
      const f = await read(row);
      if (f.face || f.voice) samples.push({ emotion: row.emotion, face: f.face, voice: f.voice });
    }
    let model: PersonModel | null = null;
    if (samples.length) {
      const trained = trainPersonModel(samples, emotions, generic);
      if (trained.ok) model = trained.value;
      else log(`${person}: not calibrated (${trained.message})`);
    }
    const mine: Record<SignalKey, Tally> = {
      voice: new Tally(newMatrix()),
      face: new Tally(newMatrix()),
      fused: new Tally(newMatrix()),
    };
    const add = (key: SignalKey, truth: string, reading: SignalReading | undefined) => {
      total[key].add(truth, reading?.emotion ?? null, reading?.confidence);
      mine[key].add(truth, reading?.emotion ?? null, reading?.confidence);
    };
    for (const row of personRows.filter((r) => r.role === 'test')) {
      const f = await read(row);
      // No reading (unreadable sample, or a voice without a personal voice model) counts as wrong.
      if (row.voice)
        add(
          'voice',
          row.emotion,
          f.voice ? predictWithModel(model, { voice: f.voice }, generic, emotions).voice : undefined,
        );
      if (row.face)
        add(
          'face',
          row.emotion,
          f.face ? predictWithModel(model, { face: f.face }, generic, emotions).face : undefined,
        );
      if (row.face && row.voice) {
        const p = predictWithModel(model, { face: f.face, voice: f.voice }, generic, emotions);
        add('fused', row.emotion, Object.keys(p.weights).length ? p.fused : undefined);
      }
    }
    people.push({
      person,
      calibrated: model !== null,
      voice: mine.voice.score(),
      face: mine.face.score(),
      fused: mine.fused.score(),
    });
    log(
      `${person}: ${model ? 'calibrated' : 'generic'}; voice ${fmt(mine.voice.score())}, face ${fmt(mine.face.score())}, fused ${fmt(mine.fused.score())}`,
    );
  }

  const confusionOf = (key: SignalKey) => (total[key].n ? total[key].confusion : null);
  return {
    voice: total.voice.score(),
    face: total.face.score(),
    fused: total.fused.score(),
    people,
    confusion: { voice: confusionOf('voice'), face: confusionOf('face'), fused: confusionOf('fused') },
    unreadable,
    unreadableByReason: countByReason(unreadable),
  };
}

function countByReason(list: EvalReport['unreadable']): EvalReport['unreadableByReason'] {
  const counts: EvalReport['unreadableByReason'] = {};
  for (const u of list) counts[u.code] = (counts[u.code] ?? 0) + 1;
  return counts;
}

function fmt(s: Score | null): string {
  return s ? `${s.accuracy.toFixed(3)} (n=${s.n}${s.ece !== undefined ? `, ece ${s.ece.toFixed(3)}` : ''})` : '—';
}

/** A readable report with confusion matrices, for people rather than tools. */
export function formatReport(r: EvalReport): string {
  const lines: string[] = [];
  lines.push(`voice  ${fmt(r.voice)}`, `face   ${fmt(r.face)}`, `fused  ${fmt(r.fused)}`, '');
  lines.push('per person:');
  for (const p of r.people)
    lines.push(
      `  ${p.person.padEnd(14)} ${p.calibrated ? 'calibrated' : 'generic   '}  voice ${fmt(p.voice).padEnd(14)} face ${fmt(p.face).padEnd(14)} fused ${fmt(p.fused)}`,
    );
  for (const key of ['voice', 'face', 'fused'] as const) {
    const m = r.confusion[key];
    if (!m) continue;
    lines.push('', `${key} confusion (rows: true, columns: predicted)`);
    const w = Math.max(8, ...m.labels.map((l) => l.length + 1));
    lines.push(''.padEnd(w) + m.labels.map((l) => l.padStart(w)).join(''));
    m.labels.forEach((l, i) =>
      lines.push(l.padEnd(w) + (m.counts[i] ?? []).map((c) => String(c).padStart(w)).join('')),
    );
  }
  if (r.unreadable.length) {
    const reasons = Object.entries(r.unreadableByReason).map(([reason, n]) => `${reason} ${n}`);
    lines.push(
      '',
      `unreadable samples: ${r.unreadable.length} (${reasons.join(', ')}; test samples among them count as wrong)`,
    );
    for (const u of r.unreadable.slice(0, 20)) lines.push(`  ${u.code}: ${u.message}`);
    if (r.unreadable.length > 20) lines.push(`  ... and ${r.unreadable.length - 20} more`);
  }
  return lines.join('\n');
}
