/**
 * Named expression geometry from 68 facial landmarks (iBUG 300-W layout, as face-api's landmark net
 * outputs). Pure maths on numbers: no tf, no I/O.
 *
 * Normalisation uses rigid parts of the face only, so an expression cannot change its own yardstick:
 * - roll: the face is rotated so the line between the eye centres is horizontal;
 * - horizontal unit: the inter-ocular distance (IOD);
 * - vertical unit: the distance from the eye line down to the base of the nose (point 33).
 * Yaw shortens IOD and pitch shortens the eye–nose height, so each axis is divided by a length that
 * foreshortens the same way, which cancels most of the head turn for small angles.
 * Vertical features are signed "up is positive" (image y points down).
 */

/** A point in whatever pixel frame the landmarks came in. */
interface Point {
  x: number;
  y: number;
}

const LANDMARK_COUNT = 68;

// iBUG 68 indices. "Right"/"left" are the image's left/right (the subject's right appears on the left).
const JAW_CHIN = 8;
const BROW_A = [17, 18, 19, 20, 21] as const; // image-left brow, outer (17) to inner (21)
const BROW_B = [22, 23, 24, 25, 26] as const; // image-right brow, inner (22) to outer (26)
const EYE_A = [36, 37, 38, 39, 40, 41] as const;
const EYE_B = [42, 43, 44, 45, 46, 47] as const;
const NOSE_BASE = 33;
const MOUTH_CORNER_A = 48;
const MOUTH_CORNER_B = 54;
const UPPER_LIP_TOP = 51;
const LOWER_LIP_BOTTOM = 57;
const UPPER_LIP_INNER = 62;
const LOWER_LIP_INNER = 66;

/** Names of the features `landmarkGeometry` returns, in a fixed order. */
export const GEOMETRY_FEATURES = [
  'mouth_width',
  'mouth_open',
  'mouth_height',
  'mouth_corner_lift',
  'upper_lip_curve',
  'lower_lip_curve',
  'corner_below_nose',
  'nose_to_mouth',
  'eye_open',
  'eye_aspect',
  'brow_height',
  'brow_inner_raise',
  'brow_gap',
  'jaw_drop',
  'pose_roll',
  'pose_yaw',
] as const;

export type GeometryFeature = (typeof GEOMETRY_FEATURES)[number];

function mean(points: Point[]): Point {
  const sum = points.reduce((acc, p) => ({ x: acc.x + p.x, y: acc.y + p.y }), { x: 0, y: 0 });
  return { x: sum.x / points.length, y: sum.y / points.length };
}

/**
 * Pose- and scale-normalised geometry of one face. `flat` holds 68 points as `[x0, y0, x1, y1, ...]`
 * in any consistent pixel frame (the box-relative frame works as well as image pixels). Returns null
 * when the input is not 68 finite points or the face is degenerate (zero eye distance or nose height).
 */
export function landmarkGeometry(flat: readonly number[]): Record<GeometryFeature, number> | null {
  if (flat.length !== LANDMARK_COUNT * 2 || flat.some((v) => !Number.isFinite(v))) return null;
  const raw: Point[] = [];
  for (let i = 0; i < LANDMARK_COUNT; i++) raw.push({ x: flat[2 * i]!, y: flat[2 * i + 1]! });

  const eyeA = mean(EYE_A.map((i) => raw[i]!));
  const eyeB = mean(EYE_B.map((i) => raw[i]!));
  const iod = Math.hypot(eyeB.x - eyeA.x, eyeB.y - eyeA.y);
  if (iod <= 1e-9) return null;
  const roll = Math.atan2(eyeB.y - eyeA.y, eyeB.x - eyeA.x);
  const origin = { x: (eyeA.x + eyeB.x) / 2, y: (eyeA.y + eyeB.y) / 2 };
  const cos = Math.cos(-roll);
  const sin = Math.sin(-roll);
  // Upright frame: eye midpoint at the origin, eyes on the x axis, y still pointing down.
  const upright = raw.map((p) => {
    const dx = p.x - origin.x;
    const dy = p.y - origin.y;
    return { x: dx * cos - dy * sin, y: dx * sin + dy * cos };
  });
  const noseHeight = upright[NOSE_BASE]!.y;
  if (noseHeight <= 1e-9) return null;
  // Normalised frame: x in IODs, y in eye-to-nose heights, and y flipped so "up" is positive.
  const p = upright.map((q) => ({ x: q.x / iod, y: -q.y / noseHeight }));
  const at = (i: number): Point => p[i]!;
  const avgY = (indices: readonly number[]): number => indices.reduce((s, i) => s + at(i).y, 0) / indices.length;

  const cornersY = (at(MOUTH_CORNER_A).y + at(MOUTH_CORNER_B).y) / 2;
  const mouthCentreY = (at(UPPER_LIP_INNER).y + at(LOWER_LIP_INNER).y) / 2;
  const eyeOpen = (eye: readonly number[]): number =>
    // Upper lid (1, 2) above lower lid (5, 4): y up, so upper minus lower is positive when open.
    (at(eye[1]!).y - at(eye[5]!).y + at(eye[2]!).y - at(eye[4]!).y) / 2;
  const eyeWidth = (eye: readonly number[]): number => Math.abs(at(eye[3]!).x - at(eye[0]!).x);
  const eyeLineY = 0; // the origin is on the eye line by construction

  const browInnerY = (at(BROW_A[4]).y + at(BROW_B[0]).y) / 2;
  const browOuterY = (at(BROW_A[0]).y + at(BROW_B[4]).y) / 2;
  const openA = eyeOpen(EYE_A);
  const openB = eyeOpen(EYE_B);

  // Yaw proxy: the nose base's horizontal offset from the eye midpoint, in IODs (0 when frontal).
  const yaw = at(NOSE_BASE).x;

  return {
    mouth_width: Math.abs(at(MOUTH_CORNER_B).x - at(MOUTH_CORNER_A).x),
    mouth_open: at(UPPER_LIP_INNER).y - at(LOWER_LIP_INNER).y,
    mouth_height: at(UPPER_LIP_TOP).y - at(LOWER_LIP_BOTTOM).y,
    // Smile lifts the corners above the mouth centre; sadness pulls them below it.
    mouth_corner_lift: cornersY - mouthCentreY,
    upper_lip_curve: cornersY - at(UPPER_LIP_INNER).y,
    lower_lip_curve: cornersY - at(LOWER_LIP_INNER).y,
    // Corners measured from the rigid nose base: independent of how far the mouth opens.
    corner_below_nose: at(NOSE_BASE).y - cornersY,
    nose_to_mouth: at(NOSE_BASE).y - at(UPPER_LIP_TOP).y,
    eye_open: (openA + openB) / 2,
    eye_aspect: (openA / Math.max(eyeWidth(EYE_A), 1e-9) + openB / Math.max(eyeWidth(EYE_B), 1e-9)) / 2,
    brow_height: (avgY(BROW_A) + avgY(BROW_B)) / 2 - eyeLineY,
    // AU1 (inner brow raiser), typical of sadness: inner ends rise relative to outer ends.
    brow_inner_raise: browInnerY - browOuterY,
    // AU4 (brow lowerer) draws the inner ends together.
    brow_gap: Math.abs(at(BROW_B[0]).x - at(BROW_A[4]).x),
    jaw_drop: eyeLineY - at(JAW_CHIN).y,
    pose_roll: roll,
    pose_yaw: yaw,
  };
}
