import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import type { BotContext } from '../bot/context';
import { coversTranscription } from '../bot/calibration/consent';
import { formatProfile } from '../bot/format/profile';
import { PROFILE_DEFINITION } from './definitions/profile';
import type { Command } from './types';

export const profile: Command = {
  data: PROFILE_DEFINITION,

  // Allowed in every channel: seeing one's own data must never be blocked by a channel restriction.
  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    const summary = await ctx.store.describePerson(interaction.user.id);
    const running = ctx.calibrations.findByUser(interaction.user.id)
      ? '\n_A calibration of yours is running right now._'
      : '';
    const host = ctx.reply.transcriber?.host ?? null;
    const transcription = host
      ? { host, consented: coversTranscription(await ctx.store.getConsent(interaction.user.id), host) }
      : null;
    // The source is sealed with each sample, so it is counted here rather than by the database.
    const corrections = summary
      ? (await ctx.store.listSamples(interaction.user.id)).filter((s) => s.metadata.source === 'correction').length
      : 0;
    await interaction.reply({
      content: formatProfile(summary, transcription, corrections) + running,
      flags: MessageFlags.Ephemeral,
    });
  },
};
