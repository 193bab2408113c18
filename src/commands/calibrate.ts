import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { CALIBRATE_PREFIX, CalibrationSession, type CalibrateAction } from '../bot/calibration/CalibrationSession';
import { PersonHold } from '../bot/calibration/PersonHold';
import type { BotContext } from '../bot/context';
import { Identifiers, UserError } from '../bot/errors';
import { assertChannelAllowed } from '../bot/guards';
import { hashUserId } from '../bot/util/log';
import { DEFAULT_EMOTIONS } from '../ml/types';
import { CALIBRATE_DEFINITION } from './definitions/calibrate';
import type { Command } from './types';

/** Told to the second of two /calibrate for one person running in different servers (shards, hosts). */
export const ALREADY_ELSEWHERE =
  'You already have a calibration running in another server; finish or cancel it there first (an interrupted one is released within a minute).';

const ACTIONS: readonly CalibrateAction[] = ['agree', 'decline', 'retake', 'skip-face', 'skip-voice', 'cancel'];

/** Parses the `emotions` option: 2 to 6 distinct lowercase words. */
export function parseEmotions(raw: string | null): string[] {
  if (!raw) return [...DEFAULT_EMOTIONS];
  const list = [
    ...new Set(
      raw
        .split(/[,\s]+/)
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (list.length < 2 || list.length > 6 || !list.every((e) => /^[a-z]{2,20}$/.test(e))) {
    throw new UserError(
      Identifiers.BadEmotions,
      'Emotions must be 2 to 6 single words separated by commas, e.g. `happy, neutral, sad`.',
    );
  }
  return list;
}

export const calibrate: Command = {
  data: CALIBRATE_DEFINITION,

  async execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void> {
    const guild = interaction.guild;
    if (!guild) throw new UserError(Identifiers.GuildOnly, 'Please use /calibrate in a server.');
    assertChannelAllowed(await ctx.store.getGuildSettings(guild.id), interaction.channelId);
    const emotions = parseEmotions(interaction.options.getString('emotions'));
    const target = interaction.options.getInteger('samples') ?? 5;
    const claim = ctx.calibrations.claim(interaction.user.id);
    if (!claim)
      throw new UserError(
        Identifiers.AlreadyCalibrating,
        'You already have a calibration running; finish or cancel it first.',
      );
    let session: CalibrationSession;
    try {
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      // The same person may run /calibrate on another shard or host at the same moment: the database
      // decides which one runs. The hold also hears a /forget handled by any of them.
      const hold = await PersonHold.take(ctx.store, interaction.user.id, ctx.logger);
      if (!hold) throw new UserError(Identifiers.CalibratingElsewhere, ALREADY_ELSEWHERE);
      session = new CalibrationSession(
        ctx,
        guild,
        interaction,
        {
          personId: interaction.user.id,
          channelId: interaction.channelId,
          emotions,
          target,
          restart: interaction.options.getBoolean('restart') ?? false,
        },
        (s) => {
          ctx.calibrations.remove(s);
          ctx.calibrations.track(hold.release());
        },
      );
      ctx.calibrations.add(session);
      hold.attach(() => ctx.calibrations.forgetUser(interaction.user.id));
    } finally {
      claim.release();
    }
    ctx.logger.info('calibrate.started', {
      guildId: guild.id,
      user: hashUserId(interaction.user.id),
      emotions: emotions.length,
      target,
    });
    await session.begin();
  },

  componentPrefix: CALIBRATE_PREFIX,

  async handleButton(interaction: ButtonInteraction, ctx: BotContext): Promise<void> {
    const [, action, ownerId] = interaction.customId.split(':');
    if (interaction.user.id !== ownerId)
      throw new UserError(Identifiers.NotYours, 'These buttons belong to someone else’s calibration.');
    if (!ACTIONS.includes(action as CalibrateAction))
      throw new UserError(Identifiers.UnknownButton, 'That button is no longer valid.');
    const session = interaction.guildId ? ctx.calibrations.get(interaction.guildId, ownerId) : undefined;
    if (!session) {
      await interaction.update({
        content: 'This calibration has ended. Run `/calibrate` to continue.',
        components: [],
      });
      return;
    }
    // Acknowledge at once (within Discord's 3 s); the session edits the message through this interaction.
    await interaction.deferUpdate();
    await session.press(action as CalibrateAction, interaction);
  },
};
