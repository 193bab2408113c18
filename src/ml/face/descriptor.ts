import { getTf } from '../tf';
import { runFaceRecognitionNet, RECOGNITION_INPUT } from './nets/faceRecognitionNet';
import { squareInput, type PixelBox, type RgbFrame } from './nets/layers';
import { loadFaceNets } from './models';

/**
 * The 128-d identity embedding of the face in `box` of `frame`; the region is padded to a square
 * around its centre and resized to 150×150, as face-api does. Omit `box` for the whole frame.
 */
export async function predictDescriptor(frame: RgbFrame, box?: PixelBox): Promise<number[]> {
  const nets = await loadFaceNets();
  const region = box ?? { x: 0, y: 0, width: frame.width, height: frame.height };
  const out = getTf().tidy(() => runFaceRecognitionNet(nets.recognition, squareInput(frame, region, RECOGNITION_INPUT, 'centre')));
  try {
    return Array.from(await out.data());
  } finally {
    out.dispose();
  }
}
