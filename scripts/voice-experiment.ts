/**
 * Voice accuracy experiment on RAVDESS 3-class (shared data, never copied into the repo):
 * extract features for every clip (cached in /tmp), then score simple per-person classifiers on
 * both folds (calibrate→test and test→calibrate) for several feature sets.
 *
 *   npx tsx scripts/voice-experiment.ts [--fresh] [--ablate | --sweep | --confusion]
 *
 * --fresh re-extracts features; --ablate drops/keeps one feature group at a time; --sweep varies
 * the regularisation of LDA and logistic regression; --confusion prints confusion counts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { analyzeVoice } from '../src/ml/audio/features';

const CACHE = '/tmp/attune-voice-features.json';
/** The shared data sits beside the project; the test helper cannot be imported outside jest. */
const sharedPath = (...parts: string[]): string => path.resolve(__dirname, '../../shared/data', ...parts);
interface Row {
  person: string;
  emotion: string;
  role: string;
  file: string;
  stats: Record<string, number>;
}

function loadRows(fresh: boolean): Row[] {
  if (!fresh && fs.existsSync(CACHE)) return JSON.parse(fs.readFileSync(CACHE, 'utf8')) as Row[];
  const manifest = sharedPath('ravdess-3class.csv');
  const lines = fs.readFileSync(manifest, 'utf8').trim().split(/\r?\n/).slice(1);
  const rows: Row[] = [];
  const t0 = performance.now();
  for (const line of lines) {
    const [person, emotion, role, , voice] = line.split(',') as [string, string, string, string, string];
    const result = analyzeVoice(new Uint8Array(fs.readFileSync(path.join(path.dirname(manifest), voice))));
    if (!result.ok) throw new Error(`${voice}: ${result.message}`);
    rows.push({ person, emotion, role, file: voice, stats: result.value.stats });
  }
  console.log(`extracted ${rows.length} clips in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  fs.writeFileSync(CACHE, JSON.stringify(rows));
  return rows;
}

type Vec = number[];
type Classifier = (train: Vec[], labels: string[], test: Vec[]) => string[];

/** z-score columns with the training set's mean/std (per person: the person's own calibration). */
function zscore(train: Vec[], test: Vec[]): [Vec[], Vec[]] {
  const d = train[0]!.length;
  const mu = Array.from({ length: d }, (_, j) => train.reduce((s, v) => s + v[j]!, 0) / train.length);
  const sd = Array.from(
    { length: d },
    (_, j) => Math.sqrt(train.reduce((s, v) => s + (v[j]! - mu[j]!) ** 2, 0) / train.length) || 1,
  );
  const f = (v: Vec): Vec => v.map((x, j) => (x - mu[j]!) / sd[j]!);
  return [train.map(f), test.map(f)];
}

function centroids(train: Vec[], labels: string[]): Map<string, Vec> {
  const m = new Map<string, { s: Vec; n: number }>();
  train.forEach((v, i) => {
    const e = m.get(labels[i]!) ?? { s: v.map(() => 0), n: 0 };
    v.forEach((x, j) => (e.s[j]! += x));
    e.n++;
    m.set(labels[i]!, e);
  });
  return new Map([...m].map(([k, e]) => [k, e.s.map((x) => x / e.n)]));
}

const nearestCentroid: Classifier = (train, labels, test) => {
  const [tr, te] = zscore(train, test);
  const c = centroids(tr, labels);
  return te.map((v) => argmin([...c], ([, mu]) => v.reduce((s, x, j) => s + (x - mu[j]!) ** 2, 0)));
};

function argmin(items: Array<[string, Vec]>, score: (t: [string, Vec]) => number): string {
  let best = items[0]![0];
  let bs = Infinity;
  for (const it of items) {
    const s = score(it);
    if (s < bs) {
      bs = s;
      best = it[0];
    }
  }
  return best;
}

/** Shrinkage LDA: pooled within-class covariance shrunk towards its diagonal mean (identity after z-score). */
function shrinkLda(lambda: number): Classifier {
  return (train, labels, test) => {
    const [tr, te] = zscore(train, test);
    const c = centroids(tr, labels);
    const d = tr[0]!.length;
    const cov = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    tr.forEach((v, i) => {
      const mu = c.get(labels[i]!)!;
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) cov[a]![b]! += ((v[a]! - mu[a]!) * (v[b]! - mu[b]!)) / tr.length;
    });
    const tr0 = cov.reduce((s, r, a) => s + r[a]!, 0) / d;
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) cov[a]![b] = (1 - lambda) * cov[a]![b]! + (a === b ? lambda * tr0 : 0);
    const inv = invert(cov);
    return te.map((v) =>
      argmin([...c], ([, mu]) => {
        const diff = v.map((x, j) => x - mu[j]!);
        let s = 0;
        for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) s += diff[a]! * inv[a]![b]! * diff[b]!;
        return s;
      }),
    );
  };
}

function invert(m: number[][]): number[][] {
  const n = m.length;
  const a = m.map((r, i) => [...r, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const pv = a[c]![c]! || 1e-12;
    for (let j = 0; j < 2 * n; j++) a[c]![j]! /= pv;
    for (let r = 0; r < n; r++)
      if (r !== c) {
        const f = a[r]![c]!;
        if (f !== 0) for (let j = 0; j < 2 * n; j++) a[r]![j]! -= f * a[c]![j]!;
      }
  }
  return a.map((r) => r.slice(n));
}

/** Multinomial logistic regression, L2, batch gradient descent. */
function logistic(l2: number): Classifier {
  return (train, labels, test) => {
    const [tr, te] = zscore(train, test);
    const classes = [...new Set(labels)];
    const d = tr[0]!.length;
    const w = classes.map(() => new Array<number>(d + 1).fill(0));
    for (let it = 0; it < 300; it++) {
      const g = classes.map(() => new Array<number>(d + 1).fill(0));
      tr.forEach((v, i) => {
        const z = w.map((wc) => wc[d]! + v.reduce((s, x, j) => s + x * wc[j]!, 0));
        const mx = Math.max(...z);
        const e = z.map((x) => Math.exp(x - mx));
        const se = e.reduce((a, b) => a + b, 0);
        classes.forEach((cl, k) => {
          const err = e[k]! / se - (labels[i] === cl ? 1 : 0);
          for (let j = 0; j < d; j++) g[k]![j]! += err * v[j]!;
          g[k]![d]! += err;
        });
      });
      w.forEach((wc, k) => wc.forEach((x, j) => (wc[j] = x - 0.1 * (g[k]![j]! / tr.length + (j < d ? l2 * x : 0)))));
    }
    return te.map((v) => {
      const z = w.map((wc) => wc[d]! + v.reduce((s, x, j) => s + x * wc[j]!, 0));
      return classes[z.indexOf(Math.max(...z))]!;
    });
  };
}

/** Diagonal LDA: nearest centroid scaled by pooled within-class variance (shrunk towards 1). */
function diagLda(shrink: number): Classifier {
  return (train, labels, test) => {
    const [tr, te] = zscore(train, test);
    const c = centroids(tr, labels);
    const d = tr[0]!.length;
    const v = new Array<number>(d).fill(0);
    tr.forEach((x, i) => {
      const mu = c.get(labels[i]!)!;
      for (let j = 0; j < d; j++) v[j]! += (x[j]! - mu[j]!) ** 2 / tr.length;
    });
    const w = v.map((x) => 1 / ((1 - shrink) * x + shrink));
    return te.map((x) => argmin([...c], ([, mu]) => x.reduce((s, xx, j) => s + w[j]! * (xx - mu[j]!) ** 2, 0)));
  };
}

function knn(k: number): Classifier {
  return (train, labels, test) => {
    const [tr, te] = zscore(train, test);
    return te.map((v) => {
      const ds = tr
        .map((t, i) => [t.reduce((s, x, j) => s + (x - v[j]!) ** 2, 0), i] as const)
        .sort((a, b) => a[0] - b[0])
        .slice(0, k);
      const votes = new Map<string, number>();
      for (const [dd, i] of ds) votes.set(labels[i]!, (votes.get(labels[i]!) ?? 0) + 1 / (1e-6 + dd));
      return [...votes].sort((a, b) => b[1] - a[1])[0]![0];
    });
  };
}

/** Confusion counts "true>predicted" accumulated by {@link evaluate} when given a map. */
export type Confusion = Map<string, number>;

/** Accuracy per fold: per person, train on one role, test on the other. */
export function evaluate(rows: Row[], features: string[], clf: Classifier, confusion?: Confusion): [number, number] {
  const people = [...new Set(rows.map((r) => r.person))];
  const fold = (trainRole: string): number => {
    let correct = 0;
    let total = 0;
    for (const p of people) {
      const tr = rows.filter((r) => r.person === p && r.role === trainRole);
      const te = rows.filter((r) => r.person === p && r.role !== trainRole);
      const pred = clf(
        tr.map((r) => features.map((f) => r.stats[f]!)),
        tr.map((r) => r.emotion),
        te.map((r) => features.map((f) => r.stats[f]!)),
      );
      pred.forEach((e, i) => {
        total++;
        if (e === te[i]!.emotion) correct++;
        const key = `${te[i]!.emotion}>${e}`;
        confusion?.set(key, (confusion.get(key) ?? 0) + 1);
      });
    }
    return correct / total;
  };
  return [fold('calibrate'), fold('test')];
}

function main(): void {
  const rows = loadRows(process.argv.includes('--fresh'));
  const all = Object.keys(rows[0]!.stats);
  const mfcc = all.filter((f) => f.startsWith('mfcc'));
  const pitch = all.filter((f) => f.startsWith('f0_'));
  const level = all.filter((f) => f.startsWith('level_'));
  const spectral = all.filter((f) => /^(centroid|rolloff|flatness|tilt|alpha|hammarberg|ltas)/.test(f));
  const voicing = ['voiced_ratio', 'aperiodicity_mean', 'hnr_db'];
  const rate = ['syllable_rate', 'pause_ratio', 'duration_s'];
  const sets: Record<string, string[]> = {
    baseline_mfcc_meanstd: mfcc.filter((f) => !f.endsWith('dstd')),
    prosody: [...pitch, ...level, ...voicing, ...rate],
    prosody_spectral: [...pitch, ...level, ...voicing, ...rate, ...spectral],
    all,
  };
  const extra = process.env.FEATURES;
  if (extra) sets.custom = extra.split(',');
  const classifiers: Record<string, Classifier> = {
    centroid: nearestCentroid,
    lda_0_5: shrinkLda(0.5),
    lda_0_8: shrinkLda(0.8),
    dlda_0_3: diagLda(0.3),
    logreg: logistic(0.1),
    knn3: knn(3),
  };
  const groups: Record<string, string[]> = {
    mfcc_mean: mfcc.filter((f) => f.endsWith('_mean')),
    mfcc_std: mfcc.filter((f) => f.endsWith('_std')),
    mfcc_dstd: mfcc.filter((f) => f.endsWith('dstd')),
    pitch,
    level,
    spectral,
    voicing,
    rate,
  };
  if (process.argv.includes('--ablate')) {
    for (const [gn, g] of Object.entries(groups)) {
      const without = all.filter((f) => !g.includes(f));
      for (const [cn, clf] of Object.entries({
        centroid: nearestCentroid,
        dlda: diagLda(0.3),
        lda_0_5: shrinkLda(0.5),
      })) {
        const [a, b] = evaluate(rows, without, clf);
        const [ga, gb] = evaluate(rows, g, clf);
        console.log(
          `without ${gn.padEnd(10)} ${cn.padEnd(8)} ${((a + b) / 2).toFixed(3)} (${a.toFixed(3)}/${b.toFixed(3)})   only: ${((ga + gb) / 2).toFixed(3)}`,
        );
      }
    }
    return;
  }
  if (process.argv.includes('--sweep')) {
    for (const lambda of [0.1, 0.2, 0.3, 0.5, 0.7, 0.9]) {
      const [a, b] = evaluate(rows, all, shrinkLda(lambda));
      console.log(`all lda λ=${lambda} fold1 ${a.toFixed(3)} fold2 ${b.toFixed(3)} mean ${((a + b) / 2).toFixed(3)}`);
    }
    for (const l2 of [0.01, 0.03, 0.1, 0.3, 1]) {
      const [a, b] = evaluate(rows, all, logistic(l2));
      console.log(`all logreg l2=${l2} fold1 ${a.toFixed(3)} fold2 ${b.toFixed(3)} mean ${((a + b) / 2).toFixed(3)}`);
    }
    return;
  }
  if (process.argv.includes('--confusion')) {
    for (const [cn, clf] of Object.entries({
      centroid: nearestCentroid,
      lda_0_5: shrinkLda(0.5),
      logreg: logistic(0.1),
    })) {
      const conf: Confusion = new Map();
      evaluate(rows, all, clf, conf);
      console.log(
        cn,
        [...conf]
          .sort()
          .map(([k, v]) => `${k}:${v}`)
          .join(' '),
      );
    }
    return;
  }
  for (const [sn, fs2] of Object.entries(sets)) {
    for (const [cn, clf] of Object.entries(classifiers)) {
      const [a, b] = evaluate(rows, fs2, clf);
      console.log(
        `${sn.padEnd(22)} ${cn.padEnd(9)} n=${String(fs2.length).padEnd(3)} fold1 ${a.toFixed(3)} fold2 ${b.toFixed(3)} mean ${((a + b) / 2).toFixed(3)}`,
      );
    }
  }
}

if (require.main === module) main();
