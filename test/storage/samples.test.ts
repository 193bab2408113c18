import path from 'node:path';
import {
  DB_FILE_NAME,
  isStoreError,
  openStore,
  toLabelledSamples,
  type AttuneStore,
  type NewSample,
} from '../../src/storage';
import { MAX_RAW_MEDIA_BYTES } from '../../src/storage/validate';
import { BACKENDS } from './helpers/backends';
import { faceFeatures, faceSample, fixedClock, tempDir, voiceFeatures, voiceSample } from './helpers/fixtures';
import { openRaw } from './helpers/dump';

async function codeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return isStoreError(e) ? `${e.code}: ${e.message}` : `not a StoreError: ${String(e)}`;
  }
  return 'no error';
}

describe.each(BACKENDS)('samples ($name)', (backend) => {
  let store: AttuneStore;
  beforeEach(async () => {
    store = await backend.open({ now: fixedClock });
    await store.grantConsent('p1', { textVersion: 'v1', scope: ['face', 'voice'] });
    await store.grantConsent('p2', { textVersion: 'v1', scope: ['face', 'voice'] });
  });
  afterEach(() => store.close());

  it('stores and returns features and metadata exactly, oldest first', async () => {
    const a = await store.addSample(faceSample('p1', 'happy', 4));
    const b = await store.addSample(voiceSample('p1', 'sad', 2));
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
    expect(await store.listSamples('p1')).toEqual([a, b]);
    expect((await store.listSamples('p1'))[1]?.features).toEqual(voiceFeatures(2));
    // A clip's parts (training views) are stored with it and come back unchanged.
    const parts = { ...voiceFeatures(3), crops: [{ f0_median: 1.5 }, { f0_median: -0.25 }, { f0_median: 2 }] };
    const c = await store.addSample({ ...voiceSample('p1', 'sad'), features: parts } as NewSample);
    expect(c.features).toEqual(parts);
    expect((await store.listSamples('p1'))[2]?.features).toEqual(parts);
    expect(await store.listSamples('p2')).toEqual([]);
  });

  it('keeps the correction source (a sample labelled from an /ask) like any other, and forgets it with the rest', async () => {
    const fixed = await store.addSample({
      ...voiceSample('p1', 'sad', 3),
      metadata: { source: 'correction', durationSec: 1.5 },
    });
    expect((await store.listSamples('p1')).map((s) => s.metadata)).toEqual([
      { source: 'correction', durationSec: 1.5 },
    ]);
    expect(fixed.metadata.source).toBe('correction');
    expect((await store.forgetPerson('p1')).samples).toBe(1);
    expect(await store.listSamples('p1')).toEqual([]);
  });

  it('counts per emotion and signal, and filters lists', async () => {
    await store.addSamples([
      faceSample('p1', 'happy', 1),
      faceSample('p1', 'happy', 2),
      faceSample('p1', 'happy', 3),
      voiceSample('p1', 'happy', 1),
      voiceSample('p1', 'happy', 2),
      faceSample('p1', 'sad', 1),
      voiceSample('p2', 'neutral', 1),
    ]);
    expect(await store.countSamples('p1')).toEqual({ happy: { face: 3, voice: 2 }, sad: { face: 1, voice: 0 } });
    expect(await store.countSamples('p2')).toEqual({ neutral: { face: 0, voice: 1 } });
    expect(await store.countSamples('nobody')).toEqual({});
    expect(await store.listSamples('p1', { emotion: 'happy' })).toHaveLength(5);
    expect((await store.listSamples('p1', { signal: 'voice' })).map((s) => s.features)).toEqual([
      voiceFeatures(1),
      voiceFeatures(2),
    ]);
    expect((await store.listSamples('p1', { emotion: 'happy', signal: 'face' })).map((s) => s.id)).toHaveLength(3);
  });

  it('deletes one sample (retake) only for its owner', async () => {
    const [keep, retake] = await store.addSamples([faceSample('p1', 'happy', 1), faceSample('p1', 'happy', 2)]);
    if (!keep || !retake) throw new Error('addSamples returned fewer samples than given');
    expect(await store.deleteSample('p2', retake.id)).toBe(false);
    expect(await store.deleteSample('p1', retake.id)).toBe(true);
    expect(await store.deleteSample('p1', retake.id)).toBe(false);
    expect((await store.listSamples('p1')).map((s) => s.id)).toEqual([keep.id]);
  });

  it("deletes a person's samples of one emotion, optionally one signal", async () => {
    await store.addSamples([
      faceSample('p1', 'sad'),
      voiceSample('p1', 'sad'),
      voiceSample('p1', 'sad', 2),
      faceSample('p1', 'happy'),
      faceSample('p2', 'sad'),
    ]);
    expect(await store.deleteSamples('p1', 'sad', 'voice')).toBe(2);
    expect(await store.countSamples('p1')).toEqual({ sad: { face: 1, voice: 0 }, happy: { face: 1, voice: 0 } });
    expect(await store.deleteSamples('p1', 'sad')).toBe(1);
    expect(await store.deleteSamples('p1', 'sad')).toBe(0);
    expect(await store.countSamples('p1')).toEqual({ happy: { face: 1, voice: 0 } });
    expect(await store.countSamples('p2')).toEqual({ sad: { face: 1, voice: 0 } });
  });

  it('drops raw media unless the store keeps it', async () => {
    const media = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const s = await store.addSample({ ...faceSample('p1', 'happy'), rawMedia: media });
    expect(s.hasRawMedia).toBe(false);
    expect(await store.getRawMedia('p1', s.id)).toBeNull();
  });

  it('keeps raw media when asked, readable only by its owner', async () => {
    const keeping = await backend.open({ keepRawMedia: true });
    await keeping.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
    const media = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    const s = await keeping.addSample({ ...faceSample('p1', 'happy'), rawMedia: media });
    expect(s.hasRawMedia).toBe(true);
    expect(Array.from((await keeping.getRawMedia('p1', s.id)) ?? [])).toEqual([0xff, 0xd8, 0xff, 1, 2, 3]);
    expect(await keeping.getRawMedia('p2', s.id)).toBeNull();
    expect((await keeping.describePerson('p1'))?.samplesWithRawMedia).toBe(1);
    await keeping.close();
  });

  it('writes no raw media column bytes to disk by default', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const disk = await openStore({ dataDir: dir });
      await disk.grantConsent('p1', { textVersion: 'v1', scope: ['face'] });
      await disk.addSample({ ...faceSample('p1', 'happy'), rawMedia: new Uint8Array(1000).fill(7) });
      await disk.close();
      const raw = openRaw(path.join(dir, DB_FILE_NAME));
      expect(raw.prepare('SELECT COUNT(*) AS n, COUNT(raw_media) AS withRaw FROM samples').get()).toEqual({
        n: 1,
        withRaw: 0,
      });
      raw.close();
    } finally {
      cleanup();
    }
  });

  it('converts stored samples into engine training input', async () => {
    await store.addSamples([faceSample('p1', 'happy', 1), voiceSample('p1', 'sad', 2)]);
    expect(toLabelledSamples(await store.listSamples('p1'))).toEqual([
      { emotion: 'happy', face: faceFeatures(1) },
      { emotion: 'sad', voice: voiceFeatures(2) },
    ]);
  });

  describe('bad input', () => {
    const badFace = (change: Record<string, unknown>): NewSample =>
      ({ ...faceSample('p1', 'happy'), features: { ...faceFeatures(1), ...change } }) as NewSample;

    it.each<[string, NewSample, RegExp]>([
      ['empty person id', { ...faceSample('p1', 'happy'), personId: '' }, /personId must be a non-empty string/],
      ['oversized person id', { ...faceSample('p1', 'happy'), personId: '9'.repeat(65) }, /longer than 64/],
      ['empty emotion', faceSample('p1', ''), /emotion must be a non-empty string/],
      [
        'unknown signal',
        { ...faceSample('p1', 'happy'), signal: 'smell' } as unknown as NewSample,
        /signal must be 'face' or 'voice'/,
      ],
      [
        'NaN in the descriptor',
        badFace({ descriptor: [0.1, Number.NaN] }),
        /features.descriptor\[1\] must be a finite number/,
      ],
      [
        'truncated face features (no landmarks)',
        badFace({ landmarks: undefined }),
        /features.landmarks must be an array/,
      ],
      [
        'voice features under the face signal',
        { ...faceSample('p1', 'happy'), features: voiceFeatures(1) } as unknown as NewSample,
        /features.faceCount/,
      ],
      [
        'a clip part that is not numbers',
        {
          ...voiceSample('p1', 'happy'),
          features: { ...voiceFeatures(1), crops: [{ f0: 'high' }] },
        } as unknown as NewSample,
        /features.crops\[0\].f0/,
      ],
      [
        'runaway clip parts',
        {
          ...voiceSample('p1', 'happy'),
          features: { ...voiceFeatures(1), crops: new Array(9).fill({ f0: 1 }) },
        } as NewSample,
        /features.crops must be an array of at most 8/,
      ],
      [
        'infinite voice duration',
        { ...voiceSample('p1', 'happy'), features: { durationSec: Infinity, stats: {} } } as NewSample,
        /features.durationSec/,
      ],
      ['oversized features', badFace({ landmarks: new Array(100_000).fill(0.5) }), /larger than 262144 bytes/],
      [
        'unknown source',
        { ...faceSample('p1', 'happy'), metadata: { source: 'email' } } as unknown as NewSample,
        /metadata.source must be one of/,
      ],
      [
        'negative duration',
        { ...voiceSample('p1', 'happy'), metadata: { source: 'voice_message', durationSec: -1 } },
        /must not be negative/,
      ],
      [
        'raw media not bytes',
        { ...faceSample('p1', 'happy'), rawMedia: 'jpeg' } as unknown as NewSample,
        /rawMedia must be a Uint8Array/,
      ],
    ])('refuses %s', async (_name, sample, message) => {
      expect(await codeOf(() => store.addSample(sample))).toMatch(new RegExp(`^invalid: .*${message.source}`));
      expect(await store.countSamples('p1')).toEqual({});
    });

    it('refuses raw media over the limit', async () => {
      const huge = new Uint8Array(MAX_RAW_MEDIA_BYTES + 1);
      expect(await codeOf(() => store.addSample({ ...faceSample('p1', 'happy'), rawMedia: huge }))).toMatch(
        /^invalid: rawMedia is larger than 26214400 bytes/,
      );
    });

    it('adds a batch all-or-nothing when one sample is bad or lacks consent', async () => {
      expect(await codeOf(() => store.addSamples([faceSample('p1', 'happy'), badFace({ score: Number.NaN })]))).toMatch(
        /^invalid/,
      );
      expect(
        await codeOf(() =>
          store.addSamples([faceSample('p1', 'happy'), faceSample('p1', 'sad'), faceSample('stranger', 'sad')]),
        ),
      ).toMatch(/^no_consent/);
      expect(await store.countSamples('p1')).toEqual({});
    });

    it('refuses a non-integer sample id and a non-array batch', async () => {
      expect(await codeOf(() => store.deleteSample('p1', 1.5))).toMatch(/^invalid: sampleId must be an integer/);
      expect(await codeOf(() => store.addSamples('x' as unknown as NewSample[]))).toMatch(
        /^invalid: samples must be an array/,
      );
    });
  });
});
