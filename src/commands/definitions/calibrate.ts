import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

/** /calibrate: how many samples per emotion, which emotions, and whether to start over. */
export const CALIBRATE_DEFINITION = new SlashCommandBuilder()
  .setName('calibrate')
  .setDescription('Teach Attune how you look and sound when you feel each emotion.')
  .setContexts(InteractionContextType.Guild)
  .addIntegerOption((o) =>
    o
      .setName('samples')
      .setDescription('Photos and clips per emotion (default 5, at least 2).')
      .setMinValue(2)
      .setMaxValue(10),
  )
  .addStringOption((o) =>
    o
      .setName('emotions')
      .setDescription('Emotions to calibrate, comma-separated (default: happy, neutral, sad).')
      .setMaxLength(100),
  )
  .addBooleanOption((o) =>
    o.setName('restart').setDescription('Start over instead of continuing from samples you already gave.'),
  );
