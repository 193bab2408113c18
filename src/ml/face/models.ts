import path from 'node:path';
import { pretrainedPath } from '../pretrained';
import { getTf, initTf } from '../tf';
import { loadFaceFeatureNet, runFaceFeatureNet, type FaceFeatureNetWeights } from './nets/faceFeatureNet';
import {
  loadFaceRecognitionNet,
  runFaceRecognitionNet,
  type FaceRecognitionNetWeights,
} from './nets/faceRecognitionNet';
import { squareInput } from './nets/layers';
import type { ModelFiles } from './nets/weights';
import { detectTinyFaces, loadTinyFaceDetector, type TinyFaceDetectorWeights } from './nets/tinyFaceDetector';

/**
 * face-api's bundled weights (MIT), read from the installed package as pinned in models/manifest.json:
 * nothing is downloaded, and a file the manifest does not list is refused.
 */
export const faceApiModelFile: ModelFiles = (name) => pretrainedPath('@vladmandic/face-api', `model/${name}`);

/** The folder of those files, for face-api's own loaders (tests and scripts that compare against it). */
export function faceApiModelDir(): string {
  return path.dirname(faceApiModelFile('tiny_face_detector_model-weights_manifest.json'));
}

/**
 * The four nets the face pipeline uses, as fused weights (src/ml/face/nets), each uploaded to the
 * tf backend once.
 */
export interface FaceNets {
  detector: TinyFaceDetectorWeights;
  landmarks: FaceFeatureNetWeights;
  expressions: FaceFeatureNetWeights;
  recognition: FaceRecognitionNetWeights;
}

let loading: Promise<FaceNets> | null = null;

async function loadAll(): Promise<FaceNets> {
  await initTf();
  // Only what analyzeFace needs: SSD MobileNet (340 ms per image here, see scripts/face-detectors.ts)
  // and the age/gender net would cost resident memory for nothing. One at a time: each briefly holds
  // its decoded and folded weight arrays in JS, so loading them together would raise the peak.
  const detector = await loadTinyFaceDetector(faceApiModelFile);
  const landmarks = await loadFaceFeatureNet('landmarks', faceApiModelFile);
  const expressions = await loadFaceFeatureNet('expressions', faceApiModelFile);
  const recognition = await loadFaceRecognitionNet(faceApiModelFile);
  const nets = { detector, landmarks, expressions, recognition };
  await warmUp(nets);
  return nets;
}

/**
 * One pass of each net on blank input at load time, so the first real request does not pay for
 * kernel set-up (XNNPACK builds an operator per convolution on first use) and WASM heap growth.
 */
async function warmUp(nets: FaceNets): Promise<void> {
  const tf = getTf();
  const frame = { pixels: new Uint8Array(224 * 224 * 3), width: 224, height: 224 };
  const whole = { x: 0, y: 0, width: 224, height: 224 };
  await detectTinyFaces(nets.detector, frame, whole, 224, 0.5);
  const outputs = tf.tidy(() => [
    runFaceFeatureNet(nets.landmarks, squareInput(frame, whole, 112, 'centre')),
    runFaceFeatureNet(nets.expressions, squareInput(frame, whole, 112, 'centre')),
    runFaceRecognitionNet(nets.recognition, squareInput(frame, whole, 150, 'centre')),
  ]);
  await Promise.all(outputs.map((t) => t.data()));
  tf.dispose(outputs);
}

/** Load the face nets once (idempotent; concurrent callers share one promise; a failure may be retried). */
export function loadFaceNets(): Promise<FaceNets> {
  loading ??= loadAll().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}
