import type { DataKind, PersonSummary } from '../../storage';

const KIND_TEXT: Record<DataKind, string> = {
  consent: 'your consent record',
  settings: 'your display settings',
  face_features: 'measurements from your selfies (expression, landmarks, face descriptor)',
  voice_features: 'measurements from your voice clips (pitch, energy, timbre statistics)',
  raw_media: 'the original photos/recordings',
  model: 'your personal model',
};

function day(iso: string): string {
  return iso.slice(0, 10);
}

function pct(x: number | undefined): string {
  return x === undefined ? '—' : `${Math.round(x * 100)}%`;
}

/** Where spoken questions go, when a transcription service is configured, and whether this person agreed. */
export interface TranscriptionNotice {
  host: string;
  consented: boolean;
}

/** The /profile line on spoken questions: which host receives them, and whether any of this person's do. */
function transcriptionLine(t: TranscriptionNotice): string {
  return t.consented
    ? `**Spoken questions:** when you ask out loud without typing, the recording is sent to **${t.host}** to be turned into words (you agreed to this); Attune keeps neither the recording nor the words.`
    : `**Spoken questions:** this Attune sends spoken questions to **${t.host}** to be turned into words; you have not agreed to that, so none of yours are sent.`;
}

/**
 * The /profile text: calibration state, samples (and how many came from confirming or correcting /ask
 * readings), accuracy, consent, what is stored, and where spoken questions go.
 */
export function formatProfile(
  summary: PersonSummary | null,
  transcription: TranscriptionNotice | null = null,
  corrections = 0,
): string {
  if (!summary)
    return `I hold nothing about you. \`/calibrate\` starts a calibration (after asking for your consent).${transcription ? `\n${transcriptionLine(transcription)}` : ''}`;
  const lines: string[] = ['**Your Attune profile**'];
  const model = summary.model;
  lines.push(
    model
      ? `**Calibrated** on ${day(model.savedAt)} (revision ${model.revision}) for ${model.emotions.join(', ')}. Accuracy: face ${pct(model.report.face?.accuracy)}, voice ${pct(model.report.voice?.accuracy)}, both ${pct(model.report.fused?.accuracy)}.`
      : '**Not calibrated** yet: `/ask` uses the general face model.',
  );
  const emotions = Object.keys(summary.samples);
  if (emotions.length > 0) {
    lines.push('**Samples:**');
    for (const [e, counts] of Object.entries(summary.samples))
      lines.push(`• ${e}: ${counts.face} photos, ${counts.voice} clips`);
    lines.push(
      `• ${corrections} of them from your corrections (confirming or correcting a reading under an \`/ask\` answer)`,
    );
  }
  const consent = summary.consent;
  lines.push(
    consent
      ? consent.revokedAt
        ? `**Consent:** given ${day(consent.grantedAt)}, withdrawn ${day(consent.revokedAt)}.`
        : `**Consent:** given ${day(consent.grantedAt)} for ${consent.scope.join(' and ')}.`
      : '**Consent:** none on record.',
  );
  lines.push(`**Stored:** ${summary.dataKinds.map((k) => KIND_TEXT[k]).join('; ') || 'nothing'}.`);
  if (transcription) lines.push(transcriptionLine(transcription));
  lines.push('Kept until you delete it: `/forget` removes everything at once.');
  return lines.join('\n');
}
