import type { Signal } from '../../ml/types';

/** Version of the wording below; stored with each consent so a changed text can be asked again. */
export const CONSENT_TEXT_VERSION = 'calibrate-v2';

/** What the consent covers. */
export const CONSENT_SCOPE: Signal[] = ['face', 'voice'];

/**
 * The consent screen, shown before anything is recorded or analysed. Plain words: what, why, how
 * long, how to delete.
 */
export function consentText(opts: { emotions: readonly string[]; target: number; keepRawMedia: boolean }): string {
  return [
    '**Before we start: what Attune collects for calibration**',
    `• **What:** ${opts.target} selfies and ${opts.target} short voice clips for each of ${opts.emotions.join(', ')}. ` +
      'Attune keeps numbers measured from them (facial expression and landmark measurements, a face descriptor, and voice pitch/energy/timbre statistics), and the personal model trained from those numbers.',
    opts.keepRawMedia
      ? '• **Raw media:** this server\'s Attune is configured to also keep the original photos and recordings.'
      : '• **Raw media:** the photos and recordings themselves are not kept, only the numbers above.',
    '• **Why:** so Attune can learn how *you* look and sound when you feel each emotion, and answer in a fitting tone.',
    '• **Your uploads:** selfies and voice messages you send in this channel are removed from it once read, where Attune may manage messages; otherwise please delete them yourself.',
    '• **Listening:** in a voice channel Attune records only you, only while this calibration (or your /ask) is waiting for you.',
    '• **How long:** until you delete it. Nothing is shared with anyone or used for anything else.',
    '• **Delete:** `/forget` deletes everything about you at once; `/profile` shows what is held.',
    '',
    'Nothing is recorded or analysed unless you press **I agree**.',
  ].join('\n');
}
