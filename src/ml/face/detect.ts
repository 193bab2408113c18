import { loadFaceNets } from './models';
import type { RgbFrame } from './nets/layers';
import { detectTinyFaces } from './nets/tinyFaceDetector';

/** A detected face in pixels of the tensor it was found in. */
export interface DetectedFace {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

/**
 * TinyFaceDetector's anchors suit faces of roughly 20–200 px at its input size, so one view cannot
 * cover both a selfie and a group photo: on the Yale faces (face fills the frame) input 224 found
 * 163/163 and 416 only 144/163; on the demo group photos 224 found 3 of 22 faces and 416 found 20.
 * SSD MobileNet found 22/22 but took ~340 ms per image (scripts/face-detectors.ts).
 *
 * So a coarse pass sees the whole image at 224, and only when it finds nothing or only small faces a
 * fine pass runs the same 224 input over overlapping square windows of the image. Zooming by tiling
 * rather than by a larger input keeps the WASM heap where the other nets already put it: with
 * face-api's own nets (which kept every activation alive until the net ended) a 320/416 input grew
 * the heap from 105 to 151 MB for good (scripts/face-memory.ts). Square windows also skip the letterbox padding a
 * whole 16:9 frame would get.
 */
const DETECTOR_INPUT = 224;
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

/** A square window of the image, in pixels. */
export interface Window {
  x: number;
  y: number;
  size: number;
}

/**
 * Square windows with side = the image's short side, spread evenly along the long side, enough of
 * them that neighbours overlap by at least `minOverlap` px, so any face narrower than that lies whole
 * in some window. A square image gives one window.
 */
export function squareWindows(width: number, height: number, minOverlap: number): Window[] {
  const size = Math.min(width, height);
  const long = Math.max(width, height);
  if (size <= 0) return [];
  const overlap = Math.min(minOverlap, size - 1);
  const count = long === size ? 1 : Math.max(2, Math.ceil((long - overlap) / (size - overlap)));
  const step = count === 1 ? 0 : (long - size) / (count - 1);
  return Array.from({ length: count }, (_, i) => {
    const offset = Math.round(i * step);
    return width >= height ? { x: offset, y: 0, size } : { x: 0, y: offset, size };
  });
}

/** Faces in a square window (or the whole image, top-left aligned in the square), in image pixels. */
async function detectAt(frame: RgbFrame, window?: Window): Promise<DetectedFace[]> {
  const { detector } = await loadFaceNets();
  const region = window
    ? { x: window.x, y: window.y, width: window.size, height: window.size }
    : { x: 0, y: 0, width: frame.width, height: frame.height };
  const found = await detectTinyFaces(detector, frame, region, DETECTOR_INPUT, SCORE_THRESHOLD);
  return found.map((face) => ({ ...face, x: face.x + region.x, y: face.y + region.y }));
}

async function detectInWindows(frame: RgbFrame, windows: Window[]): Promise<DetectedFace[]> {
  const found: DetectedFace[] = [];
  for (const window of windows) found.push(...(await detectAt(frame, window)));
  return found;
}

/** Largest face first (by box area). */
export function largestFirst(faces: DetectedFace[]): DetectedFace[] {
  return [...faces].sort((a, b) => b.width * b.height - a.width * a.height);
}

/**
 * Find the faces in an RGB frame, largest first. Runs a coarse pass and,
 * only when it finds nothing or only small faces, a tiled fine pass whose results are merged in.
 */
export async function detectFaces(frame: RgbFrame): Promise<DetectedFace[]> {
  await loadFaceNets();
  const { width, height } = frame;
  const shortSide = Math.min(height, width);
  const coarse = await detectAt(frame);
  const largest = largestFirst(coarse)[0];
  if (largest && largest.height >= SMALL_FACE_SHARE * shortSide) return largestFirst(coarse);
  const fine = await detectInWindows(frame, squareWindows(width, height, SMALL_FACE_SHARE * shortSide));
  return largestFirst(mergeDetections([...coarse, ...fine]));
}
