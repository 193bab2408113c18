import { MessageFlags, PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../bot/context';
import { Identifiers, UserError } from '../bot/errors';
import type { GuildSettings } from '../storage';
import { SETTINGS_DEFINITION } from './definitions/settings';
import type { Command } from './types';

/** Describes a server's settings in one message. */
export function describeSettings(s: GuildSettings): string {
  const channels = s.allowedChannelIds.length ? s.allowedChannelIds.map((id) => `<#${id}>`).join(', ') : 'any channel';
  return [
    '**Attune settings for this server**',
    `• Voice features (joining voice channels, listening, speaking): **${s.voiceEnabled ? 'on' : 'off'}**`,
    `• Spoken questions sent for transcription: **${s.transcriptionEnabled === false ? 'off' : 'on'}**`,
    `• Allowed channels: ${channels}`,
  ].join('\n');
}

export const settings: Command = {
  data: SETTINGS_DEFINITION,

  // Not subject to the channel restriction: an admin must always be able to change it.
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    if (!interaction.guildId) throw new UserError(Identifiers.GuildOnly, 'Settings belong to a server.');
    // Discord enforces the default permission, but server owners can override it per role; check again.
    if (!interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild))
      throw new UserError(Identifiers.NotAdmin, 'Only members with Manage Server can change Attune’s settings.');
    const current = await ctx.store.getGuildSettings(interaction.guildId);
    let next: GuildSettings = current;
    switch (interaction.options.getSubcommand()) {
      case 'voice':
        next = { ...current, voiceEnabled: interaction.options.getBoolean('enabled', true) };
        if (!next.voiceEnabled) ctx.voice.leave(interaction.guildId);
        break;
      case 'transcription':
        next = { ...current, transcriptionEnabled: interaction.options.getBoolean('enabled', true) };
        break;
      case 'allow-channel':
        next = {
          ...current,
          allowedChannelIds: [
            ...new Set([...current.allowedChannelIds, interaction.options.getChannel('channel', true).id]),
          ],
        };
        break;
      case 'disallow-channel': {
        const id = interaction.options.getChannel('channel', true).id;
        next = { ...current, allowedChannelIds: current.allowedChannelIds.filter((c) => c !== id) };
        break;
      }
      case 'allow-all-channels':
        next = { ...current, allowedChannelIds: [] };
        break;
    }
    if (next !== current) {
      next = await ctx.store.setGuildSettings(interaction.guildId, next);
      ctx.logger.info('settings.changed', {
        guildId: interaction.guildId,
        voiceEnabled: next.voiceEnabled,
        transcriptionEnabled: next.transcriptionEnabled !== false,
        allowedChannels: next.allowedChannelIds.length,
      });
    }
    await interaction.reply({ content: describeSettings(next), flags: MessageFlags.Ephemeral });
  },
};
