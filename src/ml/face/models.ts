import path from 'node:path';
import { getFaceApi, initTf, type FaceApiModule } from '../tf';

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
  return nets;
}

/** Load the face nets once (idempotent; concurrent callers share one promise; a failure may be retried). */
export function loadFaceNets(): Promise<FaceNets> {
  loading ??= loadAll().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}
