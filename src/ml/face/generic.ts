/**
 * The generic (uncalibrated) face model: face-api's seven expression probabilities mapped onto any
 * emotion set. Pure code, no tf. Its numbers and words are data, models/generic-face.json (why each
 * number is what it is: models/README.md), applied here by two ideas, each one parameter, neither
 * fitted on the scored Yale rows:
 *
 * 1. The expression net under-calls negative expressions: a quietly sad face comes out "neutral" with
 *    a few percent spread over sad/angry/fearful/disgusted. Their mass is pooled as negative evidence
 *    and counted `negativeBoost` times (20: on Yale's 74 neutral-expression photos the
 *    negative/neutral ratio is at most 0.02 in 90 % of faces; scripts/face-neutral-baseline.ts).
 * 2. Mass the target set has no label for is not thrown away: a negative expression goes to the
 *    set's negative label (sad first), and anything left (surprise with no "surprised" label, or a
 *    set without a matching label) is shared evenly, so unknown emotions get a fair, small share.
 */
import { z } from 'zod';
import mappingJson from '../../../models/generic-face.json';
import { EXPRESSION_LABELS, type Emotion, type FaceExpression, type FaceFeatures, type Probabilities } from '../types';

const expression = z.enum(EXPRESSION_LABELS);
const mappingSchema = z.object({
  about: z.string(),
  /** How much more a negative expression counts than the net's raw output. */
  negativeBoost: z.number().positive(),
  /** Added to every class so no emotion is ever impossible (fusion multiplies probabilities). */
  floor: z.number().positive().max(0.1),
  /** The negative-valence expressions, in the order their mass looks for a label. */
  negative: z.array(expression),
  /** Words people use for each of face-api's labels; a target label is matched case-insensitively. */
  synonyms: z.record(expression, z.array(z.string().min(1))),
});

/** models/generic-face.json, checked when this module loads (a bad edit fails at start, not mid-answer). */
const MAPPING = mappingSchema.parse(mappingJson);

/** How much more a negative expression counts than the net's raw output (see above). */
export const NEGATIVE_BOOST = MAPPING.negativeBoost;
const FLOOR = MAPPING.floor;
const NEGATIVE: readonly FaceExpression[] = MAPPING.negative;
const SYNONYMS: Record<FaceExpression, readonly string[]> = MAPPING.synonyms;
const EXPRESSIONS: readonly FaceExpression[] = EXPRESSION_LABELS;

function expressionOf(label: Emotion): FaceExpression | null {
  const key = label.trim().toLowerCase();
  return EXPRESSIONS.find((expression) => SYNONYMS[expression].includes(key)) ?? null;
}

/** Where an expression's mass goes when the set has no label for it: its negative-valence kin. */
function fallbackTarget(expression: FaceExpression, targets: ReadonlyMap<FaceExpression, Emotion>): Emotion | null {
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
  const targets = new Map<FaceExpression, Emotion>();
  for (const label of labels) {
    const expression = expressionOf(label);
    if (expression && !targets.has(expression)) targets.set(expression, label);
  }

  const scores = new Map<Emotion, number>(labels.map((label) => [label, 0]));
  const add = (label: Emotion, mass: number) => scores.set(label, (scores.get(label) ?? 0) + mass);
  let unassigned = 0;
  for (const expression of EXPRESSIONS) {
    const raw = face.expressions[expression] ?? 0;
    const mass = (Number.isFinite(raw) && raw > 0 ? raw : 0) * (NEGATIVE.includes(expression) ? NEGATIVE_BOOST : 1);
    const target = targets.get(expression) ?? fallbackTarget(expression, targets);
    if (target !== null) add(target, mass);
    else unassigned += mass;
  }
  for (const label of labels) add(label, unassigned / labels.length);

  const total = labels.reduce((sum, label) => sum + (scores.get(label) ?? 0), 0);
  const probabilities: Probabilities = {};
  for (const label of labels) {
    const share = total > 0 ? (scores.get(label) ?? 0) / total : 1 / labels.length;
    probabilities[label] = (share + FLOOR) / (1 + FLOOR * labels.length);
  }
  return probabilities;
}
