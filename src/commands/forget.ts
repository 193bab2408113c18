import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { BotContext } from '../bot/context';
import { Identifiers, UserError } from '../bot/errors';
import { hashUserId } from '../bot/util/log';
import { FORGET_DEFINITION } from './definitions/forget';
import type { Command } from './types';

const PREFIX = 'forget';

export const forget: Command = {
  data: FORGET_DEFINITION,

  // Allowed in every channel: deleting one's data must never be blocked by a channel restriction.
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    const held =
      (await ctx.store.describePerson(interaction.user.id)) !== null ||
      ctx.calibrations.findByUser(interaction.user.id) !== undefined;
    if (!held) {
      await interaction.reply({
        content: 'I hold nothing about you, so there is nothing to delete.',
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId(`${PREFIX}:confirm:${interaction.user.id}`)
        .setLabel('Delete everything')
        .setStyle(ButtonStyle.Danger),
      new ButtonBuilder()
        .setCustomId(`${PREFIX}:keep:${interaction.user.id}`)
        .setLabel('Keep it')
        .setStyle(ButtonStyle.Secondary),
    );
    await interaction.reply({
      content:
        'This deletes your consent, all samples, any kept recordings and photos, and your personal model, in every server. It cannot be undone.',
      components: [row],
      flags: MessageFlags.Ephemeral,
    });
  },

  componentPrefix: PREFIX,

  async handleButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
    const [, action, ownerId] = interaction.customId.split(':');
    if (interaction.user.id !== ownerId)
      throw new UserError(Identifiers.NotYours, 'Only the person who asked can confirm this.');
    if (action !== 'confirm') {
      await interaction.update({ content: 'Nothing was deleted.', components: [] });
      return;
    }
    // Stop running flows first, so no sample lands after the deletion.
    ctx.calibrations.forgetUser(ownerId);
    const removed = await ctx.store.forgetPerson(ownerId);
    ctx.logger.info('forget.done', {
      guildId: interaction.guildId,
      user: hashUserId(ownerId),
      samples: removed.samples,
      models: removed.models,
    });
    await interaction.update({
      content: `Done: everything about you is deleted (${removed.samples} samples, ${removed.models ? 'your model' : 'no model'}, your consent).`,
      components: [],
    });
  },
};
