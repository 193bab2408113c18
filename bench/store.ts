/**
 * Store benchmark: times the calls the bot makes on its hot paths against a database already holding
 * many people, on SQLite and on PostgreSQL. Run: `npx tsx bench/store.ts [people] [--json]
 * [--database-url URL]` (default 200 people x 60 samples; without a URL a temporary local PostgreSQL is
 * started). The data is synthetic (shaped like real features) and is removed afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FaceFeatures, PersonModel, VoiceFeatures } from '../src/ml/types';
import { startTempPostgres } from '../src/storage/testing/tempPostgres';
import { openStore, type AttuneStore, type NewSample } from '../src/storage';

/** Timing results, milliseconds unless the name says otherwise. */
export interface StoreBenchmark {
  backend: 'sqlite' | 'postgres';
  people: number;
  samplesPerPerson: number;
  /** One calibration sample (features sealed, consent checked), as the bot writes it. */
  calibrationWriteP50Ms: number;
  calibrationWriteP95Ms: number;
  /** 60 samples and the model in one transaction (a whole calibration at once). */
  calibrationBatch60PlusModelMs: number;
  loadModelP50Ms: number;
  loadModelP95Ms: number;
  loadModelP99Ms: number;
  countSamplesP50Ms: number;
  describePersonP50Ms: number;
  forgetPersonP50Ms: number;
  modelJsonBytes: number;
}

function face(seed: number): FaceFeatures {
  return {
    faceCount: 1,
    box: { x: seed % 50, y: 20, width: 120, height: 130 },
    score: 0.93,
    expressions: { neutral: 0.2, happy: 0.5, sad: 0.1, angry: 0.05, fearful: 0.05, disgusted: 0.05, surprised: 0.05 },
    landmarks: Array.from({ length: 136 }, (_, i) => Math.abs(Math.sin(seed + i))),
    descriptor: Array.from({ length: 128 }, (_, i) => Math.cos(seed * i) / 4),
    geometry: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`g${i}`, Math.sin(seed + i)])),
  };
}

function voice(seed: number): VoiceFeatures {
  return {
    durationSec: 2 + (seed % 3),
    stats: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`s${i}`, Math.sin(seed * i)])),
  };
}

/** A model about the size a per-person classifier over ~300 features and 3 classes serialises to. */
function model(seed: number): PersonModel {
  const weights = (n: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(seed + i));
  return {
    version: 1,
    emotions: ['happy', 'neutral', 'sad'],
    createdAt: new Date(0).toISOString(),
    face: { mean: weights(300), scale: weights(300), weights: [weights(300), weights(300), weights(300)] },
    voice: { mean: weights(60), scale: weights(60), weights: [weights(60), weights(60), weights(60)] },
    fusion: { face: 0.6, voice: 0.4 },
    report: {
      face: { accuracy: 0.8, n: 30 },
      voice: { accuracy: 0.7, n: 30 },
      fused: { accuracy: 0.85, n: 30 },
      confusion: {
        labels: ['happy', 'neutral', 'sad'],
        counts: [
          [9, 1, 0],
          [1, 8, 1],
          [0, 2, 8],
        ],
      },
      counts: { happy: { face: 10, voice: 10 }, neutral: { face: 10, voice: 10 }, sad: { face: 10, voice: 10 } },
    },
  };
}

/** The benchmark's p-th person. */
function personIdOf(p: number): string {
  return String(100000000000000000n + BigInt(p));
}

