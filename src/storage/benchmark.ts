/**
 * Store benchmark: times the calls the bot makes on its hot paths against a database already holding
 * many people. Run: `npx tsx src/storage/benchmark.ts [people]` (default 200 people x 60 samples).
 * The data is synthetic (shaped like real features) and lives in a temp folder removed afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FaceFeatures, PersonModel, VoiceFeatures } from '../ml/types';
import { openStore } from './openStore';
import type { NewSample } from './types';

/** Timing results, milliseconds unless the name says otherwise. */
export interface StoreBenchmark {
  people: number;
  samplesPerPerson: number;
  dbBytes: number;
  calibrationWrite60SamplesPlusModelMs: number;
  singleSampleWriteMs: number;
  loadModelP50Us: number;
  loadModelP99Us: number;
  countSamplesP50Us: number;
  describePersonP50Us: number;
  forgetPersonMs: number;
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
  return { durationSec: 2 + (seed % 3), stats: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`s${i}`, Math.sin(seed * i)])) };
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
      confusion: { labels: ['happy', 'neutral', 'sad'], counts: [[9, 1, 0], [1, 8, 1], [0, 2, 8]] },
      counts: { happy: { face: 10, voice: 10 }, neutral: { face: 10, voice: 10 }, sad: { face: 10, voice: 10 } },
    },
  };
}

function calibrationSamples(personId: string, seed: number): NewSample[] {
  const emotions = ['happy', 'neutral', 'sad'];
  return Array.from({ length: 60 }, (_, i): NewSample => {
    const emotion = emotions[i % 3];
    return i % 2
      ? { personId, emotion, signal: 'face', features: face(seed + i), metadata: { source: 'attachment' } }
      : { personId, emotion, signal: 'voice', features: voice(seed + i), metadata: { source: 'voice_channel', durationSec: 3 } };
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** Times `fn` `n` times; returns sorted durations in microseconds. */
function timeUs(n: number, fn: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn(i);
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out.sort((a, b) => a - b);
}

/** Fills a temp database with `people` calibrated people and times the hot-path calls. */
export function runStoreBenchmark(people = 200): StoreBenchmark {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-store-bench-'));
  const store = openStore({ dataDir: dir });
  try {
    let calibrationMs = 0;
    for (let p = 0; p < people; p++) {
      const id = String(100000000000000000n + BigInt(p));
      store.grantConsent(id, { textVersion: 'v1', scope: ['face', 'voice'] });
      const t = performance.now();
      store.transaction((tx) => {
        tx.addSamples(calibrationSamples(id, p));
        tx.saveModel(id, model(p));
      });
      calibrationMs += performance.now() - t;
    }
    const ids = Array.from({ length: people }, (_, p) => String(100000000000000000n + BigInt(p)));
    const single = timeUs(50, (i) => store.addSample({ personId: ids[i % people], emotion: 'happy', signal: 'voice', features: voice(i), metadata: { source: 'voice_message' } }));
    const load = timeUs(2000, (i) => store.loadModel(ids[(i * 7919) % people]));
    const count = timeUs(2000, (i) => store.countSamples(ids[(i * 7919) % people]));
    const describe = timeUs(500, (i) => store.describePerson(ids[(i * 7919) % people]));
    const forget = timeUs(10, (i) => store.forgetPerson(ids[i]));
    const dbBytes = fs.statSync(path.join(dir, 'attune.sqlite')).size;
    return {
      people,
      samplesPerPerson: 60,
      dbBytes,
      calibrationWrite60SamplesPlusModelMs: calibrationMs / people,
      singleSampleWriteMs: percentile(single, 0.5) / 1000,
      loadModelP50Us: percentile(load, 0.5),
      loadModelP99Us: percentile(load, 0.99),
      countSamplesP50Us: percentile(count, 0.5),
      describePersonP50Us: percentile(describe, 0.5),
      forgetPersonMs: percentile(forget, 0.5) / 1000,
      modelJsonBytes: Buffer.byteLength(JSON.stringify(model(0))),
    };
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const people = Number(process.argv[2] ?? 200);
  const result = runStoreBenchmark(Number.isFinite(people) && people > 10 ? people : 200);
  for (const [name, value] of Object.entries(result)) console.log(`${name.padEnd(40)} ${Number.isInteger(value) ? value : value.toFixed(3)}`);
}
