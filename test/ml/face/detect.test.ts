import { largestFirst, mergeDetections, type DetectedFace } from '../../../src/ml/face/detect';

const face = (x: number, y: number, size: number, score: number): DetectedFace => ({ x, y, width: size, height: size, score });

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
