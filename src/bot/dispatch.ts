import {
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type RepliableInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { StoreError } from '../storage';
import type { BotContext } from './context';
import { GENERIC_ERROR_MESSAGE, isUserError } from './errors';
import { hashUserId } from './util/log';

/**
 * A slash command as the dispatcher routes to it: its definition and its handler, plus handlers for
 * its buttons. The commands (src/commands) implement it; the bot is handed the list at start-up.
 */
export interface Command {
  /** The definition registered with Discord (`toJSON()` of a SlashCommandBuilder). */
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  /** Buttons whose custom id starts with `${componentPrefix}:` are routed to {@link handleButton}. */
  componentPrefix?: string;
  handleButton?(interaction: ButtonInteraction, ctx: BotContext): Promise<void>;
}

/** Looks a command up by name. */
export function findCommand(commands: readonly Command[], name: string): Command | undefined {
  return commands.find((c) => c.data.name === name);
}

/** Finds the command owning a button by its custom id prefix (`prefix:...`). */
export function findComponentOwner(commands: readonly Command[], customId: string): Command | undefined {
  const prefix = customId.split(':')[0];
  return commands.find((c) => c.componentPrefix === prefix);
}

/** What a person is told when the database cannot be reached (nothing was written). */
export const STORE_UNAVAILABLE_MESSAGE =
  "I can't reach my database right now, so nothing was saved. Please try again in a minute.";

/** Shows `content` ephemerally, whether or not the interaction was already acknowledged. */
async function tell(interaction: RepliableInteraction, content: string): Promise<void> {
  if (interaction.deferred || interaction.replied) {
    // After a public deferReply the follow-up carries the message; editing would leave "thinking…" text.
    if (interaction.deferred && !interaction.replied) await interaction.editReply({ content, components: [] });
    else await interaction.followUp({ content, flags: MessageFlags.Ephemeral });
  } else {
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  }
}

/**
 * Routes an interaction to its command or button handler. Expected problems (UserError) become a
 * clear ephemeral message; anything else is logged with context and answered generically.
 */
export async function dispatchInteraction(
  interaction: Interaction,
  ctx: BotContext,
  commands: readonly Command[],
): Promise<void> {
  const context = { guildId: interaction.guildId, user: hashUserId(interaction.user.id) };
  let name = 'unknown';
  try {
    if (interaction.isChatInputCommand()) {
      name = interaction.commandName;
      const command = findCommand(commands, name);
      if (!command) throw new Error(`no handler for /${name}`);
      await command.execute(interaction, ctx);
    } else if (interaction.isButton()) {
      const owner = findComponentOwner(commands, interaction.customId);
      name = `button:${interaction.customId.split(':').slice(0, 2).join(':')}`;
      if (!owner?.handleButton) throw new Error(`no handler for button ${name}`);
      await owner.handleButton(interaction, ctx);
    } else {
      return;
    }
  } catch (error) {
    if (!interaction.isRepliable()) return;
    if (isUserError(error)) {
      ctx.logger.info('interaction.refused', {
        ...error.context,
        ...context,
        command: name,
        identifier: error.identifier,
      });
      await tell(interaction, error.message).catch((e) =>
        ctx.logger.warn('interaction.reply_failed', { ...context, command: name, error: e }),
      );
      return;
    }
    if (error instanceof StoreError && error.code === 'unavailable') {
      // An operator's problem, not a bug: say so plainly; the log carries the details.
      ctx.logger.warn('interaction.store_unavailable', { ...context, command: name, error });
      await tell(interaction, STORE_UNAVAILABLE_MESSAGE).catch((e) =>
        ctx.logger.warn('interaction.reply_failed', { ...context, command: name, error: e }),
      );
      return;
    }
    ctx.logger.error('interaction.failed', { ...context, command: name, error });
    await tell(interaction, GENERIC_ERROR_MESSAGE).catch((e) =>
      ctx.logger.warn('interaction.reply_failed', { ...context, command: name, error: e }),
    );
  }
}
