/**
 * `npm run models:manifest`: writes models/manifest.json from the installed packages, hashing every
 * pretrained file Attune loads. Run it after a deliberate upgrade of one of these packages (and say so
 * in the commit); the bot refuses to start while the installed files differ from the manifest.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hashFile, locate, packageDir, type PretrainedFile, type PretrainedManifest } from '../src/ml/pretrained';

const FACE_API = '@vladmandic/face-api';
const TFJS_WASM = '@tensorflow/tfjs-backend-wasm';
const ESPEAK = '@echogarden/espeak-ng-emscripten';

/** face-api's nets the face pipeline runs (src/ml/face/models.ts), by weights-manifest prefix. */
const FACE_NETS: Record<string, string> = {
  tiny_face_detector_model: 'tiny face detector',
  face_landmark_68_model: '68-point face landmarks',
  face_expression_model: 'seven-way face expression',
  face_recognition_model: '128-d face descriptor',
};

/** Files of face-api's tfjs weights: each net's weights manifest, then the shards it names. */
function faceApiFiles(): Array<Pick<PretrainedFile, 'path' | 'use'>> {
  return Object.entries(FACE_NETS).flatMap(([net, use]) => {
    const manifestPath = `model/${net}-weights_manifest.json`;
    const groups = JSON.parse(fs.readFileSync(locate({ package: FACE_API, path: manifestPath }), 'utf8')) as Array<{
      paths: string[];
    }>;
    const shards = groups.flatMap((group) => group.paths).map((shard) => ({ path: `model/${shard}`, use }));
    return [{ path: manifestPath, use: `${use}: tfjs weights manifest` }, ...shards];
  });
}

const SOURCES: Array<{ package: string; files: Array<Pick<PretrainedFile, 'path' | 'use'>> }> = [
  { package: FACE_API, files: faceApiFiles() },
  {
    package: TFJS_WASM,
    files: [
      { path: 'dist/tfjs-backend-wasm-simd.wasm', use: 'TensorFlow.js WASM backend, SIMD (the one Node 22 runs)' },
      { path: 'dist/tfjs-backend-wasm.wasm', use: 'TensorFlow.js WASM backend without SIMD (fallback)' },
      {
        path: 'dist/tfjs-backend-wasm-threaded-simd.wasm',
        use: 'TensorFlow.js WASM backend, threaded (never chosen under Node; setWasmPaths needs all three)',
      },
    ],
  },
  {
    package: ESPEAK,
    files: [
      {
        path: 'espeak-ng.data',
        use: 'eSpeak NG voices and dictionaries (offline speech; the package reads it from its own folder)',
      },
    ],
  },
];

function versionOf(name: string): string {
  const json = JSON.parse(fs.readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')) as { version: string };
  return json.version;
}

const manifest: PretrainedManifest = {
  about:
    'Pretrained files Attune loads, pinned by package version and SHA-256 and checked at start-up. Regenerate with npm run models:manifest.',
  files: SOURCES.flatMap((source) =>
    source.files.map((file) => ({
      package: source.package,
      version: versionOf(source.package),
      path: file.path,
      ...hashFile(locate({ package: source.package, path: file.path })),
      use: file.use,
    })),
  ),
};
const target = path.resolve(__dirname, '..', 'models', 'manifest.json');
fs.writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`);
process.stdout.write(`wrote ${manifest.files.length} files to ${path.relative(process.cwd(), target)}\n`);
