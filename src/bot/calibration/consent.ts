import { createHash } from 'node:crypto';
import type { Signal } from '../../ml/types';

/**
 * Version of the wording below; stored with each consent so a changed text can be asked again. This
 * is the text without a transcription service; with one, see {@link consentTextVersion}.
 */
export const CONSENT_TEXT_VERSION = 'calibrate-v2';

/**
 * The version of the text a person sees: unchanged without a transcription service; with one, the
 * text gains what is sent where, so the version names the host, and a consent given before a service
 * was configured (or for another host) does not cover sending audio to this one.
 */
export function consentTextVersion(transcriptionHost: string | null): string {
  if (!transcriptionHost) return CONSENT_TEXT_VERSION;
  // The store keeps at most 64 characters: a long host name is named by its hash instead.
  const host =
    transcriptionHost.length <= 40
      ? transcriptionHost
      : `#${createHash('sha256').update(transcriptionHost).digest('hex').slice(0, 16)}`;
  return `calibrate-v3+transcribe@${host}`;
}

/** Whether a consent record covers sending spoken questions to `transcriptionHost`. */
export function coversTranscription(
  consent: { textVersion: string; revokedAt: string | null } | null,
  transcriptionHost: string,
): boolean {
  return !!consent && consent.revokedAt === null && consent.textVersion === consentTextVersion(transcriptionHost);
}

/** What the consent covers. */
export const CONSENT_SCOPE: Signal[] = ['face', 'voice'];

/**
 * The consent screen, shown before anything is recorded or analysed. Plain words: what, why, how
 * long, how to delete.
 */
export function consentText(opts: {
  emotions: readonly string[];
  target: number;
  keepRawMedia: boolean;
  transcriptionHost?: string | null;
}): string {
  const host = opts.transcriptionHost ?? null;
  return [
    '**Before we start: what Attune collects for calibration**',
    `• **What:** ${opts.target} selfies and ${opts.target} short voice clips for each of ${opts.emotions.join(', ')}. ` +
      'Attune keeps numbers measured from them (facial expression and landmark measurements, a face descriptor, and voice pitch/energy/timbre statistics), and the personal model trained from those numbers.',
    opts.keepRawMedia
      ? "• **Raw media:** this server's Attune is configured to also keep the original photos and recordings."
      : '• **Raw media:** the photos and recordings themselves are not kept, only the numbers above.',
    '• **Why:** so Attune can learn how *you* look and sound when you feel each emotion, and answer in a fitting tone.',
    '• **Your uploads:** selfies and voice messages you send in this channel are removed from it once read, where Attune may manage messages; otherwise please delete them yourself.',
    '• **Listening:** in a voice channel Attune records only you, only while this calibration (or your /ask) is waiting for you.',
    ...(host
      ? [
          `• **Spoken questions:** when you ask \`/ask\` out loud without typing the question, your recording of it is sent to **${host}** (this Attune's transcription service) to turn it into words. Attune keeps neither the recording nor the words; without your agreement, no recording of yours is sent.`,
          '• **How long:** until you delete it. Nothing else is shared with anyone or used for anything else.',
        ]
      : ['• **How long:** until you delete it. Nothing is shared with anyone or used for anything else.']),
    '• **Delete:** `/forget` deletes everything about you at once; `/profile` shows what is held.',
    '',
    'Nothing is recorded or analysed unless you press **I agree**.',
  ].join('\n');
}
