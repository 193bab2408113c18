import { largestFirst, mergeDetections, squareWindows, type DetectedFace } from '../../../src/ml/face/detect';

const face = (x: number, y: number, size: number, score: number): DetectedFace => ({
  x,
  y,
  width: size,
  height: size,
  score,
});

describe('mergeDetections', () => {
  it('keeps the best-scoring box of overlapping detections and all separate ones', () => {
    const coarse = face(100, 100, 120, 0.6); // loose coarse-pass box
    const fine = face(110, 110, 100, 0.8); // tighter fine-pass box of the same face
    const other = face(400, 100, 90, 0.7);
    const merged = mergeDetections([coarse, other, fine]);
    expect(merged).toEqual([fine, other]);
  });

  it('keeps boxes that only touch (IoU 0) and handles an empty list', () => {
    expect(mergeDetections([face(0, 0, 10, 0.9), face(10, 0, 10, 0.8)])).toHaveLength(2);
    expect(mergeDetections([])).toEqual([]);
  });

  it('treats IoU just above 0.3 as the same face', () => {
    // Two 10×10 boxes offset by 5: intersection 50, union 150, IoU 1/3.
    expect(mergeDetections([face(0, 0, 10, 0.9), face(5, 0, 10, 0.8)])).toHaveLength(1);
    // Offset by 6: intersection 40, union 160, IoU 0.25.
    expect(mergeDetections([face(0, 0, 10, 0.9), face(6, 0, 10, 0.8)])).toHaveLength(2);
  });
});

describe('largestFirst', () => {
  it('orders by box area without mutating the input', () => {
    const input = [face(0, 0, 10, 0.9), face(0, 0, 30, 0.5), face(0, 0, 20, 0.7)];
    expect(largestFirst(input).map((f) => f.width)).toEqual([30, 20, 10]);
    expect(input.map((f) => f.width)).toEqual([10, 30, 20]);
  });
});

describe('squareWindows', () => {
  it('covers a 640×360 frame with enough overlap for a 108 px face', () => {
    // Two windows would overlap by only 80 px, so three are used: offsets 0, 140, 280; overlap 220.
    expect(squareWindows(640, 360, 108)).toEqual([
      { x: 0, y: 0, size: 360 },
      { x: 140, y: 0, size: 360 },
      { x: 280, y: 0, size: 360 },
    ]);
  });

  it('uses two windows when they already overlap enough, and runs vertically for portraits', () => {
    expect(squareWindows(640, 427, 128)).toEqual([
      { x: 0, y: 0, size: 427 },
      { x: 213, y: 0, size: 427 },
    ]);
    expect(squareWindows(427, 640, 128)).toEqual([
      { x: 0, y: 0, size: 427 },
      { x: 0, y: 213, size: 427 },
    ]);
  });

  it('gives one window for a square image and none for an empty one', () => {
    expect(squareWindows(300, 300, 90)).toEqual([{ x: 0, y: 0, size: 300 }]);
    expect(squareWindows(0, 300, 90)).toEqual([]);
  });

  it('keeps every window inside the image and covers both ends', () => {
    for (const [w, h] of [
      [641, 359],
      [1000, 100],
      [100, 1000],
    ] as const) {
      const windows = squareWindows(w, h, 0.3 * Math.min(w, h));
      const long = Math.max(w, h);
      const along = (win: { x: number; y: number }): number => (w >= h ? win.x : win.y);
      expect(along(windows[0]!)).toBe(0);
      expect(along(windows[windows.length - 1]!) + windows[0]!.size).toBe(long);
      for (let i = 1; i < windows.length; i++) {
        const overlap = along(windows[i - 1]!) + windows[0]!.size - along(windows[i]!);
        expect(overlap).toBeGreaterThanOrEqual(Math.floor(0.3 * Math.min(w, h)));
      }
    }
  });
});
