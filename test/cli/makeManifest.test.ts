import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ravdessRows, yaleRows } from '../../src/cli/make-manifest';
import { formatManifest } from '../../src/ml/eval/manifest';
import { describeWithData, sharedPath } from '../helpers/sharedData';

function touch(dir: string, name: string, bytes = name): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

describe('make-manifest', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-manifest-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('RAVDESS: audio-only speech in the three emotions, repetition 1 calibrates and 2 tests', () => {
    touch(dir, 'data/Actor_07/03-01-01-01-01-01-07.wav'); // neutral, rep 1
    touch(dir, 'data/Actor_07/03-01-03-02-02-02-07.ogg'); // happy, rep 2
    touch(dir, 'data/Actor_07/03-01-04-01-01-02-07.mp3'); // sad, rep 2
    touch(dir, 'data/Actor_07/03-01-02-01-01-01-07.wav'); // calm: not one of the three
    touch(dir, 'data/Actor_07/01-01-03-01-01-01-07.mp4'); // audio-video
    touch(dir, 'data/Actor_07/03-02-03-01-01-01-07.wav'); // song
    touch(dir, 'data/Actor_07/notes.txt');
    const rows = ravdessRows(path.join(dir, 'data'), dir);
    expect(rows).toEqual([
      {
        person: 'ravdess-07',
        emotion: 'neutral',
        role: 'calibrate',
        face: '',
        voice: 'data/Actor_07/03-01-01-01-01-01-07.wav',
      },
      {
        person: 'ravdess-07',
        emotion: 'happy',
        role: 'test',
        face: '',
        voice: 'data/Actor_07/03-01-03-02-02-02-07.ogg',
      },
      { person: 'ravdess-07', emotion: 'sad', role: 'test', face: '', voice: 'data/Actor_07/03-01-04-01-01-02-07.mp3' },
    ]);
  });

  test('Yale: happy, normal as neutral and sad; a byte-identical copy is left out and reported', () => {
    touch(dir, 'yale/subject3.happy', 'a');
    touch(dir, 'yale/subject3.normal', 'b');
    touch(dir, 'yale/subject3.sad', 'b'); // the same bytes as normal
    touch(dir, 'yale/subject3.wink', 'c');
    const duplicates: string[] = [];
    const rows = yaleRows(path.join(dir, 'yale'), dir, (file) => duplicates.push(path.basename(file)));
    expect(rows.map((r) => [r.person, r.emotion, r.role, r.face])).toEqual([
      ['yale-03', 'happy', 'test', 'yale/subject3.happy'],
      ['yale-03', 'neutral', 'test', 'yale/subject3.normal'],
    ]);
    expect(duplicates).toEqual(['subject3.sad']);
  });

  test('writes the header eval reads and refuses a path it cannot write as one CSV field', () => {
    const row = { person: 'p', emotion: 'happy', role: 'test' as const, face: 'a.jpg', voice: '' };
    expect(formatManifest([row])).toBe('person,emotion,role,face,voice\np,happy,test,a.jpg,\n');
    expect(() => formatManifest([{ ...row, face: 'a,b.jpg' }])).toThrow(/comma/);
  });
});

describeWithData('make-manifest on the shared data', () => {
  const rowsOf = (csv: string): string[] => fs.readFileSync(csv, 'utf8').trim().split(/\r?\n/).slice(1).sort();

  test('rebuilds ravdess-3class.csv from its folder', () => {
    const rows = ravdessRows(sharedPath('ravdess-3class'), sharedPath());
    expect(formatManifest(rows).trim().split('\n').slice(1).sort()).toEqual(rowsOf(sharedPath('ravdess-3class.csv')));
  });

  test('rebuilds yale-faces.csv from its folder (other conditions left out)', () => {
    const rows = yaleRows(sharedPath('yale-faces'), sharedPath());
    expect(formatManifest(rows).trim().split('\n').slice(1).sort()).toEqual(rowsOf(sharedPath('yale-faces.csv')));
  });
});
