import { decodeImage, type DecodedImage, type DecodeOptions } from '../image';
import { fail, ok, type FaceFeatures, type Result } from '../types';
import { predictDescriptor } from './descriptor';
import { detectFaces, type DetectedFace } from './detect';
import { predictExpressions } from './expressions';
import { landmarkGeometry } from './geometry';
import { alignedBox, predictLandmarks } from './landmarks';
import { loadFaceNets } from './models';

/** Options for `analyzeFace`: the decoder's limits plus the smallest face worth reading. */
export interface AnalyzeFaceOptions extends DecodeOptions {
  /** Shorter side of the face box, in pixels of the original image, below which it is refused. Default 64. */
  minFaceSize?: number;
  /**
   * Compute the 128-d identity descriptor (default true). It is the slowest net (~25 of ~60 ms for a
   * 720p selfie on this machine); a caller that only reads emotion can pass false and gets
   * `descriptor: []`.
   */
  descriptor?: boolean;
}

const DEFAULT_MIN_FACE_SIZE = 64;

/** Landmarks as fractions of the detection box, as FaceFeatures documents. */
function relativeToBox(landmarks: number[], box: DetectedFace): number[] {
  return landmarks.map((v, i) => (i % 2 === 0 ? (v - box.x) / box.width : (v - box.y) / box.height));
}

async function readFace(
  decoded: DecodedImage,
  face: DetectedFace,
  faceCount: number,
  withDescriptor: boolean,
): Promise<FaceFeatures | null> {
  const landmarks = await predictLandmarks(decoded, face);
  const geometry = landmarkGeometry(landmarks);
  if (!geometry) return null;
  // Expressions and the descriptor both read the landmark-aligned crop (as face-api's own pipeline
  // does), floored to whole pixels as face-api's crop is.
  const aligned = alignedBox(landmarks, decoded.width, decoded.height);
  const region = {
    x: Math.floor(aligned.x),
    y: Math.floor(aligned.y),
    width: Math.floor(aligned.width),
    height: Math.floor(aligned.height),
  };
  // Landmarks that fall (almost) entirely outside the image leave nothing to crop.
  if (region.width < 2 || region.height < 2) return null;
  const expressions = await predictExpressions(decoded, region);
  const descriptor = withDescriptor ? await predictDescriptor(decoded, region) : [];
  const toOriginal = 1 / decoded.scale;
  return {
    faceCount,
    box: {
      x: face.x * toOriginal,
      y: face.y * toOriginal,
      width: face.width * toOriginal,
      height: face.height * toOriginal,
    },
    score: face.score,
    expressions,
    landmarks: relativeToBox(landmarks, face),
    descriptor,
    geometry,
  };
}

/**
 * Decode an image and read its largest face: expressions, landmarks, geometry and identity descriptor.
 * Expected problems (bad bytes, no face, a face too small to read) come back as typed failures.
 */
export async function analyzeFace(bytes: Uint8Array, opts: AnalyzeFaceOptions = {}): Promise<Result<FaceFeatures>> {
  const minFaceSize = opts.minFaceSize ?? DEFAULT_MIN_FACE_SIZE;
  const decoded = await decodeImage(bytes, opts);
  if (!decoded.ok) return decoded;
  await loadFaceNets();
  const { scale } = decoded.value;
  const faces = await detectFaces(decoded.value);
  const largest = faces[0];
  if (!largest) return fail('no_face', 'No face was found in the image.');
  const shortSide = Math.min(largest.width, largest.height) / scale;
  if (shortSide < minFaceSize) {
    return fail(
      'face_too_small',
      `The face is about ${Math.round(shortSide)} px across; at least ${minFaceSize} px is needed. Move closer or crop the photo.`,
    );
  }
  const features = await readFace(decoded.value, largest, faces.length, opts.descriptor ?? true);
  if (!features) return fail('no_face', 'A face-like region was found but its landmarks are degenerate.');
  return ok(features);
}
