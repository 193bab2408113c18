import fs from 'node:fs';
import path from 'node:path';
import { DB_FILE_NAME, openStore, type AttuneStore } from '../../src/storage';
import { faceSample, fixedClock, personModel, tempDir, voiceSample } from './helpers/fixtures';
import { dumpTables, openRaw } from './helpers/dump';

/** The bytes of the database and its WAL/shm files, whichever exist. */
function diskBytes(dir: string): Buffer {
  const base = path.join(dir, DB_FILE_NAME);
  return Buffer.concat([base, `${base}-wal`, `${base}-shm`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f)));
}

describe('forgetPerson', () => {
  const forgotten = '800000000000000001';
  const kept = '800000000000000002';
  // Unique strings that occur nowhere else: if any byte sequence survives, the search finds it.
  const markerMeta = 'FORGET-ME-META-7f3a9c';
  const markerMedia = 'FORGET-ME-MEDIA-51be02';
  const markerModel = 'FORGET-ME-MODEL-c4d81e';
  const keptMarker = 'KEEP-ME-META-0e99aa';

  let dir: string;
  let cleanup: () => void;
  let store: AttuneStore;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    store = openStore({ dataDir: dir, keepRawMedia: true, now: fixedClock });
    store.grantConsent(forgotten, { textVersion: 'v1', scope: ['face', 'voice'] });
    store.grantConsent(kept, { textVersion: 'v1', scope: ['face'] });
    // 40 KB of media spills into overflow pages, the part of a database most likely to keep stale bytes.
    const media = Buffer.from(`${markerMedia} `.repeat(2000));
    for (let i = 0; i < 5; i++) {
      store.addSample({ ...faceSample(forgotten, 'happy', i), metadata: { source: 'attachment', fileName: `${markerMeta}-${i}.jpg` }, rawMedia: media });
      store.addSample({ ...voiceSample(forgotten, 'sad', i) });
    }
    store.addSample({ ...faceSample(kept, 'happy'), metadata: { source: 'attachment', fileName: `${keptMarker}.jpg` } });
    store.saveModel(forgotten, { ...personModel(markerModel) });
    store.saveModel(kept, personModel('kept-model'));
    store.updatePersonSettings(forgotten, { speakReplies: false });
  });
  afterEach(() => {
    store.close();
    cleanup();
  });

  it('reports what it deleted and leaves no row mentioning the person in any table', () => {
    expect(store.forgetPerson(forgotten)).toEqual({ samples: 10, models: 1, consents: 1, people: 1 });
    expect(store.describePerson(forgotten)).toBeNull();
    expect(store.getConsent(forgotten)).toBeNull();

    const raw = openRaw(path.join(dir, DB_FILE_NAME));
    const dump = JSON.stringify(dumpTables(raw), (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v));
    raw.close();
    expect(dump).not.toContain(forgotten);
    expect(dump).not.toContain(markerMeta);
    expect(dump).not.toContain(markerModel);
    // The other person is untouched (and the dump really does contain stored rows).
    expect(dump).toContain(kept);
    expect(dump).toContain(keptMarker);
    expect(store.countSamples(kept)).toEqual({ happy: { face: 1, voice: 0 } });
    expect(store.loadModel(kept)).toEqual(personModel('kept-model'));
  });

  it('leaves none of the person’s bytes in the database files after the checkpoint', () => {
    const before = diskBytes(dir).toString('latin1');
    // Positive control: the search finds every marker while the data exists.
    for (const marker of [markerMeta, markerMedia, markerModel, keptMarker]) expect(before).toContain(marker);

    store.forgetPerson(forgotten);
    const after = diskBytes(dir).toString('latin1');
    expect(after).not.toContain(markerMeta);
    expect(after).not.toContain(markerMedia);
    expect(after).not.toContain(markerModel);
    expect(after).toContain(keptMarker);
  });

  it('is a no-op for an unknown person', () => {
    expect(store.forgetPerson('nobody')).toEqual({ samples: 0, models: 0, consents: 0, people: 0 });
  });
});
