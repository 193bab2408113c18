import { ChannelType, InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';

/** /attune-settings: a server's settings, for members with Manage Server. */
export const SETTINGS_DEFINITION = new SlashCommandBuilder()
  .setName('attune-settings')
  .setDescription('Server settings for Attune (admins).')
  .setContexts(InteractionContextType.Guild)
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .addSubcommand((s) => s.setName('show').setDescription('Show the current settings.'))
  .addSubcommand((s) =>
    s
      .setName('voice')
      .setDescription('Turn voice features (join, listen, speak) on or off.')
      .addBooleanOption((o) => o.setName('enabled').setDescription('On or off').setRequired(true)),
  )
  .addSubcommand((s) =>
    s
      .setName('transcription')
      .setDescription('Allow or stop sending spoken questions to the transcription service.')
      .addBooleanOption((o) => o.setName('enabled').setDescription('On or off').setRequired(true)),
  )
  .addSubcommand((s) =>
    s
      .setName('allow-channel')
      .setDescription('Allow Attune in a channel (once any is listed, only listed channels work).')
      .addChannelOption((o) =>
        o
          .setName('channel')
          .setDescription('Text or voice channel')
          .setRequired(true)
          .addChannelTypes(ChannelType.GuildText, ChannelType.GuildVoice, ChannelType.GuildStageVoice),
      ),
  )
  .addSubcommand((s) =>
    s
      .setName('disallow-channel')
      .setDescription('Remove a channel from the allowed list.')
      .addChannelOption((o) => o.setName('channel').setDescription('The channel').setRequired(true)),
  )
  .addSubcommand((s) =>
    s.setName('allow-all-channels').setDescription('Clear the list: Attune works in every channel again.'),
  );
