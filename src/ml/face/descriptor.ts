import type { Tensor3D } from '@tensorflow/tfjs';
import { getTf } from '../tf';
import { runFaceRecognitionNet, RECOGNITION_INPUT } from './nets/faceRecognitionNet';
import { squareInput, type PixelBox } from './nets/layers';
import { loadFaceNets } from './models';

/**
 * The 128-d identity embedding of the face in `box` of `image` (`[h, w, 3]`); the region is padded
 * to a square around its centre and resized to 150×150, as face-api does. Omit `box` for the whole image.
 */
export async function predictDescriptor(image: Tensor3D, box?: PixelBox): Promise<number[]> {
  const nets = await loadFaceNets();
  const region = box ?? { x: 0, y: 0, width: image.shape[1], height: image.shape[0] };
  const out = getTf().tidy(() => runFaceRecognitionNet(nets.recognition, squareInput(image, region, RECOGNITION_INPUT, 'centre')));
  try {
    return Array.from(await out.data());
  } finally {
    out.dispose();
  }
}
