import { checkFaceReply, checkTrainReply, checkVoiceReply } from '../../../src/ml/worker/replies';

const face = {
  faceCount: 1,
  box: { x: 1, y: 2, width: 100, height: 110 },
  score: 0.9,
  expressions: { happy: 0.7, neutral: 0.3 },
  landmarks: [0.1, 0.2],
  descriptor: Array.from({ length: 128 }, (_, i) => i / 128),
  geometry: { mouth_open: 0.1 },
};

describe('worker replies are checked at the thread boundary', () => {
  test('well-formed successes and failures pass through unchanged', () => {
    expect(checkFaceReply({ ok: true, value: face })).toEqual({ ok: true, value: face });
    expect(checkVoiceReply({ ok: true, value: { durationSec: 1.5, stats: { f0_median: 10 } } })).toMatchObject({
      ok: true,
    });
    expect(checkFaceReply({ ok: false, code: 'no_face', message: 'No face found.' })).toEqual({
      ok: false,
      code: 'no_face',
      message: 'No face found.',
    });
    const model = {
      version: 2,
      emotions: ['happy', 'sad'],
      createdAt: 'now',
      report: { counts: {} },
      face: null,
      voice: { w: [1] },
    };
    expect(checkTrainReply({ ok: true, value: model })).toEqual({ ok: true, value: model });
  });

  test.each([
    ['a NaN in the features', { ok: true, value: { ...face, score: NaN } }, 'score'],
    ['a short descriptor', { ok: true, value: { ...face, descriptor: [1, 2, 3] } }, 'descriptor'],
    ['an unknown failure code', { ok: false, code: 'exploded', message: 'x' }, ''],
    ['nothing at all', undefined, ''],
  ])('%s becomes a typed internal failure', (_name, reply, path) => {
    const r = checkFaceReply(reply);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe('invalid');
      expect(r.message).toContain('malformed reply');
      expect(r.message).toContain(path);
    }
  });

  test('voice stats must be numbers; a model needs its version and at least two emotions', () => {
    expect(checkVoiceReply({ ok: true, value: { durationSec: 1, stats: { f0: 'high' } } }).ok).toBe(false);
    const parts = { durationSec: 1, stats: { f0: 1 }, crops: [{ f0: 0.5 }, { f0: 2 }] };
    expect(checkVoiceReply({ ok: true, value: parts })).toEqual({ ok: true, value: parts });
    expect(checkVoiceReply({ ok: true, value: { ...parts, crops: [{ f0: 'high' }] } }).ok).toBe(false);
    expect(checkVoiceReply({ ok: true, value: { ...parts, crops: new Array(9).fill({ f0: 1 }) } }).ok).toBe(false);
    expect(
      checkTrainReply({ ok: true, value: { version: 2, emotions: ['happy'], createdAt: 'x', report: {} } }).ok,
    ).toBe(false);
  });
});
