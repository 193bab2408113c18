import { RealFft, realFft } from '../../../src/ml/audio/fft';

function naiveDft(x: Float64Array): { re: number[]; im: number[] } {
  const n = x.length;
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k <= n / 2; k++) {
    let r = 0;
    let i = 0;
    for (let t = 0; t < n; t++) {
      r += x[t]! * Math.cos((2 * Math.PI * k * t) / n);
      i -= x[t]! * Math.sin((2 * Math.PI * k * t) / n);
    }
    re.push(r);
    im.push(i);
  }
  return { re, im };
}

describe('RealFft', () => {
  it.each([4, 8, 64, 512])('matches a naive DFT at size %i and inverts exactly', (n) => {
    const x = Float64Array.from(
      { length: n },
      (_, t) => Math.sin(t * 0.37) + 0.25 * Math.cos(t * 1.9) + ((t % 5) - 2) * 0.1,
    );
    const fft = new RealFft(n);
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    fft.forward(x, re, im);
    const ref = naiveDft(x);
    for (let k = 0; k <= n / 2; k++) {
      expect(re[k]).toBeCloseTo(ref.re[k]!, 9);
      expect(im[k]).toBeCloseTo(ref.im[k]!, 9);
    }
    const back = new Float64Array(n);
    fft.inverse(re, im, back);
    for (let t = 0; t < n; t++) expect(back[t]).toBeCloseTo(x[t]!, 12);
  });

  it('zero-pads input shorter than the size', () => {
    const fft = realFft(16);
    const re = new Float64Array(9);
    const im = new Float64Array(9);
    fft.forward([1, 0, 0], re, im);
    // An impulse has a flat spectrum.
    for (let k = 0; k <= 8; k++) {
      expect(re[k]).toBeCloseTo(1, 12);
      expect(im[k]).toBeCloseTo(0, 12);
    }
  });

  it('puts a bin-centred sine in its bin', () => {
    const n = 256;
    const x = Float64Array.from({ length: n }, (_, t) => Math.cos((2 * Math.PI * 10 * t) / n));
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    realFft(n).forward(x, re, im);
    expect(re[10]).toBeCloseTo(n / 2, 9);
    expect(Math.hypot(re[11]!, im[11]!)).toBeLessThan(1e-9);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFft(100)).toThrow(RangeError);
    expect(() => new RealFft(2)).toThrow(RangeError);
  });
});
