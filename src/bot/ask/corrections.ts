import { ActionRowBuilder, ButtonBuilder, ButtonStyle, MessageFlags, type ButtonInteraction } from 'discord.js';
import type { FaceFeatures, PersonModel, Prediction, VoiceFeatures } from '../../ml/types';
import type { NewSample } from '../../storage';
import { descriptorDistance, SAME_PERSON_DISTANCE } from '../calibration/CalibrationFlow';
import type { BotContext } from '../context';
import { Identifiers, UserError } from '../errors';
import { hashUserId } from '../util/log';
import { CORRECTION_TTL_MS, type HeldReading } from './PendingCorrections';

/** Custom ids `fix:<held id>:<owner id>:<emotion>` are routed to {@link handleCorrectionButton}. */
export const CORRECTION_PREFIX = 'fix';

const BUTTONS_PER_ROW = 5;

/** One disabled button in place of the others: what became of the reading. */
function outcomeRow(label: string): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder()
      .setCustomId(`${CORRECTION_PREFIX}:done`)
      .setLabel(label)
      .setStyle(ButtonStyle.Secondary)
      .setDisabled(true),
  );
}

/** "That's right" for the stated reading (if any), then "I was feeling …" for each other emotion. */
export function correctionRows(id: string, held: HeldReading): ActionRowBuilder<ButtonBuilder>[] {
  const buttons: ButtonBuilder[] = [];
  const button = (emotion: string) =>
    new ButtonBuilder().setCustomId(`${CORRECTION_PREFIX}:${id}:${held.personId}:${emotion}`);
  if (held.reading)
    buttons.push(button(held.reading).setLabel("That's right").setEmoji('✅').setStyle(ButtonStyle.Success));
  for (const emotion of held.emotions) {
    if (emotion !== held.reading)
      buttons.push(button(emotion).setLabel(`I was feeling ${emotion}`).setStyle(ButtonStyle.Secondary));
  }
  const rows: ActionRowBuilder<ButtonBuilder>[] = [];
  for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW)
    rows.push(new ActionRowBuilder<ButtonBuilder>().addComponents(buttons.slice(i, i + BUTTONS_PER_ROW)));
  return rows;
}

/**
 * The buttons under an /ask answer, or none. Offered only to a calibrated person whose consent stands,
 * for the signals it covers: their features are then held in memory (not stored) until a press or
 * expiry. Anyone else gets no buttons, and nothing of theirs is held.
 */
export async function offerCorrection(
  ctx: BotContext,
  personId: string,
  model: PersonModel | null,
  prediction: Prediction | null,
  read: { face?: FaceFeatures; voice?: VoiceFeatures },
): Promise<ActionRowBuilder<ButtonBuilder>[]> {
  if (!model || !prediction || model.emotions.length < 2) return [];
  const consent = await ctx.store.getConsent(personId);
  if (!consent || consent.revokedAt !== null) return [];
  // A face among several may be someone else's: never a sample (calibration refuses it too).
  const face = read.face && read.face.faceCount === 1 && consent.scope.includes('face') ? read.face : undefined;
  const voice = read.voice && consent.scope.includes('voice') ? read.voice : undefined;
  if (!face && !voice) return [];
  const fused = prediction.fused;
  const held: HeldReading = {
    personId,
    face,
    voice,
    emotions: [...model.emotions],
    reading: !fused.uncertain && model.emotions.includes(fused.emotion) ? fused.emotion : null,
  };
  try {
    return correctionRows(await ctx.corrections.hold(held), held);
  } catch (error) {
    // The answer matters more than its buttons.
    ctx.logger.warn('ask.correction_unavailable', { user: hashUserId(personId), error });
    return [];
  }
}

