import type { Tensor3D } from '@tensorflow/tfjs';
import { getFaceApi } from '../tf';
import type { DetectedFace } from './detect';
import { loadFaceNets } from './models';

/** 68 landmarks of one face, in pixels of the image the face was found in, `[x0, y0, x1, y1, ...]`. */
export type Landmarks68 = number[];

/**
 * Predict 68 landmarks for the face inside `box` of `image` (`[height, width, 3]`). The crop tensor is
 * disposed here; the caller keeps ownership of `image`.
 */
export async function predictLandmarks(image: Tensor3D, box: DetectedFace): Promise<Landmarks68> {
  const nets = await loadFaceNets();
  const faceapi = getFaceApi();
  const [crop] = await faceapi.extractFaceTensors(image as never, [new faceapi.Rect(box.x, box.y, box.width, box.height)]);
  if (!crop) throw new Error('face box lies outside the image');
  try {
    const found = await nets.faceLandmark68Net.detectLandmarks(crop);
    const landmarks = Array.isArray(found) ? found[0]! : found;
    // The net answers in crop pixels; the crop started at the floored, clipped box corner.
    const dx = Math.max(0, Math.floor(box.x));
    const dy = Math.max(0, Math.floor(box.y));
    return landmarks.positions.flatMap((p) => [p.x + dx, p.y + dy]);
  } finally {
    crop.dispose();
  }
}

/**
 * The square-ish crop face-api aligns on before expressions and descriptors: the landmarks' bounding
 * box padded by 20 % (its `alignMinBbox`), clipped to the image.
 */
export function alignedBox(landmarks: Landmarks68, imageWidth: number, imageHeight: number): DetectedFace {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < landmarks.length; i += 2) {
    minX = Math.min(minX, landmarks[i]!);
    maxX = Math.max(maxX, landmarks[i]!);
    minY = Math.min(minY, landmarks[i + 1]!);
    maxY = Math.max(maxY, landmarks[i + 1]!);
  }
  const padX = (maxX - minX) * 0.1;
  const padY = (maxY - minY) * 0.1;
  const x = Math.max(0, minX - padX);
  const y = Math.max(0, minY - padY);
  return {
    x,
    y,
    width: Math.min(imageWidth, maxX + padX) - x,
    height: Math.min(imageHeight, maxY + padY) - y,
    score: 1,
  };
}
