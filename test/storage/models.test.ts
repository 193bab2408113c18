import path from 'node:path';
import { DB_FILE_NAME, isStoreError, openMemoryStore, openStore, type AttuneStore } from '../../src/storage';
import type { PersonModel } from '../../src/ml/types';
import { faceSample, fixedClock, personModel, tempDir, voiceSample } from './helpers/fixtures';
import { openRaw } from './helpers/dump';

describe('models', () => {
  let store: AttuneStore;
  beforeEach(() => {
    store = openMemoryStore({ now: fixedClock });
    store.grantConsent('p1', { textVersion: 'v1', scope: ['face', 'voice'] });
  });
  afterEach(() => store.close());

  it('saves and loads a model unchanged', () => {
    expect(store.loadModel('p1')).toBeNull();
    const info = store.saveModel('p1', personModel('first'));
    expect(info).toEqual({ version: 1, revision: 1, createdAt: '2025-01-01T00:00:00.000Z', savedAt: '2025-01-02T03:04:05.000Z' });
    expect(store.loadModel('p1')).toEqual(personModel('first'));
  });

  it('replaces the previous model, counting revisions, with one row per person', () => {
    const { dir, cleanup } = tempDir();
    try {
      const disk = openStore({ dataDir: dir, now: fixedClock });
      disk.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
      disk.saveModel('p1', personModel('first'));
      expect(disk.saveModel('p1', personModel('second', 2)).revision).toBe(2);
      expect(disk.loadModel('p1')).toEqual(personModel('second', 2));
      disk.close();
      const raw = openRaw(path.join(dir, DB_FILE_NAME));
      expect(raw.prepare('SELECT person_id, version, revision FROM models').all().map((r) => ({ ...r }))).toEqual([
        { person_id: 'p1', version: 2, revision: 2 },
      ]);
      raw.close();
    } finally {
      cleanup();
    }
  });

  it('refuses a malformed model and keeps the old one', () => {
    store.saveModel('p1', personModel('good'));
    const withNaN = { ...personModel('bad'), fusion: { face: Number.NaN } } as PersonModel;
    const codes = [withNaN, { ...personModel('bad'), version: 0 }, { ...personModel('bad'), createdAt: 'yesterday' }, null as unknown as PersonModel].map(
      (model) => {
        try {
          store.saveModel('p1', model);
          return 'no error';
        } catch (e) {
          return isStoreError(e, 'invalid') ? e.message : String(e);
        }
      },
    );
    expect(codes).toEqual([
      'model contains a non-finite number (NaN) at key "face".',
      'model.version must be a positive integer.',
      'model.createdAt must be an ISO date string.',
      'model must be an object.',
    ]);
    expect(store.loadModel('p1')).toEqual(personModel('good'));
  });

  it('deletes a model', () => {
    store.saveModel('p1', personModel('x'));
    expect(store.deleteModel('p1')).toBe(true);
    expect(store.deleteModel('p1')).toBe(false);
    expect(store.loadModel('p1')).toBeNull();
  });
});

describe('settings', () => {
  let store: AttuneStore;
  beforeEach(() => (store = openMemoryStore({ now: fixedClock })));
  afterEach(() => store.close());

  it('person settings default, then merge updates', () => {
    expect(store.getPersonSettings('p1')).toEqual({ speakReplies: true, showConfidence: false });
    store.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
    expect(store.updatePersonSettings('p1', { showConfidence: true })).toEqual({ speakReplies: true, showConfidence: true });
    expect(store.updatePersonSettings('p1', { speakReplies: false })).toEqual({ speakReplies: false, showConfidence: true });
    expect(store.getPersonSettings('p1')).toEqual({ speakReplies: false, showConfidence: true });
    expect(() => store.updatePersonSettings('p1', { speakReplies: 'yes' as unknown as boolean })).toThrow('settings.speakReplies must be true or false.');
  });

  it('guild settings default to voice and transcription on, then round-trip', () => {
    expect(store.getGuildSettings('g1')).toEqual({ voiceEnabled: true, allowedChannelIds: [], transcriptionEnabled: true });
    expect(store.setGuildSettings('g1', { voiceEnabled: true, allowedChannelIds: ['c2', 'c1', 'c2'], transcriptionEnabled: true })).toEqual({
      voiceEnabled: true,
      allowedChannelIds: ['c2', 'c1'],
      transcriptionEnabled: true,
    });
    expect(store.getGuildSettings('g1')).toEqual({ voiceEnabled: true, allowedChannelIds: ['c2', 'c1'], transcriptionEnabled: true });
    // Left out when writing: the default (on).
    store.setGuildSettings('g1', { voiceEnabled: false, allowedChannelIds: [] });
    expect(store.getGuildSettings('g1')).toEqual({ voiceEnabled: false, allowedChannelIds: [], transcriptionEnabled: true });
    store.setGuildSettings('g1', { voiceEnabled: true, allowedChannelIds: [], transcriptionEnabled: false });
    expect(store.getGuildSettings('g1')).toEqual({ voiceEnabled: true, allowedChannelIds: [], transcriptionEnabled: false });
    expect(store.getGuildSettings('g2')).toEqual({ voiceEnabled: true, allowedChannelIds: [], transcriptionEnabled: true });
    expect(store.deleteGuildSettings('g1')).toBe(true);
    expect(store.deleteGuildSettings('g1')).toBe(false);
  });

  it('refuses malformed guild settings', () => {
    const on = { voiceEnabled: true, allowedChannelIds: [], transcriptionEnabled: true };
    expect(() => store.setGuildSettings('g1', { ...on, voiceEnabled: 1 as unknown as boolean })).toThrow('voiceEnabled must be true or false.');
    expect(() => store.setGuildSettings('g1', { ...on, transcriptionEnabled: 'no' as unknown as boolean })).toThrow('transcriptionEnabled must be true or false.');
    expect(() => store.setGuildSettings('g1', { ...on, allowedChannelIds: [''] })).toThrow('channel id must be a non-empty string.');
    expect(() => store.setGuildSettings('g1', { ...on, allowedChannelIds: new Array(501).fill('c') })).toThrow('more than 500 channels');
    expect(() => store.setGuildSettings('', on)).toThrow('guildId must be a non-empty string.');
    expect(store.getGuildSettings('g1')).toEqual(on);
  });
});

describe('describePerson', () => {
  it('summarises consent, samples, model and the kinds of data held', () => {
    const store = openMemoryStore({ now: fixedClock, keepRawMedia: true });
    expect(store.describePerson('p1')).toBeNull();
    store.grantConsent('p1', { textVersion: 'v3', scope: ['face', 'voice'] });
    expect(store.describePerson('p1')?.dataKinds).toEqual(['consent']);
    store.addSamples([faceSample('p1', 'happy'), { ...faceSample('p1', 'happy', 2), rawMedia: new Uint8Array([1]) }, voiceSample('p1', 'sad')]);
    store.saveModel('p1', personModel('m'));
    store.updatePersonSettings('p1', { speakReplies: false });
    expect(store.describePerson('p1')).toEqual({
      personId: 'p1',
      createdAt: '2025-01-02T03:04:05.000Z',
      consent: { personId: 'p1', textVersion: 'v3', scope: ['face', 'voice'], grantedAt: '2025-01-02T03:04:05.000Z', revokedAt: null },
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
    store.close();
  });

  it('throws StoreError closed after close()', () => {
    const store = openMemoryStore();
    store.close();
    store.close();
    expect(() => store.getConsent('p1')).toThrow('The store is closed.');
  });
});
