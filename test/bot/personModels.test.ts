import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PersonModels } from '../../src/bot/personModels';
import { silentLogger } from '../../src/bot/util/log';
import { MODEL_VERSION } from '../../src/ml/model';
import type { PersonModel } from '../../src/ml/types';
import { openStore, type AttuneStore } from '../../src/storage';
import { CONSENT_SCOPE, CONSENT_TEXT_VERSION } from '../../src/bot/calibration/consent';
import { FakeEngine, fakeFace } from './helpers/fakeEngine';

describe('PersonModels: outdated or damaged models are rebuilt from the stored samples', () => {
  let dir: string;
  let store: AttuneStore;
  let engine: FakeEngine;
  let models: PersonModels;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-models-'));
    store = await openStore({ dataDir: dir });
    engine = new FakeEngine();
    models = new PersonModels({ store, engine, logger: silentLogger });
    await store.grantConsent('p1', { textVersion: CONSENT_TEXT_VERSION, scope: CONSENT_SCOPE });
    for (const emotion of ['happy', 'sad']) {
      for (const tag of [1, 2])
        await store.addSample({
          personId: 'p1',
          emotion,
          signal: 'face',
          features: fakeFace(tag),
          metadata: { source: 'attachment' },
        });
    }
  });
  afterEach(async () => {
    await models.settled();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const model = (version: number): PersonModel => ({
    version,
    emotions: ['happy', 'sad'],
    createdAt: '2025-01-01T00:00:00.000Z',
    face: null,
    voice: null,
    fusion: {},
    report: {
      face: null,
      voice: null,
      fused: null,
      confusion: {
        labels: ['happy', 'sad'],
        counts: [
          [1, 0],
          [0, 1],
        ],
      },
      counts: {},
    },
  });

  test('a current model is used as it is, and nothing is retrained', async () => {
    await store.saveModel('p1', model(MODEL_VERSION));
    expect((await models.current('p1'))?.version).toBe(MODEL_VERSION);
    expect(models.rebuilding('p1')).toBe(false);
    expect(engine.trained).toHaveLength(0);
  });

  test('an outdated model is not used; it is retrained once (not per request) and replaced', async () => {
    await store.saveModel('p1', model(MODEL_VERSION - 1));
    expect(await models.current('p1')).toBeNull();
    expect(await models.current('p1')).toBeNull();
    expect(models.rebuilding('p1')).toBe(true);
    await models.settled();
    expect(engine.trained).toHaveLength(1);
    expect(engine.trained[0]).toHaveLength(4);
    expect((await store.loadModel('p1'))?.version).toBe(MODEL_VERSION);
    expect((await models.current('p1'))?.version).toBe(MODEL_VERSION);
  });

  test('no model: nothing to rebuild', async () => {
    expect(await models.current('p1')).toBeNull();
    expect(models.rebuilding('p1')).toBe(false);
  });

  test('a model that cannot be read is treated as damaged and rebuilt', async () => {
    const broken = new PersonModels({
      store: {
        ...store,
        loadModel: () => Promise.reject(new Error('bad JSON')),
        listSamples: store.listSamples.bind(store),
        saveModel: store.saveModel.bind(store),
      },
      engine,
      logger: silentLogger,
    });
    expect(await broken.current('p1')).toBeNull();
    await broken.settled();
    expect(engine.trained).toHaveLength(1);
    expect((await store.loadModel('p1'))?.version).toBe(MODEL_VERSION);
  });

  test("retrainSoon: retrains in the background with the model's emotions; a sample added meanwhile gets one more run", async () => {
    await store.saveModel('p1', model(MODEL_VERSION));
    let open!: () => void;
    engine.trainGate = new Promise((resolve) => (open = resolve));
    models.retrainSoon('p1');
    expect(models.rebuilding('p1')).toBe(true);
    // The current model keeps serving meanwhile.
    expect((await models.current('p1'))?.version).toBe(MODEL_VERSION);
    await store.addSample({
      personId: 'p1',
      emotion: 'sad',
      signal: 'face',
      features: fakeFace(3),
      metadata: { source: 'correction' },
    });
    models.retrainSoon('p1');
    models.retrainSoon('p1');
    await new Promise((resolve) => setImmediate(resolve));
    open();
    engine.trainGate = null;
    await models.settled();
    expect(engine.trained.map((samples) => samples.length)).toEqual([4, 5]);
    expect((await store.loadModel('p1'))?.emotions).toEqual(['happy', 'sad']);
  });

  test('retrainSoon leaves out samples of emotions the model does not know, and saves nothing after /forget', async () => {
    await store.saveModel('p1', model(MODEL_VERSION));
    await store.addSample({
      personId: 'p1',
      emotion: 'angry',
      signal: 'face',
      features: fakeFace(4),
      metadata: { source: 'attachment' },
    });
    models.retrainSoon('p1');
    await models.settled();
    expect(engine.trained[0]!.map((s) => s.emotion).sort()).toEqual(['happy', 'happy', 'sad', 'sad']);
    let open!: () => void;
    engine.trainGate = new Promise((resolve) => (open = resolve));
    models.retrainSoon('p1');
    await new Promise((resolve) => setImmediate(resolve));
    await store.forgetPerson('p1');
    open();
    await models.settled();
    expect(await store.loadModel('p1')).toBeNull();
  });
});
