import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  assertPretrained,
  hashFile,
  locate,
  PretrainedFilesError,
  pretrainedManifest,
  pretrainedPath,
  verifyPretrained,
  type PretrainedManifest,
} from '../../src/ml/pretrained';

const FACE_API = '@vladmandic/face-api';
const DETECTOR = 'model/tiny_face_detector_model.bin';
const DETECTOR_MANIFEST = 'model/tiny_face_detector_model-weights_manifest.json';

describe('pretrained files (models/manifest.json)', () => {
  it('lists every file the face pipeline, the WASM backend and eSpeak load, and they match what is installed', () => {
    const listed = pretrainedManifest().files.map((f) => `${f.package}/${f.path}`);
    for (const net of ['tiny_face_detector', 'face_landmark_68', 'face_expression', 'face_recognition']) {
      expect(listed).toContain(`${FACE_API}/model/${net}_model-weights_manifest.json`);
      expect(listed).toContain(`${FACE_API}/model/${net}_model.bin`);
    }
    expect(listed).toContain('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
    expect(listed).toContain('@echogarden/espeak-ng-emscripten/espeak-ng.data');
    expect(verifyPretrained()).toEqual([]);
  });

  it('resolves listed files and refuses any other', () => {
    expect(fs.existsSync(pretrainedPath(FACE_API, DETECTOR))).toBe(true);
    expect(() => pretrainedPath(FACE_API, 'model/ssd_mobilenetv1_model.bin')).toThrow(
      '@vladmandic/face-api/model/ssd_mobilenetv1_model.bin is not listed in models/manifest.json',
    );
  });

  describe('on a temporary copy of the package', () => {
    let root: string;
    let manifest: PretrainedManifest;
    const dirOf = (name: string) => path.join(root, name);
    const copied = () => path.join(root, FACE_API, ...DETECTOR.split('/'));

    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-pretrained-'));
      fs.mkdirSync(path.join(root, FACE_API, 'model'), { recursive: true });
      const pinned = pretrainedManifest().files.filter(
        (f) => f.package === FACE_API && (f.path === DETECTOR || f.path === DETECTOR_MANIFEST),
      );
      expect(pinned).toHaveLength(2);
      for (const entry of pinned) fs.copyFileSync(locate(entry), locate(entry, dirOf));
      fs.writeFileSync(path.join(root, FACE_API, 'package.json'), JSON.stringify({ version: pinned[0]?.version }));
      manifest = { about: 'test', files: pinned };
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it('passes an exact copy', () => {
      expect(verifyPretrained(manifest, dirOf)).toEqual([]);
      expect(() => assertPretrained(manifest, dirOf)).not.toThrow();
    });

    it('names a file with one changed byte, with the expected and the actual hash', () => {
      const bytes = fs.readFileSync(copied());
      bytes[1000] = (bytes[1000]! + 1) % 256;
      fs.writeFileSync(copied(), bytes);
      const actual = hashFile(copied()).sha256;
      const expected = manifest.files.find((f) => f.path === DETECTOR)?.sha256;

      const problems = verifyPretrained(manifest, dirOf);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(`${FACE_API}/${DETECTOR}: sha256 ${actual}`);
      expect(problems[0]).toContain(`expected ${expected}`);
      expect(actual).not.toBe(expected);
      expect(() => assertPretrained(manifest, dirOf)).toThrow(PretrainedFilesError);
      expect(() => assertPretrained(manifest, dirOf)).toThrow(
        /1 pretrained file\(s\) differ from models\/manifest\.json/,
      );
    });

    it('names a missing file and a package of another version', () => {
      fs.rmSync(copied());
      expect(verifyPretrained(manifest, dirOf)).toEqual([
        `${FACE_API}/${DETECTOR}: missing (expected at ${copied()}; run npm ci)`,
      ]);
      fs.writeFileSync(copied(), 'not the weights');
      fs.writeFileSync(path.join(root, FACE_API, 'package.json'), JSON.stringify({ version: '9.9.9' }));
      expect(verifyPretrained(manifest, dirOf)[0]).toMatch(/\(15 bytes\).*installed version 9\.9\.9, pinned 1\.7\.15$/);
    });
  });
});
