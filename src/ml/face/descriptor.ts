import { getTf } from '../tf';
import { loadFaceNets } from './models';
import { RECOGNITION_INPUT, runFaceRecognitionNet } from './nets/faceRecognitionNet';
import { squareInput, type PixelBox, type RgbFrame } from './nets/layers';

/**
 * The 128-d identity embedding of the face in `box` of `frame`; the region is padded to a square
 * around its centre and resized to 150×150, as face-api does. Omit `box` for the whole frame.
 *
 * It runs in the calling thread. A thread of its own (a second tf WASM runtime holding only this net,
 * run while this thread reads the expressions) was built and measured: +35–45 MB resident, and no
 * gain per analysis on this 2-vCPU machine (interleaved A/B, 96 runs each: 65.1 ms vs 62.8 inline),
 * because two SIMD-heavy threads slow each other here (two descriptors at once took 44 ms vs 37 for
 * one) and the overlap with the expression net is only ~8 ms.
 */
export async function predictDescriptor(frame: RgbFrame, box?: PixelBox): Promise<number[]> {
  const { recognition } = await loadFaceNets();
  const region = box ?? { x: 0, y: 0, width: frame.width, height: frame.height };
  const out = getTf().tidy(() =>
    runFaceRecognitionNet(recognition, squareInput(frame, region, RECOGNITION_INPUT, 'centre')),
  );
  try {
    return Array.from(await out.data());
  } finally {
    out.dispose();
  }
}
