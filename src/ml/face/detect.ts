import type { Tensor3D } from '@tensorflow/tfjs';
import { getFaceApi } from '../tf';
import { loadFaceNets } from './models';

/** A detected face in pixels of the tensor it was found in. */
export interface DetectedFace {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

/**
 * Detector passes, coarse first. TinyFaceDetector's anchors suit faces of roughly 20–200 px at its
 * input size, so one size cannot cover both a selfie and a group photo: on the Yale faces (face fills
 * the frame) 224 found 163/163 and 416 only 144/163; on the demo group photos 224 found 3 of 22 faces
 * and 416 found 20. SSD MobileNet found 22/22 but took ~340 ms per image. See scripts/face-detectors.ts.
 */
const COARSE_INPUT = 224;
const FINE_INPUT = 416;
const SCORE_THRESHOLD = 0.5;
/**
 * When the largest face from the coarse pass is shorter than this share of the image's SHORT side,
 * the photo is likely a group or distant shot with faces the coarse pass cannot see, so the fine
 * pass runs too. A selfie's face spans ~40 % of the short side (landscape or portrait) and stops
 * after the cheap pass; the demo group photos' faces span 26–30 % and take both passes.
 */
const SMALL_FACE_SHARE = 0.3;
/** Boxes from the two passes overlapping more than this are the same face. */
const SAME_FACE_IOU = 0.3;

function iou(a: DetectedFace, b: DetectedFace): number {
  const ix = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/** Keep the best-scoring box of each overlapping group. */
export function mergeDetections(faces: DetectedFace[]): DetectedFace[] {
  const kept: DetectedFace[] = [];
  for (const face of [...faces].sort((a, b) => b.score - a.score)) {
    if (kept.every((other) => iou(face, other) <= SAME_FACE_IOU)) kept.push(face);
  }
  return kept;
}

async function detectAt(image: Tensor3D, inputSize: number): Promise<DetectedFace[]> {
  const faceapi = getFaceApi();
  const options = new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: SCORE_THRESHOLD });
  const found = await faceapi.nets.tinyFaceDetector.locateFaces(image as never, options);
  return found.map(({ box, score }) => ({ x: box.x, y: box.y, width: box.width, height: box.height, score }));
}

/** Largest face first (by box area). */
export function largestFirst(faces: DetectedFace[]): DetectedFace[] {
  return [...faces].sort((a, b) => b.width * b.height - a.width * a.height);
}

/**
 * Find the faces in an RGB image tensor (`[height, width, 3]`), largest first. Runs a coarse pass and,
 * only when it finds nothing or only small faces, a fine pass whose results are merged in.
 */
export async function detectFaces(image: Tensor3D): Promise<DetectedFace[]> {
  await loadFaceNets();
  const [height, width] = image.shape;
  const shortSide = Math.min(height, width);
  const coarse = await detectAt(image, COARSE_INPUT);
  const largest = largestFirst(coarse)[0];
  if (largest && largest.height >= SMALL_FACE_SHARE * shortSide) return largestFirst(coarse);
  const fine = await detectAt(image, FINE_INPUT);
  return largestFirst(mergeDetections([...coarse, ...fine]));
}
