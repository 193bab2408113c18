import type { Tensor3D } from '@tensorflow/tfjs';
import { loadFaceNets } from './models';

/** The 128-d identity embedding of one aligned face crop (`[h, w, 3]`; the net resizes to 150×150). */
export async function predictDescriptor(faceCrop: Tensor3D): Promise<number[]> {
  const nets = await loadFaceNets();
  const found = await nets.faceRecognitionNet.computeFaceDescriptor(faceCrop);
  const descriptor = Array.isArray(found) ? found[0]! : found;
  return Array.from(descriptor);
}
