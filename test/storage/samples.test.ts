import path from 'node:path';
import { DB_FILE_NAME, isStoreError, openMemoryStore, openStore, toLabelledSamples, type AttuneStore, type NewSample } from '../../src/storage';
import { MAX_RAW_MEDIA_BYTES } from '../../src/storage/validate';
import { faceFeatures, faceSample, fixedClock, tempDir, voiceFeatures, voiceSample } from './helpers/fixtures';
import { openRaw } from './helpers/dump';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isStoreError(e) ? `${e.code}: ${e.message}` : `not a StoreError: ${String(e)}`;
  }
  return 'no error';
}

describe('samples', () => {
  let store: AttuneStore;
  beforeEach(() => {
    store = openMemoryStore({ now: fixedClock });
    store.grantConsent('p1', { textVersion: 'v1', scope: ['face', 'voice'] });
    store.grantConsent('p2', { textVersion: 'v1', scope: ['face', 'voice'] });
  });
  afterEach(() => store.close());

  it('stores and returns features and metadata exactly, oldest first', () => {
    const a = store.addSample(faceSample('p1', 'happy', 4));
    const b = store.addSample(voiceSample('p1', 'sad', 2));
    expect(a).toEqual({
      id: a.id,
      personId: 'p1',
      emotion: 'happy',
      signal: 'face',
      features: faceFeatures(4),
      metadata: { source: 'attachment', mimeType: 'image/jpeg' },
      createdAt: '2025-01-02T03:04:05.000Z',
      hasRawMedia: false,
    });
    expect(store.listSamples('p1')).toEqual([a, b]);
    expect(store.listSamples('p1')[1].features).toEqual(voiceFeatures(2));
    expect(store.listSamples('p2')).toEqual([]);
  });

  it('counts per emotion and signal, and filters lists', () => {
    store.addSamples([
      faceSample('p1', 'happy', 1),
      faceSample('p1', 'happy', 2),
      faceSample('p1', 'happy', 3),
      voiceSample('p1', 'happy', 1),
      voiceSample('p1', 'happy', 2),
      faceSample('p1', 'sad', 1),
      voiceSample('p2', 'neutral', 1),
    ]);
    expect(store.countSamples('p1')).toEqual({ happy: { face: 3, voice: 2 }, sad: { face: 1, voice: 0 } });
    expect(store.countSamples('p2')).toEqual({ neutral: { face: 0, voice: 1 } });
    expect(store.countSamples('nobody')).toEqual({});
    expect(store.listSamples('p1', { emotion: 'happy' })).toHaveLength(5);
    expect(store.listSamples('p1', { signal: 'voice' }).map((s) => s.features)).toEqual([voiceFeatures(1), voiceFeatures(2)]);
    expect(store.listSamples('p1', { emotion: 'happy', signal: 'face' }).map((s) => s.id)).toHaveLength(3);
  });

  it('deletes one sample (retake) only for its owner', () => {
    const [keep, retake] = store.addSamples([faceSample('p1', 'happy', 1), faceSample('p1', 'happy', 2)]);
    expect(store.deleteSample('p2', retake.id)).toBe(false);
    expect(store.deleteSample('p1', retake.id)).toBe(true);
    expect(store.deleteSample('p1', retake.id)).toBe(false);
    expect(store.listSamples('p1').map((s) => s.id)).toEqual([keep.id]);
  });

  it("deletes a person's samples of one emotion, optionally one signal", () => {
    store.addSamples([faceSample('p1', 'sad'), voiceSample('p1', 'sad'), voiceSample('p1', 'sad', 2), faceSample('p1', 'happy'), faceSample('p2', 'sad')]);
    expect(store.deleteSamples('p1', 'sad', 'voice')).toBe(2);
    expect(store.countSamples('p1')).toEqual({ sad: { face: 1, voice: 0 }, happy: { face: 1, voice: 0 } });
    expect(store.deleteSamples('p1', 'sad')).toBe(1);
    expect(store.deleteSamples('p1', 'sad')).toBe(0);
    expect(store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 } });
    expect(store.countSamples('p2')).toEqual({ sad: { face: 1, voice: 0 } });
  });

  it('drops raw media unless the store keeps it', () => {
    const media = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const s = store.addSample({ ...faceSample('p1', 'happy'), rawMedia: media });
    expect(s.hasRawMedia).toBe(false);
    expect(store.getRawMedia('p1', s.id)).toBeNull();
  });

  it('keeps raw media when asked, readable only by its owner', () => {
    const keeping = openMemoryStore({ keepRawMedia: true });
    keeping.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
    const media = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const s = keeping.addSample({ ...faceSample('p1', 'happy'), rawMedia: media });
    expect(s.hasRawMedia).toBe(true);
    expect(Array.from(keeping.getRawMedia('p1', s.id) ?? [])).toEqual([0xff, 0xd8, 0xff, 1, 2, 3]);
    expect(keeping.getRawMedia('p2', s.id)).toBeNull();
    expect(keeping.describePerson('p1')?.samplesWithRawMedia).toBe(1);
    keeping.close();
  });

  it('writes no raw media column bytes to disk by default', () => {
    const { dir, cleanup } = tempDir();
    try {
      const disk = openStore({ dataDir: dir });
      disk.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
      disk.addSample({ ...faceSample('p1', 'happy'), rawMedia: new Uint8Array(1000).fill(7) });
      disk.close();
      const raw = openRaw(path.join(dir, DB_FILE_NAME));
      expect(raw.prepare('SELECT COUNT(*) AS n, COUNT(raw_media) AS withRaw FROM samples').get()).toEqual({ n: 1, withRaw: 0 });
      raw.close();
    } finally {
      cleanup();
    }
  });

  it('converts stored samples into engine training input', () => {
    store.addSamples([faceSample('p1', 'happy', 1), voiceSample('p1', 'sad', 2)]);
    expect(toLabelledSamples(store.listSamples('p1'))).toEqual([
      { emotion: 'happy', face: faceFeatures(1) },
      { emotion: 'sad', voice: voiceFeatures(2) },
    ]);
  });

  describe('bad input', () => {
    const badFace = (change: Record<string, unknown>): NewSample => ({ ...faceSample('p1', 'happy'), features: { ...faceFeatures(1), ...change } }) as NewSample;

    it.each([
      ['empty person id', { ...faceSample('p1', 'happy'), personId: '' }, /personId must be a non-empty string/],
      ['oversized person id', { ...faceSample('p1', 'happy'), personId: '9'.repeat(65) }, /longer than 64/],
      ['empty emotion', faceSample('p1', ''), /emotion must be a non-empty string/],
      ['unknown signal', { ...faceSample('p1', 'happy'), signal: 'smell' } as unknown as NewSample, /signal must be 'face' or 'voice'/],
      ['NaN in the descriptor', badFace({ descriptor: [0.1, Number.NaN] }), /features.descriptor\[1\] must be a finite number/],
      ['truncated face features (no landmarks)', badFace({ landmarks: undefined }), /features.landmarks must be an array/],
      ['voice features under the face signal', { ...faceSample('p1', 'happy'), features: voiceFeatures(1) } as unknown as NewSample, /features.faceCount/],
      ['infinite voice duration', { ...voiceSample('p1', 'happy'), features: { durationSec: Infinity, stats: {} } } as NewSample, /features.durationSec/],
      ['oversized features', badFace({ landmarks: new Array(100_000).fill(0.5) }), /larger than 262144 bytes/],
      ['unknown source', { ...faceSample('p1', 'happy'), metadata: { source: 'email' } } as unknown as NewSample, /metadata.source must be one of/],
      ['negative duration', { ...voiceSample('p1', 'happy'), metadata: { source: 'voice_message', durationSec: -1 } } as NewSample, /must not be negative/],
      ['raw media not bytes', { ...faceSample('p1', 'happy'), rawMedia: 'jpeg' } as unknown as NewSample, /rawMedia must be a Uint8Array/],
    ])('refuses %s', (_name, sample, message) => {
      expect(codeOf(() => store.addSample(sample))).toMatch(new RegExp(`^invalid: .*${message.source}`));
      expect(store.countSamples('p1')).toEqual({});
    });

    it('refuses raw media over the limit', () => {
      const huge = new Uint8Array(MAX_RAW_MEDIA_BYTES + 1);
      expect(codeOf(() => store.addSample({ ...faceSample('p1', 'happy'), rawMedia: huge }))).toMatch(/^invalid: rawMedia is larger than 26214400 bytes/);
    });

    it('adds a batch all-or-nothing when one sample is bad or lacks consent', () => {
      expect(codeOf(() => store.addSamples([faceSample('p1', 'happy'), badFace({ score: Number.NaN })]))).toMatch(/^invalid/);
      expect(codeOf(() => store.addSamples([faceSample('p1', 'happy'), faceSample('p1', 'sad'), faceSample('stranger', 'sad')]))).toMatch(/^no_consent/);
      expect(store.countSamples('p1')).toEqual({});
    });

    it('refuses a non-integer sample id and a non-array batch', () => {
      expect(codeOf(() => store.deleteSample('p1', 1.5))).toMatch(/^invalid: sampleId must be an integer/);
      expect(codeOf(() => store.addSamples('x' as unknown as NewSample[]))).toMatch(/^invalid: samples must be an array/);
    });
  });
});
