import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

/** /forget: deletes everything Attune holds about the person (after a confirmation). */
export const FORGET_DEFINITION = new SlashCommandBuilder()
  .setName('forget')
  .setDescription('Delete everything Attune holds about you (asks you to confirm).')
  .setContexts(InteractionContextType.Guild);