function calibrationSamples(personId: string, seed: number): NewSample[] {
  const emotions = ['happy', 'neutral', 'sad'] as const;
  return Array.from({ length: 60 }, (_, i): NewSample => {
    const emotion = emotions[i % 3]!;
    return i % 2
      ? { personId, emotion, signal: 'face', features: face(seed + i), metadata: { source: 'attachment' } }
      : {
          personId,
          emotion,
          signal: 'voice',
          features: voice(seed + i),
          metadata: { source: 'voice_channel', durationSec: 3 },
        };
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** Times `fn` `n` times; returns sorted durations in milliseconds. */
async function timeMs(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out.sort((a, b) => a - b);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Fills a database with `people` calibrated people and times the hot-path calls. */
export async function runStoreBenchmark(
  store: AttuneStore,
  backend: StoreBenchmark['backend'],
  people = 200,
): Promise<StoreBenchmark> {
  let batchMs = 0;
  for (let p = 0; p < people; p++) {
    await store.grantConsent(personIdOf(p), { textVersion: 'v1', scope: ['face', 'voice'] });
    const t = performance.now();
    await store.transaction(async (tx) => {
      await tx.addSamples(calibrationSamples(personIdOf(p), p));
      await tx.saveModel(personIdOf(p), model(p));
    });
    batchMs += performance.now() - t;
  }
  const single = await timeMs(300, (i) =>
    store.addSample(
      i % 2
        ? {
            personId: personIdOf(i % people),
            emotion: 'happy',
            signal: 'face',
            features: face(i),
            metadata: { source: 'attachment' },
          }
        : {
            personId: personIdOf(i % people),
            emotion: 'happy',
            signal: 'voice',
            features: voice(i),
            metadata: { source: 'voice_message' },
          },
    ),
  );
  const load = await timeMs(2000, (i) => store.loadModel(personIdOf((i * 7919) % people)));
  const count = await timeMs(1000, (i) => store.countSamples(personIdOf((i * 7919) % people)));
  const describe = await timeMs(300, (i) => store.describePerson(personIdOf((i * 7919) % people)));
  const forget = await timeMs(10, (i) => store.forgetPerson(personIdOf(i)));
  return {
    backend,
    people,
    samplesPerPerson: 60,
    calibrationWriteP50Ms: round(percentile(single, 0.5)),
    calibrationWriteP95Ms: round(percentile(single, 0.95)),
    calibrationBatch60PlusModelMs: round(batchMs / people),
    loadModelP50Ms: round(percentile(load, 0.5)),
    loadModelP95Ms: round(percentile(load, 0.95)),
    loadModelP99Ms: round(percentile(load, 0.99)),
    countSamplesP50Ms: round(percentile(count, 0.5)),
    describePersonP50Ms: round(percentile(describe, 0.5)),
    forgetPersonP50Ms: round(percentile(forget, 0.5)),
    modelJsonBytes: Buffer.byteLength(JSON.stringify(model(0))),
  };
}

/**
 * Both backends: SQLite in a temp folder, and PostgreSQL at `databaseUrl` or, without one, a temporary
 * local server (durable settings: fsync on) that is removed afterwards.
 */
async function runBothBenchmarks(people: number, databaseUrl?: string): Promise<StoreBenchmark[]> {
  const results: StoreBenchmark[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-store-bench-'));
  try {
    const sqlite = await openStore({ dataDir: dir });
    try {
      results.push(await runStoreBenchmark(sqlite, 'sqlite', people));
    } finally {
      await sqlite.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const temp = databaseUrl ? null : await startTempPostgres({ durable: true });
  try {
    const url = databaseUrl ?? (await temp!.createDatabase('attune_bench'));
    const postgres = await openStore({ databaseUrl: url, masterKey: randomBytes(32) });
    try {
      results.push(await runStoreBenchmark(postgres, 'postgres', people));
    } finally {
      await postgres.close();
    }
  } finally {
    await temp?.stop();
  }
  return results;
}

if (require.main === module) {
  // Usage: npx tsx bench/store.ts [people] [--json] [--database-url URL]
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const urlAt = args.indexOf('--database-url');
  const databaseUrl = urlAt >= 0 ? args[urlAt + 1] : undefined;
  const people = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--database-url') ?? 200);
  runBothBenchmarks(Number.isFinite(people) && people > 10 ? people : 200, databaseUrl).then(
    (results) => {
      if (json) return void process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
      for (const r of results) {
        console.log(`-- ${r.backend}`);
        for (const [name, value] of Object.entries(r))
          if (name !== 'backend') console.log(`${name.padEnd(32)} ${value}`);
      }
    },
    (error) => {
      process.stderr.write(`Store benchmark failed: ${(error as Error).message}\n`);
      process.exit(1);
    },
  );
}
