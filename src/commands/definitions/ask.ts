import { InteractionContextType, SlashCommandBuilder } from 'discord.js';

/** /ask: a question (typed, or spoken when left out), with an optional selfie and voice recording. */
export const ASK_DEFINITION = new SlashCommandBuilder()
  .setName('ask')
  .setDescription('Ask Attune something; it reads how you come across and answers in kind.')
  .setContexts(InteractionContextType.Guild)
  .addStringOption((o) =>
    o
      .setName('question')
      .setDescription('Your question (leave it out to ask out loud in your voice channel)')
      .setMaxLength(1000),
  )
  .addAttachmentOption((o) => o.setName('photo').setDescription('A selfie taken now (optional)'))
  .addAttachmentOption((o) =>
    o.setName('voice').setDescription('A recording of you asking (optional; otherwise I listen in your voice channel)'),
  );
