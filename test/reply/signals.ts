/** Small, independent measurements of synthesised speech for the prosody tests. */

/**
 * Median f0 over voiced frames, by normalised autocorrelation on 40 ms frames: a frame is voiced when
 * it is loud enough and its best normalised autocorrelation in 50–400 Hz exceeds 0.5.
 */
export function medianF0(samples: Int16Array, rate: number): number {
  const frame = Math.round(0.04 * rate);
  const hop = Math.round(0.01 * rate);
  const minLag = Math.floor(rate / 400);
  const maxLag = Math.ceil(rate / 50);
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  const f0s: number[] = [];
  for (let start = 0; start + frame + maxLag < samples.length; start += hop) {
    let energy = 0;
    for (let i = 0; i < frame; i++) energy += samples[start + i]! ** 2;
    if (Math.sqrt(energy / frame) < peak * 0.1) continue;
    const r = new Float64Array(maxLag + 1);
    let best = 0;
    for (let lag = minLag; lag <= maxLag; lag++) {
      let xy = 0;
      let yy = 0;
      for (let i = 0; i < frame; i++) {
        const y = samples[start + i + lag]!;
        xy += samples[start + i]! * y;
        yy += y * y;
      }
      r[lag] = xy / Math.sqrt(energy * yy + 1e-9);
      if (r[lag]! > best) best = r[lag]!;
    }
    // Multiples of the period correlate as well as the period itself: take the shortest lag that comes
    // within 10% of the best, at its local peak, to avoid octave errors.
    let bestLag = minLag;
    while (bestLag < maxLag && r[bestLag]! < 0.9 * best) bestLag++;
    while (bestLag < maxLag && r[bestLag + 1]! > r[bestLag]!) bestLag++;
    if (best > 0.5) f0s.push(rate / bestLag);
  }
  if (f0s.length === 0) return 0;
  f0s.sort((a, b) => a - b);
  return f0s[Math.floor(f0s.length / 2)]!;
}

/** Root-mean-square level of the non-silent part (frames above 1% of full scale). */
export function activeRms(samples: Int16Array): number {
  let sum = 0;
  let n = 0;
  for (const s of samples) {
    if (Math.abs(s) > 327) {
      sum += s * s;
      n++;
    }
  }
  return n > 0 ? Math.sqrt(sum / n) : 0;
}

/** Frequency of a pure tone by counting upward zero crossings. */
export function zeroCrossingFrequency(samples: ArrayLike<number>, rate: number): number {
  let crossings = 0;
  for (let i = 1; i < samples.length; i++) if (samples[i - 1]! < 0 && samples[i]! >= 0) crossings++;
  return (crossings * rate) / samples.length;
}
