import { getTf } from '../tf';
import type { DetectedFace } from './detect';
import { FEATURE_NET_INPUT, runFaceFeatureNet } from './nets/faceFeatureNet';
import { squareInput, type PixelBox, type RgbFrame } from './nets/layers';
import { loadFaceNets } from './models';

/** 68 landmarks of one face, in pixels of the image the face was found in, `[x0, y0, x1, y1, ...]`. */
export type Landmarks68 = number[];

/**
 * The integer region face-api crops for a detection box: clipped to the image, each of x, y, width
 * and height floored (its `Box.clipAtImageBorders`). Null when nothing of the box is inside.
 */
export function faceCrop(box: DetectedFace, imageWidth: number, imageHeight: number): PixelBox | null {
  const x = Math.max(box.x, 0);
  const y = Math.max(box.y, 0);
  const width = Math.floor(Math.min(box.x + box.width - x, imageWidth - x));
  const height = Math.floor(Math.min(box.y + box.height - y, imageHeight - y));
  if (!(width > 0 && height > 0)) return null;
  return { x: Math.floor(x), y: Math.floor(y), width, height };
}

/**
 * Predict 68 landmarks for the face inside detection `box` of `frame`.
 */
export async function predictLandmarks(frame: RgbFrame, box: DetectedFace): Promise<Landmarks68> {
  const nets = await loadFaceNets();
  const crop = faceCrop(box, frame.width, frame.height);
  if (!crop) throw new Error('face box lies outside the image');
  const out = getTf().tidy(() =>
    runFaceFeatureNet(nets.landmarks, squareInput(frame, crop, FEATURE_NET_INPUT, 'centre')),
  );
  let relative: Float32Array;
  try {
    relative = (await out.data()) as Float32Array;
  } finally {
    out.dispose();
  }
  // The net answers in [0, 1] of the centred square; face-api removes the padding in units of the
  // crop scaled to 112 (half the side difference on the short axis), then scales to crop pixels.
  const scale = FEATURE_NET_INPUT / Math.max(crop.width, crop.height);
  const scaledWidth = crop.width * scale;
  const scaledHeight = crop.height * scale;
  const padX = scaledWidth < scaledHeight ? Math.abs(scaledWidth - scaledHeight) / 2 : 0;
  const padY = scaledHeight < scaledWidth ? Math.abs(scaledWidth - scaledHeight) / 2 : 0;
  const landmarks: Landmarks68 = [];
  for (let i = 0; i < relative.length; i += 2) {
    landmarks.push(((relative[i]! * FEATURE_NET_INPUT - padX) / scaledWidth) * crop.width + crop.x);
    landmarks.push(((relative[i + 1]! * FEATURE_NET_INPUT - padY) / scaledHeight) * crop.height + crop.y);
  }
  return landmarks;
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
