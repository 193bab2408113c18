import path from 'node:path';
import type { Tensor3D } from '@tensorflow/tfjs';
import { getFaceApi, getTf, initTf, type FaceApiModule } from '../tf';

/** face-api's bundled weights (MIT), read from the installed package: nothing is downloaded. */
export const MODEL_DIR = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');

/** The four nets the face pipeline uses, loaded into face-api's shared tf instance. */
export type FaceNets = Pick<FaceApiModule['nets'], 'tinyFaceDetector' | 'faceLandmark68Net' | 'faceExpressionNet' | 'faceRecognitionNet'>;

let loading: Promise<FaceNets> | null = null;

async function loadAll(): Promise<FaceNets> {
  await initTf();
  const { nets } = getFaceApi();
  // Only what analyzeFace needs: SSD MobileNet (340 ms per image here, see scripts/face-detectors.ts)
  // and the age/gender net would cost resident memory for nothing.
  await Promise.all([
    nets.tinyFaceDetector.isLoaded ? null : nets.tinyFaceDetector.loadFromDisk(MODEL_DIR),
    nets.faceLandmark68Net.isLoaded ? null : nets.faceLandmark68Net.loadFromDisk(MODEL_DIR),
    nets.faceExpressionNet.isLoaded ? null : nets.faceExpressionNet.loadFromDisk(MODEL_DIR),
    nets.faceRecognitionNet.isLoaded ? null : nets.faceRecognitionNet.loadFromDisk(MODEL_DIR),
  ]);
  await warmUp(nets);
  return nets;
}

/**
 * One pass of each net on blank input at load time, so the first real request does not pay for
 * kernel set-up and WASM heap growth (face-api keeps a whole net's activations alive until it ends,
 * so the heap grows to ~125 MB on first use and stays there; measured with scripts/face-memory.ts).
 */
async function warmUp(nets: FaceNets): Promise<void> {
  const tf = getTf();
  const faceapi = getFaceApi();
  const face150 = tf.zeros([150, 150, 3], 'int32') as Tensor3D;
  const face112 = tf.zeros([112, 112, 3], 'int32') as Tensor3D;
  const frame = tf.zeros([224, 224, 3], 'int32') as Tensor3D;
  try {
    await nets.faceRecognitionNet.computeFaceDescriptor(face150);
    await nets.faceLandmark68Net.detectLandmarks(face112);
    await nets.faceExpressionNet.predictExpressions(face112);
    await nets.tinyFaceDetector.locateFaces(frame, new faceapi.TinyFaceDetectorOptions({ inputSize: 224 }));
  } finally {
    tf.dispose([face150, face112, frame]);
  }
}

/** Load the face nets once (idempotent; concurrent callers share one promise; a failure may be retried). */
export function loadFaceNets(): Promise<FaceNets> {
  loading ??= loadAll().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}
