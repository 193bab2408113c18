import type { Prediction, SignalReading } from '../../ml/types';

const EMOJI: Record<string, string> = {
  happy: '😊',
  neutral: '😐',
  sad: '😢',
  angry: '😠',
  surprised: '😮',
  fearful: '😨',
};

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

/** One signal's reading: "happy 😊 (82%)", or "not sure (maybe sad, 41%)" when uncertain. */
export function formatSignal(reading: SignalReading): string {
  const emoji = EMOJI[reading.emotion] ? ` ${EMOJI[reading.emotion]}` : '';
  return reading.uncertain
    ? `not sure (maybe ${reading.emotion}, ${percent(reading.confidence)})`
    : `${reading.emotion}${emoji} (${percent(reading.confidence)})`;
}

/**
 * The emotion part of an /ask answer: each signal with its confidence, then the fused reading,
 * plus a note when the generic (uncalibrated) face model served the person.
 */
export function formatReading(
  prediction: Prediction | null,
  notes: { noFaceReason?: string; noVoiceReason?: string; calibrated?: boolean } = {},
): string {
  if (!prediction) {
    const why = [notes.noFaceReason, notes.noVoiceReason].filter(Boolean).join(' ');
    return `**How you came across:** nothing to read from${why ? ` (${why})` : ''}, so I answered neutrally.`;
  }
  const lines: string[] = [];
  lines.push(
    `**Face:** ${prediction.face ? formatSignal(prediction.face) : `—${notes.noFaceReason ? ` ${notes.noFaceReason}` : ''}`}`,
  );
  lines.push(
    `**Voice:** ${prediction.voice ? formatSignal(prediction.voice) : `—${notes.noVoiceReason ? ` ${notes.noVoiceReason}` : ''}`}`,
  );
  const fused = prediction.fused.uncertain
    ? `I'm not sure how you feel (maybe ${prediction.fused.emotion}, ${percent(prediction.fused.confidence)})`
    : formatSignal(prediction.fused);
  lines.push(`**Overall:** ${fused}`);
  if (prediction.generic && !notes.calibrated) {
    lines.push(
      '_Not calibrated yet: I used the general face model, which does not know you. Run `/calibrate` to teach me how you look and sound._',
    );
  } else if (prediction.generic && prediction.face) {
    // The personal model exists, but in calibration its face part did not beat the general model.
    lines.push('_Face read with the general face model: in your calibration it did better than a personal one._');
  }
  return lines.join('\n');
}
