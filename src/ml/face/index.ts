/**
 * The face pipeline's public names: read a photo (`analyzeFace`), or run its steps one by one (the
 * scripts that compare variants). Loading this module loads sharp and the nets' code, so code outside
 * the analysis thread that needs only the generic (uncalibrated) mapping imports `./generic`, which is
 * pure and light.
 */
export { analyzeFace, type AnalyzeFaceOptions } from './analyze';
export { detectFaces, type DetectedFace } from './detect';
export { predictLandmarks, alignedBox } from './landmarks';
export { predictExpressions } from './expressions';
export { predictDescriptor } from './descriptor';
export { loadFaceNets, faceApiModelDir } from './models';
export type { PixelBox } from './nets/layers';
