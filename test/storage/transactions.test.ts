import { isStoreError, type AttuneStore } from '../../src/storage';
import { BACKENDS, openInspectable, type InspectableStore } from './helpers/backends';
import { faceSample, fixedClock, personModel, voiceSample } from './helpers/fixtures';

describe.each(BACKENDS)('transactions ($name)', (backend) => {
  let db: InspectableStore;
  let store: AttuneStore;
  const dump = () => db.dump();

  beforeEach(async () => {
    db = await openInspectable(backend, { now: fixedClock });
    store = db.store;
    await store.grantConsent('p1', { textVersion: 'v1', scope: ['face', 'voice'] });
    await store.addSample(faceSample('p1', 'happy'));
    await store.saveModel('p1', personModel('before'));
  });
  afterEach(() => db.cleanup());

  it('an exception mid-write leaves the database exactly as before', async () => {
    const before = await dump();
    const boom = new Error('boom');
    await expect(
      store.transaction(async (tx) => {
        await tx.addSamples([faceSample('p1', 'sad'), voiceSample('p1', 'sad')]);
        await tx.saveModel('p1', personModel('after'));
        await tx.updatePersonSettings('p1', { showConfidence: true });
        await tx.setGuildSettings('g1', { voiceEnabled: true, allowedChannelIds: ['c1'] });
        await tx.grantConsent('p2', { textVersion: 'v1', scope: ['face'] });
        await tx.deleteSamples('p1', 'happy');
        throw boom;
      }),
    ).rejects.toThrow(boom);
    expect(await dump()).toEqual(before);
    expect(await store.loadModel('p1')).toEqual(personModel('before'));
    // The connection is usable afterwards (no transaction left open).
    await store.addSample(faceSample('p1', 'neutral'));
    expect(await store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 }, neutral: { face: 1, voice: 0 } });
  });

  it('commits samples and model together when the work resolves', async () => {
    const result = await store.transaction(async (tx) => {
      await tx.addSamples([faceSample('p1', 'sad'), voiceSample('p1', 'sad')]);
      return (await tx.saveModel('p1', personModel('after'))).revision;
    });
    expect(result).toBe(2);
    const tables = await dump();
    expect(tables.samples).toHaveLength(3);
    expect(tables.models).toHaveLength(1);
    expect(await store.loadModel('p1')).toEqual(personModel('after'));
  });

  it('rolls back only the inner part when a nested transaction throws and the outer one catches it', async () => {
    await store.transaction(async (tx) => {
      await tx.addSample(faceSample('p1', 'sad'));
      await expect(
        tx.transaction(async (inner) => {
          await inner.addSample(voiceSample('p1', 'sad'));
          await inner.saveModel('p1', personModel('inner'));
          throw new Error('inner failed');
        }),
      ).rejects.toThrow('inner failed');
    });
    expect(await store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 }, sad: { face: 1, voice: 0 } });
    expect(await store.loadModel('p1')).toEqual(personModel('before'));
  });

  it('calls on the store itself from inside the work join the transaction (no deadlock) and roll back with it', async () => {
    const before = await dump();
    await expect(
      store.transaction(async () => {
        await store.addSample(voiceSample('p1', 'sad'));
        expect(await store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 }, sad: { face: 0, voice: 1 } });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await dump()).toEqual(before);
  });

  it('a write from outside waits for an open transaction instead of joining it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = store.transaction(async (t) => {
      await t.addSample(voiceSample('p1', 'sad'));
      await gate;
      throw new Error('rolled back');
    });
    // Started outside the transaction's async context: must not land inside it (and be rolled back).
    const outside = new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        store.addSample(faceSample('p1', 'neutral')).then(() => resolve(), reject);
      }),
    );
    await new Promise((r) => setTimeout(r, 20));
    release();
    await expect(tx).rejects.toThrow('rolled back');
    await outside;
    expect(await store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 }, neutral: { face: 1, voice: 0 } });
  });

  it('a consent violation inside a larger write undoes the whole write', async () => {
    const before = await dump();
    let error: unknown;
    try {
      await store.transaction(async (tx) => {
        await tx.saveModel('p1', personModel('after'));
        await tx.addSample(faceSample('stranger', 'happy'));
      });
    } catch (e) {
      error = e;
    }
    expect(isStoreError(error, 'no_consent')).toBe(true);
    expect(await dump()).toEqual(before);
  });
});
