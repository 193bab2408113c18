import { genericFaceProbabilities, NEGATIVE_BOOST } from '../../../src/ml/face/generic';
import { DEFAULT_EMOTIONS } from '../../../src/ml/types';

function expressions(values: Partial<Record<string, number>>): { expressions: Record<string, number> } {
  const base = { neutral: 0, happy: 0, sad: 0, angry: 0, fearful: 0, disgusted: 0, surprised: 0 };
  return { expressions: { ...base, ...values } };
}

function sum(record: Record<string, number>): number {
  return Object.values(record).reduce((a, b) => a + b, 0);
}

function argmax(record: Record<string, number>): string {
  return Object.entries(record).reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}

describe('genericFaceProbabilities', () => {
  it('gives fixed probabilities for a mixed face on the default set', () => {
    const p = genericFaceProbabilities(
      expressions({ neutral: 0.5, happy: 0.3, sad: 0.01, angry: 0.01, surprised: 0.18 }),
      DEFAULT_EMOTIONS,
    );
    // Scores: neutral 0.5, happy 0.3, sad (0.01 + 0.01) × 20 = 0.4; surprise has no label, so its
    // 0.18 is shared (0.06 each). Shares of 1.38, then a 0.01 floor, renormalised by 1.03.
    expect(NEGATIVE_BOOST).toBe(20);
    expect(p.neutral).toBeCloseTo((0.56 / 1.38 + 0.01) / 1.03, 9);
    expect(p.happy).toBeCloseTo((0.36 / 1.38 + 0.01) / 1.03, 9);
    expect(p.sad).toBeCloseTo((0.46 / 1.38 + 0.01) / 1.03, 9);
    expect(sum(p)).toBeCloseTo(1, 12);
    expect(Object.keys(p)).toEqual(['happy', 'neutral', 'sad']);
  });

  it('keeps a plainly neutral face neutral', () => {
    const p = genericFaceProbabilities(
      expressions({ neutral: 0.99, sad: 0.002, angry: 0.003, happy: 0.005 }),
      DEFAULT_EMOTIONS,
    );
    expect(argmax(p)).toBe('neutral');
  });

  it('reads the quiet sadness the net calls "neutral" as sad', () => {
    const p = genericFaceProbabilities(
      expressions({ neutral: 0.9, sad: 0.05, angry: 0.03, fearful: 0.02 }),
      DEFAULT_EMOTIONS,
    );
    expect(argmax(p)).toBe('sad');
  });

  it('sends negative expressions to the set\'s negative label when "sad" is missing', () => {
    const p = genericFaceProbabilities(expressions({ happy: 0.5, sad: 0.5 }), ['happy', 'angry']);
    expect(p.angry).toBeCloseTo((10 / 10.5 + 0.01) / 1.02, 9);
  });

  it("matches synonyms and keeps the caller's labels", () => {
    const p = genericFaceProbabilities(expressions({ happy: 1 }), ['Joy', 'calm', 'sadness']);
    expect(Object.keys(p)).toEqual(['Joy', 'calm', 'sadness']);
    expect(argmax(p)).toBe('Joy');
  });

  it('gives unknown emotions an even share of what no label claims', () => {
    const p = genericFaceProbabilities(expressions({ neutral: 1 }), ['happy', 'bored']);
    expect(p.happy).toBeCloseTo(0.5, 9);
    expect(p.bored).toBeCloseTo(0.5, 9);
    const q = genericFaceProbabilities(expressions({ neutral: 0.6, happy: 0.4 }), ['happy', 'bored', 'sleepy']);
    // happy 0.4 + 0.2 of the shared 0.6; bored and sleepy 0.2 each.
    expect(q.happy).toBeCloseTo((0.6 + 0.01) / 1.03, 9);
    expect(q.bored).toBeCloseTo((0.2 + 0.01) / 1.03, 9);
  });

  it('maps surprise to a "surprised" label when the set has one', () => {
    const p = genericFaceProbabilities(expressions({ surprised: 0.9, neutral: 0.1 }), ['neutral', 'surprised']);
    expect(argmax(p)).toBe('surprised');
  });

  it('handles degenerate input without crashing', () => {
    expect(genericFaceProbabilities(expressions({ happy: 1 }), [])).toEqual({});
    const zeros = genericFaceProbabilities(expressions({}), DEFAULT_EMOTIONS);
    for (const value of Object.values(zeros)) expect(value).toBeCloseTo(1 / 3, 9);
    const junk = genericFaceProbabilities(
      { expressions: { happy: Number.NaN, neutral: -5, sad: Infinity } },
      DEFAULT_EMOTIONS,
    );
    expect(sum(junk)).toBeCloseTo(1, 12);
    for (const value of Object.values(junk)) expect(Number.isFinite(value)).toBe(true);
    const duplicates = genericFaceProbabilities(expressions({ happy: 1 }), ['happy', 'happy', 'sad']);
    expect(Object.keys(duplicates)).toEqual(['happy', 'sad']);
  });
});
