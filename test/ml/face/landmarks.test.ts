import { alignedBox } from '../../../src/ml/face/landmarks';

describe('alignedBox', () => {
  it('pads the landmarks bounding box by 10 % on each side', () => {
    // Points spanning x 100..200, y 50..250.
    const landmarks = [100, 50, 200, 250, 150, 150];
    expect(alignedBox(landmarks, 1000, 1000)).toEqual({ x: 90, y: 30, width: 120, height: 240, score: 1 });
  });

  it('clips to the image', () => {
    const landmarks = [-20, -10, 80, 90];
    expect(alignedBox(landmarks, 70, 1000)).toEqual({ x: 0, y: 0, width: 70, height: 100, score: 1 });
  });

  it('gives an empty box when the landmarks lie outside the image', () => {
    const box = alignedBox([500, 500, 600, 600], 100, 100);
    expect(box.width).toBeLessThanOrEqual(0);
  });
});
