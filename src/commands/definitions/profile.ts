import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

/** /profile: what Attune holds about the person. */
export const PROFILE_DEFINITION = new SlashCommandBuilder()
  .setName('profile')
  .setDescription('See what Attune holds about you: calibration, samples, accuracy, consent.')
  .setContexts(InteractionContextType.Guild);
