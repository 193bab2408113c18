import path from 'node:path';
import { DB_FILE_NAME, isStoreError, openStore, type AttuneStore } from '../../src/storage';
import type { PersonModel } from '../../src/ml/types';
import { BACKENDS } from './helpers/backends';
import { faceSample, fixedClock, personModel, tempDir, voiceSample } from './helpers/fixtures';
import { openRaw } from './helpers/dump';

describe.each(BACKENDS)('models ($name)', (backend) => {
  let store: AttuneStore;
  beforeEach(async () => {
    store = await backend.open({ now: fixedClock });
    await store.grantConsent('p1', { textVersion: 'v1', scope: ['face', 'voice'] });
  });
  afterEach(() => store.close());

  it('saves and loads a model unchanged', async () => {
    expect(await store.loadModel('p1')).toBeNull();
    const info = await store.saveModel('p1', personModel('first'));
    expect(info).toEqual({
      version: 1,
      revision: 1,
      createdAt: '2025-01-01T00:00:00.000Z',
      savedAt: '2025-01-02T03:04:05.000Z',
    });
    expect(await store.loadModel('p1')).toEqual(personModel('first'));
  });

  it('replaces the previous model, counting revisions, with one row per person', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const disk = await openStore({ dataDir: dir, now: fixedClock });
      await disk.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
      await disk.saveModel('p1', personModel('first'));
      expect((await disk.saveModel('p1', personModel('second', 2))).revision).toBe(2);
      expect(await disk.loadModel('p1')).toEqual(personModel('second', 2));
      await disk.close();
      const raw = openRaw(path.join(dir, DB_FILE_NAME));
      // Rows are keyed by the person's pseudonym (an HMAC), never the Discord id.
      expect(
        raw
          .prepare('SELECT person_id, version, revision FROM models')
          .all()
          .map((r) => ({ ...r })),
      ).toEqual([{ person_id: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown, version: 2, revision: 2 }]);
      raw.close();
    } finally {
      cleanup();
    }
  });

  it('refuses a malformed model and keeps the old one', async () => {
    await store.saveModel('p1', personModel('good'));
    const withNaN = { ...personModel('bad'), fusion: { face: Number.NaN } } as PersonModel;
    const codes: string[] = [];
    for (const model of [
      withNaN,
      { ...personModel('bad'), version: 0 },
      { ...personModel('bad'), createdAt: 'yesterday' },
      null as unknown as PersonModel,
    ]) {
      try {
        await store.saveModel('p1', model);
        codes.push('no error');
      } catch (e) {
        codes.push(isStoreError(e, 'invalid') ? e.message : String(e));
      }
    }
    expect(codes).toEqual([
      'model contains a non-finite number (NaN) at key "face".',
      'model.version must be a positive integer.',
      'model.createdAt must be an ISO date string.',
      'model must be an object.',
    ]);
    expect(await store.loadModel('p1')).toEqual(personModel('good'));
  });

  it('deletes a model', async () => {
    await store.saveModel('p1', personModel('x'));
    expect(await store.deleteModel('p1')).toBe(true);
    expect(await store.deleteModel('p1')).toBe(false);
    expect(await store.loadModel('p1')).toBeNull();
  });
});

