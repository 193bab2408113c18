import fs from 'node:fs';
import path from 'node:path';
import { TRAINING_NICENESS, WorkerEngine } from '../../../src/ml/worker/WorkerEngine';
import type { VoiceFeatures } from '../../../src/ml/types';

const DEMO = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

/** A voiced tone with a few harmonics and a slow amplitude envelope, at a given f0. */
function tone(f0: number, seconds = 1.5, rate = 48000): Float32Array {
  const out = new Float32Array(Math.round(seconds * rate));
  for (let i = 0; i < out.length; i++) {
    const t = i / rate;
    const env = 0.3 * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t));
    out[i] =
      env *
      (Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(4 * Math.PI * f0 * t) + 0.25 * Math.sin(6 * Math.PI * f0 * t));
  }
  return out;
}

describe('WorkerEngine (worker threads)', () => {
  const engine = new WorkerEngine({ analyzeTimeoutMs: 60_000 });
  afterAll(() => engine.close());

  it('analyzes raw PCM off the main thread and returns typed failures for silence', async () => {
    const r = await engine.analyzeVoice({ samples: tone(180), sampleRate: 48000 });
    expect(r.ok).toBe(true);
    // 180 Hz is 12·log2(180/100) = 10.18 semitones above the 100 Hz reference.
    if (r.ok) expect(r.value.stats.f0_median).toBeCloseTo(12 * Math.log2(1.8), 0);
    const silent = await engine.analyzeVoice({ samples: new Float32Array(48000), sampleRate: 48000 });
    expect(silent).toMatchObject({ ok: false, code: 'silence' });
    const garbage = await engine.analyzeVoice(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    expect(garbage).toMatchObject({ ok: false, code: 'unsupported_format' });
  });

  it('reads a real face photo in the worker and a non-image as a typed failure', async () => {
    const r = await engine.analyzeFace(new Uint8Array(fs.readFileSync(path.join(DEMO, 'sample1.jpg'))));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.descriptor).toHaveLength(128);
    const bad = await engine.analyzeFace(new TextEncoder().encode('not an image at all'));
    expect(bad.ok).toBe(false);
  });

  it('trains in its own worker and predicts inline with the trained model', async () => {
    const voices: { emotion: string; voice: VoiceFeatures }[] = [];
    const f0 = { happy: 260, neutral: 150, sad: 110 };
    for (const emotion of ['happy', 'neutral', 'sad'] as const) {
      for (const wobble of [0.97, 1, 1.03]) {
        const r = await engine.analyzeVoice({ samples: tone(f0[emotion] * wobble), sampleRate: 48000 });
        if (!r.ok) throw new Error(r.message);
        voices.push({ emotion, voice: r.value });
      }
    }
    const trained = await engine.train(voices, ['happy', 'neutral', 'sad']);
    if (!trained.ok) throw new Error(trained.message);
    expect(trained.value.report.voice!.n).toBe(9);
    const probe = await engine.analyzeVoice({ samples: tone(255), sampleRate: 48000 });
    if (!probe.ok) throw new Error(probe.message);
    const p = await engine.predict(trained.value, { voice: probe.value });
    expect(p.voice!.emotion).toBe('happy');
  });

  it('runs training at a lower CPU priority than analysis (Linux)', async () => {
    const niceness = await engine.trainingNiceness();
    if (process.platform === 'linux') expect(niceness).toBe(TRAINING_NICENESS);
    else expect(niceness === null || niceness === TRAINING_NICENESS).toBe(true);
  });

  it('rejects a request that exceeds its time limit', async () => {
    const quick = new WorkerEngine({ analyzeTimeoutMs: 1 });
    await expect(quick.analyzeFace(new Uint8Array(fs.readFileSync(path.join(DEMO, 'sample2.jpg'))))).rejects.toThrow(
      /timed out/,
    );
    await quick.close();
  });

  it('replaces a thread that worked and then sat idle with a fresh one, and keeps working', async () => {
    const recycling = new WorkerEngine({ recycleIdleMs: 300 });
    try {
      const first = await recycling.analyzeVoice({ samples: tone(200), sampleRate: 48000 });
      expect(first.ok).toBe(true);
      expect(recycling.recycled.analysis).toBe(0);
      const firstDeadline = Date.now() + 15_000;
      while (recycling.recycled.analysis < 1 && Date.now() < firstDeadline) await new Promise((r) => setTimeout(r, 50));
      expect(recycling.recycled.analysis).toBe(1);
      // The training thread never worked: nothing to give back, it stays.
      expect(recycling.recycled.training).toBe(0);
      const again = await recycling.analyzeVoice({ samples: tone(200), sampleRate: 48000 });
      expect(again.ok && first.ok && again.value.stats.f0_median).toBeCloseTo(
        first.ok ? first.value.stats.f0_median! : NaN,
        6,
      );
      // It worked again, so once idle (and its warm-up, which loads the face models, has finished) it
      // is replaced again; then the fresh thread has done nothing and is left alone.
      const deadline = Date.now() + 15_000;
      while (recycling.recycled.analysis < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(recycling.recycled.analysis).toBe(2);
      await new Promise((r) => setTimeout(r, 1500));
      expect(recycling.recycled.analysis).toBe(2);
    } finally {
      await recycling.close();
    }
  });
});
