/**
 * The generic (uncalibrated) face model: face-api's seven expression probabilities mapped onto any
 * emotion set. Pure code, no tf. Two ideas, each one parameter, neither fitted on the scored Yale rows:
 *
 * 1. The expression net under-calls negative expressions: a quietly sad face comes out "neutral" with
 *    a few percent spread over sad/angry/fearful/disgusted. All four are negative valence, so their
 *    mass is pooled as negative evidence and counted `NEGATIVE_BOOST` times. The factor comes from
 *    Yale's neutral-expression photos (glasses, noglasses, centre/left/right light; 74 photos, not the
 *    scored happy/normal/sad rows; scripts/face-neutral-baseline.ts): there the negative/neutral ratio
 *    is at most 0.02 in 90 % of faces, so sad overtakes neutral only above 1/20 = 0.05.
 * 2. Mass the target set has no label for is not thrown away: a negative expression goes to the
 *    set's negative label (sad first), and anything left (surprise with no "surprised" label, or a
 *    set without a matching label) is shared evenly, so unknown emotions get a fair, small share.
 */
import type { Emotion, FaceFeatures, Probabilities } from '../types';

/** How much more a negative expression counts than the net's raw output (see above). */
export const NEGATIVE_BOOST = 20;
/** Floor added to every class so no emotion is ever impossible (fusion multiplies probabilities). */
const FLOOR = 0.01;

type Expression = 'neutral' | 'happy' | 'sad' | 'angry' | 'fearful' | 'disgusted' | 'surprised';
const EXPRESSIONS: readonly Expression[] = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];
const NEGATIVE: readonly Expression[] = ['sad', 'angry', 'fearful', 'disgusted'];

/** Words people use for face-api's seven labels; a target label is matched case-insensitively. */
const SYNONYMS: Record<Expression, readonly string[]> = {
  neutral: ['neutral', 'normal', 'calm', 'none', 'relaxed'],
  happy: ['happy', 'happiness', 'joy', 'joyful', 'glad', 'content', 'cheerful', 'excited'],
  sad: ['sad', 'sadness', 'unhappy', 'down', 'upset', 'gloomy'],
  angry: ['angry', 'anger', 'mad', 'annoyed', 'frustrated'],
  fearful: ['fearful', 'fear', 'afraid', 'scared', 'anxious', 'nervous', 'worried'],
  disgusted: ['disgusted', 'disgust'],
  surprised: ['surprised', 'surprise', 'shocked', 'amazed'],
};

function expressionOf(label: Emotion): Expression | null {
  const key = label.trim().toLowerCase();
  return EXPRESSIONS.find((expression) => SYNONYMS[expression].includes(key)) ?? null;
}

/** Where an expression's mass goes when the set has no label for it: its negative-valence kin. */
function fallbackTarget(expression: Expression, targets: ReadonlyMap<Expression, Emotion>): Emotion | null {
  if (!NEGATIVE.includes(expression)) return null;
  for (const kin of NEGATIVE) {
    const label = targets.get(kin);
    if (label !== undefined) return label;
  }
  return null;
}

/**
 * Probabilities over `emotions` (default order kept; values sum to 1) from one face's expressions.
 * An empty emotion list gives an empty record.
 */
export function genericFaceProbabilities(
  face: Pick<FaceFeatures, 'expressions'>,
  emotions: readonly Emotion[],
): Probabilities {
  const labels = [...new Set(emotions)];
  if (labels.length === 0) return {};
  const targets = new Map<Expression, Emotion>();
  for (const label of labels) {
    const expression = expressionOf(label);
    if (expression && !targets.has(expression)) targets.set(expression, label);
  }

  const scores: Record<Emotion, number> = Object.fromEntries(labels.map((label) => [label, 0]));
  let unassigned = 0;
  for (const expression of EXPRESSIONS) {
    const raw = face.expressions[expression];
    const mass = (Number.isFinite(raw) && raw! > 0 ? raw! : 0) * (NEGATIVE.includes(expression) ? NEGATIVE_BOOST : 1);
    const target = targets.get(expression) ?? fallbackTarget(expression, targets);
    if (target !== null && target !== undefined) scores[target]! += mass;
    else unassigned += mass;
  }
  for (const label of labels) scores[label]! += unassigned / labels.length;

  const total = labels.reduce((sum, label) => sum + scores[label]!, 0);
  const probabilities: Probabilities = {};
  for (const label of labels) {
    const share = total > 0 ? scores[label]! / total : 1 / labels.length;
    probabilities[label] = (share + FLOOR) / (1 + FLOOR * labels.length);
  }
  return probabilities;
}