/** Whether `face` is the person's, judged by their stored photos (calibration's rule); true without any. */
async function looksLikeThem(ctx: BotContext, personId: string, face: FaceFeatures): Promise<boolean> {
  const mine = await ctx.store.listSamples(personId, { signal: 'face' });
  if (mine.length === 0) return true;
  return mine.some(
    (s) => s.signal === 'face' && descriptorDistance(s.features.descriptor, face.descriptor) <= SAME_PERSON_DISTANCE,
  );
}

/**
 * A press on "That's right" or "I was feeling …": the held features become samples labelled with
 * that emotion (source `correction`, under the person's consent), and the model is retrained in the
 * background. Only the person who asked may press; a reading is taken once, within its time.
 */
export async function handleCorrectionButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
  const [, id = '', ownerId, emotion = ''] = interaction.customId.split(':');
  if (interaction.user.id !== ownerId)
    throw new UserError(Identifiers.NotYours, 'Only the person who asked can confirm or correct this reading.');
  const taken = ctx.corrections.take(id, ownerId);
  if (!taken.ok) {
    await interaction.update({
      components: [outcomeRow(`Expired: a reading can be corrected for ${CORRECTION_TTL_MS / 60_000} minutes`)],
    });
    return;
  }
  const { held } = taken;
  if (!held.emotions.includes(emotion))
    throw new UserError(Identifiers.UnknownButton, 'That button is no longer valid.');
  await interaction.deferUpdate();
  const consent = await ctx.store.getConsent(ownerId);
  if (!consent || consent.revokedAt !== null) {
    await interaction.editReply({ components: [outcomeRow('Not kept: no consent')] });
    await interaction.followUp({
      content:
        'I can only learn from your answers with your calibration consent, and I have none from you now. Run `/calibrate` to give it (and calibrate); nothing from this answer was kept.',
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  const samples: NewSample[] = [];
  let faceRefused = false;
  if (held.face && consent.scope.includes('face')) {
    if (await looksLikeThem(ctx, ownerId, held.face))
      samples.push({
        personId: ownerId,
        emotion,
        signal: 'face',
        features: held.face,
        metadata: { source: 'correction' },
      });
    else faceRefused = true;
  }
  if (held.voice && consent.scope.includes('voice')) {
    samples.push({
      personId: ownerId,
      emotion,
      signal: 'voice',
      features: held.voice,
      metadata: { source: 'correction', durationSec: held.voice.durationSec },
    });
  }
  const notMe = faceRefused
    ? " The face in that photo doesn't look like the one in your calibration photos, so I left it out."
    : '';
  if (samples.length === 0) {
    await interaction.editReply({ components: [outcomeRow('Not kept')] });
    await interaction.followUp({
      content: `Nothing from this answer was kept.${notMe}`,
      flags: MessageFlags.Ephemeral,
    });
    return;
  }
  await ctx.store.addSamples(samples);
  // A running calibration trains on every stored sample when it ends; otherwise retrain now.
  const calibrating = ctx.calibrations.findByUser(ownerId) !== undefined;
  if (!calibrating) ctx.models.retrainSoon(ownerId);
  ctx.logger.info('ask.corrected', {
    guildId: interaction.guildId,
    user: hashUserId(ownerId),
    confirmed: emotion === held.reading,
    face: samples.some((s) => s.signal === 'face'),
    voice: samples.some((s) => s.signal === 'voice'),
  });
  const what = samples.map((s) => (s.signal === 'face' ? 'face' : 'voice')).join(' and ');
  await interaction.editReply({
    components: [outcomeRow(emotion === held.reading ? `Confirmed: ${emotion}` : `Corrected: ${emotion}`)],
  });
  await interaction.followUp({
    content:
      `Thanks. I kept this answer's ${what} measurements as **${emotion}**, like a calibration sample, ` +
      `and ${calibrating ? 'your running calibration will train with them' : 'I am updating your model with them in the background'}.${notMe} ` +
      '`/profile` counts them; `/forget` deletes them with everything else.',
    flags: MessageFlags.Ephemeral,
  });
}