describe.each(BACKENDS)('settings ($name)', (backend) => {
  let store: AttuneStore;
  beforeEach(async () => (store = await backend.open({ now: fixedClock })));
  afterEach(() => store.close());

  it('person settings default, then merge updates', async () => {
    expect(await store.getPersonSettings('p1')).toEqual({ speakReplies: true, showConfidence: false });
    await store.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
    expect(await store.updatePersonSettings('p1', { showConfidence: true })).toEqual({
      speakReplies: true,
      showConfidence: true,
    });
    expect(await store.updatePersonSettings('p1', { speakReplies: false })).toEqual({
      speakReplies: false,
      showConfidence: true,
    });
    expect(await store.getPersonSettings('p1')).toEqual({ speakReplies: false, showConfidence: true });
    await expect(store.updatePersonSettings('p1', { speakReplies: 'yes' as unknown as boolean })).rejects.toThrow(
      'settings.speakReplies must be true or false.',
    );
  });

  it('guild settings default to voice and transcription on, then round-trip', async () => {
    expect(await store.getGuildSettings('g1')).toEqual({
      voiceEnabled: true,
      allowedChannelIds: [],
      transcriptionEnabled: true,
    });
    expect(
      await store.setGuildSettings('g1', {
        voiceEnabled: true,
        allowedChannelIds: ['c2', 'c1', 'c2'],
        transcriptionEnabled: true,
      }),
    ).toEqual({
      voiceEnabled: true,
      allowedChannelIds: ['c2', 'c1'],
      transcriptionEnabled: true,
    });
    expect(await store.getGuildSettings('g1')).toEqual({
      voiceEnabled: true,
      allowedChannelIds: ['c2', 'c1'],
      transcriptionEnabled: true,
    });
    // Left out when writing: the default (on).
    await store.setGuildSettings('g1', { voiceEnabled: false, allowedChannelIds: [] });
    expect(await store.getGuildSettings('g1')).toEqual({
      voiceEnabled: false,
      allowedChannelIds: [],
      transcriptionEnabled: true,
    });
    await store.setGuildSettings('g1', { voiceEnabled: true, allowedChannelIds: [], transcriptionEnabled: false });
    expect(await store.getGuildSettings('g1')).toEqual({
      voiceEnabled: true,
      allowedChannelIds: [],
      transcriptionEnabled: false,
    });
    expect(await store.getGuildSettings('g2')).toEqual({
      voiceEnabled: true,
      allowedChannelIds: [],
      transcriptionEnabled: true,
    });
    expect(await store.deleteGuildSettings('g1')).toBe(true);
    expect(await store.deleteGuildSettings('g1')).toBe(false);
  });

  it('refuses malformed guild settings', async () => {
    const on = { voiceEnabled: true, allowedChannelIds: [], transcriptionEnabled: true };
    await expect(store.setGuildSettings('g1', { ...on, voiceEnabled: 1 as unknown as boolean })).rejects.toThrow(
      'voiceEnabled must be true or false.',
    );
    await expect(
      store.setGuildSettings('g1', { ...on, transcriptionEnabled: 'no' as unknown as boolean }),
    ).rejects.toThrow('transcriptionEnabled must be true or false.');
    await expect(store.setGuildSettings('g1', { ...on, allowedChannelIds: [''] })).rejects.toThrow(
      'channel id must be a non-empty string.',
    );
    await expect(
      store.setGuildSettings('g1', { ...on, allowedChannelIds: new Array<string>(501).fill('c') }),
    ).rejects.toThrow('more than 500 channels');
    await expect(store.setGuildSettings('', on)).rejects.toThrow('guildId must be a non-empty string.');
    expect(await store.getGuildSettings('g1')).toEqual(on);
  });
});

describe.each(BACKENDS)('describePerson ($name)', (backend) => {
  it('summarises consent, samples, model and the kinds of data held', async () => {
    const store = await backend.open({ now: fixedClock, keepRawMedia: true });
    expect(await store.describePerson('p1')).toBeNull();
    await store.grantConsent('p1', { textVersion: 'v3', scope: ['face', 'voice'] });
    expect((await store.describePerson('p1'))?.dataKinds).toEqual(['consent']);
    await store.addSamples([
      faceSample('p1', 'happy'),
      { ...faceSample('p1', 'happy', 2), rawMedia: new Uint8Array([1]) },
      voiceSample('p1', 'sad'),
    ]);
    await store.saveModel('p1', personModel('m'));
    await store.updatePersonSettings('p1', { speakReplies: false });
    expect(await store.describePerson('p1')).toEqual({
      personId: 'p1',
      createdAt: '2025-01-02T03:04:05.000Z',
      consent: {
        personId: 'p1',
        textVersion: 'v3',
        scope: ['face', 'voice'],
        grantedAt: '2025-01-02T03:04:05.000Z',
        revokedAt: null,
      },
      settings: { speakReplies: false, showConfidence: false },
      samples: { happy: { face: 2, voice: 0 }, sad: { face: 0, voice: 1 } },
      totalSamples: 3,
      samplesWithRawMedia: 1,
      model: {
        version: 1,
        revision: 1,
        createdAt: '2025-01-01T00:00:00.000Z',
        savedAt: '2025-01-02T03:04:05.000Z',
        emotions: ['happy', 'neutral', 'sad'],
        report: personModel('m').report,
      },
      dataKinds: ['consent', 'settings', 'face_features', 'voice_features', 'raw_media', 'model'],
    });
    await store.close();
  });

  it('throws StoreError closed after close()', async () => {
    const store = await backend.open();
    await store.close();
    await store.close();
    await expect(store.getConsent('p1')).rejects.toThrow('The store is closed.');
  });
});
