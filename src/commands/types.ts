import type {
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import type { BotContext } from '../bot/context';

/** A slash command: its definition and its handler, plus handlers for its buttons. */
export interface Command {
  /** The definition registered with Discord (`toJSON()` of a SlashCommandBuilder). */
  data: { name: string; toJSON(): RESTPostAPIChatInputApplicationCommandsJSONBody };
  execute(interaction: ChatInputCommandInteraction, ctx: BotContext): Promise<void>;
  /** Buttons whose custom id starts with `${componentPrefix}:` are routed to {@link handleButton}. */
  componentPrefix?: string;
  handleButton?(interaction: ButtonInteraction, ctx: BotContext): Promise<void>;
}
