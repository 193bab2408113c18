import path from 'node:path';
import { DB_FILE_NAME, isStoreError, openStore, type AttuneStore } from '../../src/storage';
import { faceSample, fixedClock, personModel, tempDir, voiceSample } from './helpers/fixtures';
import { dumpTables, openRaw } from './helpers/dump';

describe('transactions', () => {
  let dir: string;
  let cleanup: () => void;
  let store: AttuneStore;
  const dump = (): Record<string, unknown[]> => {
    const raw = openRaw(path.join(dir, DB_FILE_NAME));
    try {
      return dumpTables(raw);
    } finally {
      raw.close();
    }
  };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    store = openStore({ dataDir: dir, now: fixedClock });
    store.grantConsent('p1', { textVersion: 'v1', scope: ['face', 'voice'] });
    store.addSample(faceSample('p1', 'happy'));
    store.saveModel('p1', personModel('before'));
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  it('an exception mid-write leaves the database exactly as before', () => {
    const before = dump();
    const boom = new Error('boom');
    expect(() =>
      store.transaction((tx) => {
        tx.addSamples([faceSample('p1', 'sad'), voiceSample('p1', 'sad')]);
        tx.saveModel('p1', personModel('after'));
        tx.updatePersonSettings('p1', { showConfidence: true });
        tx.setGuildSettings('g1', { voiceEnabled: true, allowedChannelIds: ['c1'] });
        tx.grantConsent('p2', { textVersion: 'v1', scope: ['face'] });
        tx.deleteSamples('p1', 'happy');
        throw boom;
      }),
    ).toThrow(boom);
    expect(dump()).toEqual(before);
    expect(store.loadModel('p1')).toEqual(personModel('before'));
    // The connection is usable afterwards (no transaction left open).
    store.addSample(faceSample('p1', 'neutral'));
    expect(store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 }, neutral: { face: 1, voice: 0 } });
  });

  it('commits samples and model together when the work returns', () => {
    const result = store.transaction((tx) => {
      tx.addSamples([faceSample('p1', 'sad'), voiceSample('p1', 'sad')]);
      return tx.saveModel('p1', personModel('after')).revision;
    });
    expect(result).toBe(2);
    const tables = dump();
    expect(tables.samples).toHaveLength(3);
    expect(tables.models).toHaveLength(1);
    expect(JSON.parse(String((tables.models[0] as { model: string }).model))).toEqual(personModel('after'));
  });

  it('rolls back only the inner part when a nested transaction throws and the outer one catches it', () => {
    store.transaction((tx) => {
      tx.addSample(faceSample('p1', 'sad'));
      expect(() =>
        tx.transaction((inner) => {
          inner.addSample(voiceSample('p1', 'sad'));
          inner.saveModel('p1', personModel('inner'));
          throw new Error('inner failed');
        }),
      ).toThrow('inner failed');
    });
    expect(store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 }, sad: { face: 1, voice: 0 } });
    expect(store.loadModel('p1')).toEqual(personModel('before'));
  });

  it('refuses async work and rolls it back', () => {
    const before = dump();
    let error: unknown;
    try {
      store.transaction((tx) => {
        tx.addSample(faceSample('p1', 'sad'));
        return Promise.resolve(1);
      });
    } catch (e) {
      error = e;
    }
    expect(isStoreError(error, 'invalid')).toBe(true);
    expect(dump()).toEqual(before);
  });

  it('a consent violation inside a larger write undoes the whole write', () => {
    const before = dump();
    expect(() =>
      store.transaction((tx) => {
        tx.saveModel('p1', personModel('after'));
        tx.addSample(faceSample('stranger', 'happy'));
      }),
    ).toThrow(/has not given \(or has revoked\) consent/);
    expect(dump()).toEqual(before);
  });
});
