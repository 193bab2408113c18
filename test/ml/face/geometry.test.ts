import { GEOMETRY_FEATURES, landmarkGeometry } from '../../../src/ml/face/geometry';

type Pt = [number, number];

/** A symmetric frontal face in its own units: eyes at (±1, 0), nose base 1.5 below the eye line. */
function templateFace(): Pt[] {
  const points: Pt[] = Array.from({ length: 68 }, () => [0, 1] as Pt);
  const set = (i: number, x: number, y: number): void => {
    points[i] = [x, y];
  };
  // Eyes (36–41 image-left, 42–47 image-right): corners, upper lid, lower lid.
  set(36, -1.3, 0);
  set(37, -1.1, -0.1);
  set(38, -0.9, -0.1);
  set(39, -0.7, 0);
  set(40, -0.9, 0.1);
  set(41, -1.1, 0.1);
  set(42, 0.7, 0);
  set(43, 0.9, -0.1);
  set(44, 1.1, -0.1);
  set(45, 1.3, 0);
  set(46, 1.1, 0.1);
  set(47, 0.9, 0.1);
  // Brows: outer ends 0.5 above the eye line, middles 0.7, inner ends 0.6.
  set(17, -1.6, -0.5);
  set(18, -1.3, -0.7);
  set(19, -1.0, -0.7);
  set(20, -0.7, -0.7);
  set(21, -0.4, -0.6);
  set(22, 0.4, -0.6);
  set(23, 0.7, -0.7);
  set(24, 1.0, -0.7);
  set(25, 1.3, -0.7);
  set(26, 1.6, -0.5);
  set(33, 0, 1.5); // nose base
  set(48, -0.8, 2.4);
  set(54, 0.8, 2.4); // mouth corners
  set(51, 0, 2.1);
  set(57, 0, 2.7); // outer lip top / bottom
  set(62, 0, 2.35);
  set(66, 0, 2.45); // inner lip top / bottom
  set(8, 0, 3.9); // chin
  return points;
}

function flatten(points: Pt[]): number[] {
  return points.flatMap(([x, y]) => [x, y]);
}

/** Rotate by `angle` (image frame, y down), scale and translate: what a tilted, distant face does. */
function transform(points: Pt[], angle: number, scale: number, dx: number, dy: number): Pt[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return points.map(([x, y]) => [scale * (x * c - y * s) + dx, scale * (x * s + y * c) + dy]);
}

const EXPECTED = {
  mouth_width: 0.8,
  mouth_open: 0.1 / 1.5,
  mouth_height: 0.4,
  mouth_corner_lift: 0,
  upper_lip_curve: (2.35 - 2.4) / 1.5,
  lower_lip_curve: (2.45 - 2.4) / 1.5,
  corner_below_nose: 0.6,
  nose_to_mouth: 0.4,
  eye_open: 0.2 / 1.5,
  eye_aspect: 0.2 / 1.5 / 0.3,
  brow_height: 0.64 / 1.5, // (0.5 + 3 × 0.7 + 0.6) / 5 above the eye line
  brow_inner_raise: 0.1 / 1.5,
  brow_gap: 0.4,
  jaw_drop: 2.6,
  pose_roll: 0,
  pose_yaw: 0,
};

describe('landmarkGeometry', () => {
  it('measures the template face with fixed values', () => {
    const geometry = landmarkGeometry(flatten(templateFace()));
    expect(geometry).not.toBeNull();
    expect(Object.keys(geometry!)).toEqual([...GEOMETRY_FEATURES]);
    for (const [name, value] of Object.entries(EXPECTED))
      expect(geometry![name as keyof typeof EXPECTED]).toBeCloseTo(value, 9);
  });

  it('is unchanged by in-plane rotation, scale and translation (apart from the reported roll)', () => {
    const moved = landmarkGeometry(flatten(transform(templateFace(), 0.3, 57, 300, 200)));
    expect(moved).not.toBeNull();
    for (const [name, value] of Object.entries(EXPECTED)) {
      const expected = name === 'pose_roll' ? 0.3 : value;
      expect(moved![name as keyof typeof EXPECTED]).toBeCloseTo(expected, 9);
    }
  });

  it('sees a smile as lifted mouth corners, and a frown as lowered ones', () => {
    const smile = templateFace();
    smile[48] = [-0.85, 2.25];
    smile[54] = [0.85, 2.25];
    const smiling = landmarkGeometry(flatten(smile))!;
    expect(smiling.mouth_corner_lift).toBeCloseTo(0.15 / 1.5, 9);
    expect(smiling.corner_below_nose).toBeCloseTo(0.75 / 1.5, 9);
    expect(smiling.mouth_width).toBeCloseTo(0.85, 9);
    const frown = templateFace();
    frown[48] = [-0.8, 2.55];
    frown[54] = [0.8, 2.55];
    expect(landmarkGeometry(flatten(frown))!.mouth_corner_lift).toBeCloseTo(-0.15 / 1.5, 9);
  });

  it('sees raised inner brows (the sadness brow)', () => {
    const face = templateFace();
    face[21] = [-0.4, -0.9];
    face[22] = [0.4, -0.9];
    expect(landmarkGeometry(flatten(face))!.brow_inner_raise).toBeCloseTo(0.4 / 1.5, 9);
  });

  it('reports yaw as the nose offset from the eye midpoint in eye distances', () => {
    const face = templateFace();
    face[33] = [0.3, 1.5];
    expect(landmarkGeometry(flatten(face))!.pose_yaw).toBeCloseTo(0.15, 9);
  });

  it('returns null for bad input', () => {
    expect(landmarkGeometry([])).toBeNull();
    expect(landmarkGeometry(flatten(templateFace()).slice(0, 135))).toBeNull();
    const withNaN = flatten(templateFace());
    withNaN[10] = Number.NaN;
    expect(landmarkGeometry(withNaN)).toBeNull();
    // All points in one spot: no eye distance to measure with.
    expect(landmarkGeometry(new Array(136).fill(5))).toBeNull();
    // Nose base above the eyes: an upside-down or broken landmark set.
    const upsideDown = templateFace();
    upsideDown[33] = [0, -1.5];
    expect(landmarkGeometry(flatten(upsideDown))).toBeNull();
  });
});
