import { VOICE_FEATURES_VERSION } from '../../../src/ml/audio/features';
import { evaluateManifest, formatReport, manifestEmotions } from '../../../src/ml/eval/evaluate';
import { parseManifest, splitCsvLine } from '../../../src/ml/eval/manifest';
import { seededRandom } from '../../../src/ml/model/maths';
import { fail, ok, type FaceFeatures, type Probabilities } from '../../../src/ml/types';

describe('manifest parsing', () => {
  it('resolves paths against the manifest folder and keeps empty columns empty', () => {
    const rows = parseManifest(
      'person,emotion,role,face,voice\np1,happy,calibrate,,a/b.ogg\np1,sad,test,"x,y.jpg",\n',
      '/data',
    );
    expect(rows).toEqual([
      { person: 'p1', emotion: 'happy', role: 'calibrate', face: undefined, voice: '/data/a/b.ogg' },
      { person: 'p1', emotion: 'sad', role: 'test', face: '/data/x,y.jpg', voice: undefined },
    ]);
  });

  it('rejects a bad role with the line number', () => {
    expect(() => parseManifest('person,emotion,role,face,voice\np,happy,train,,v.ogg', '/')).toThrow('Line 2');
  });

  it('splits quoted CSV fields', () => {
    expect(splitCsvLine('a,"b ""c""",d')).toEqual(['a', 'b "c"', 'd']);
  });

  it('orders the default emotions first', () => {
    const rows = parseManifest('person,emotion,role,face,voice\np,sad,test,f,\np,angry,test,f,\np,happy,test,f,', '/');
    expect(manifestEmotions(rows)).toEqual(['happy', 'sad', 'angry']);
  });
});

describe('evaluateManifest', () => {
  // Voice files are named by emotion and index: the fake extractor turns the emotion into a pitch.
  const pitch: Record<string, number> = { happy: 10, neutral: 0, sad: -10 };
  const rand = seededRandom(3);
  const extract = {
    voice: (file: string) => {
      if (file.includes('broken')) return Promise.resolve(fail('corrupt', 'broken'));
      const emotion = file.split('/').pop()!.split('-')[0];
      return Promise.resolve(
        ok({
          durationSec: 2,
          stats: { pitch: (pitch[emotion ?? ''] ?? 0) + rand(), energy: 1, features_version: VOICE_FEATURES_VERSION },
        }),
      );
    },
    face: (file: string) => {
      if (file.includes('noface')) return Promise.resolve(fail('no_face', 'none'));
      const emotion = file.split('/').pop()!.split('-')[0];
      const f: FaceFeatures = {
        faceCount: 1,
        box: { x: 0, y: 0, width: 1, height: 1 },
        score: 1,
        expressions: { [emotion ?? 'neutral']: 0.9 },
        landmarks: [],
        descriptor: [],
        geometry: {},
      };
      return Promise.resolve(ok(f));
    },
  };
  const generic = (f: FaceFeatures, emotions: readonly string[]): Probabilities =>
    Object.fromEntries(emotions.map((e) => [e, f.expressions[e] ?? 0.05]));

  it('calibrates per person, scores each signal and counts unreadable test samples as wrong', async () => {
    const lines = ['person,emotion,role,face,voice'];
    for (const e of ['happy', 'neutral', 'sad']) {
      for (let i = 0; i < 3; i++) lines.push(`p1,${e},calibrate,,${e}-${i}.ogg`);
      lines.push(`p1,${e},test,,${e}-t.ogg`);
      lines.push(`p2,${e},test,${e}-f.jpg,`);
    }
    lines.push('p1,sad,test,,broken.ogg', 'p2,happy,test,noface.jpg,', 'p3,happy,test,happy-1.jpg,happy-1.ogg');
    const report = await evaluateManifest(parseManifest(lines.join('\n'), '/d'), extract, generic);
    // p1: 3 of its 4 voice rows read (one is broken); p3 has no voice model, so its clip counts as wrong.
    expect(report.voice).toMatchObject({ accuracy: 3 / 5, n: 5 });
    expect(report.face).toMatchObject({ accuracy: 4 / 5, n: 5 });
    // p3 is uncalibrated: its fused row rests on the generic face alone.
    expect(report.fused).toMatchObject({ accuracy: 1, n: 1 });
    expect(report.people.map((p) => [p.person, p.calibrated])).toEqual([
      ['p1', true],
      ['p2', false],
      ['p3', false],
    ]);
    expect(report.unreadable.map((u) => u.code).sort()).toEqual(['corrupt', 'no_face']);
    expect(report.confusion.voice!.counts).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(formatReport(report)).toContain('voice confusion');
  });

  it('an extractor that throws (a missing file, a folder) costs that sample, not the run, and reasons are counted', async () => {
    const throwing = {
      voice: async (file: string) => {
        if (file.includes('gone'))
          throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
        if (file.includes('outside'))
          return { ok: false as const, code: 'outside_manifest_folder' as const, message: `${file} is outside` };
        return extract.voice(file);
      },
      face: extract.face,
    };
    const lines = ['person,emotion,role,face,voice'];
    for (const e of ['happy', 'neutral', 'sad'])
      for (let i = 0; i < 2; i++) lines.push(`p1,${e},calibrate,,${e}-${i}.ogg`);
    lines.push(
      'p1,happy,test,,happy-t.ogg',
      'p1,sad,test,,gone.ogg',
      'p1,sad,calibrate,,gone2.ogg',
      'p1,neutral,test,,../outside.ogg',
    );
    const report = await evaluateManifest(parseManifest(lines.join('\n'), '/d'), throwing, generic);
    expect(report.voice).toMatchObject({ accuracy: 1 / 3, n: 3 });
    expect(report.unreadableByReason).toEqual({ read_error: 2, outside_manifest_folder: 1 });
    const gone = report.unreadable.find((u) => u.file === '/d/gone.ogg');
    expect(gone?.code).toBe('read_error');
    expect(gone?.message).toContain('ENOENT');
    expect(formatReport(report)).toContain('unreadable samples: 3 (read_error 2, outside_manifest_folder 1;');
  });
});
