/**
 * Every slash command's definition, as registered with Discord, apart from the handlers: printing or
 * registering them (`deploy-commands`) loads discord.js's builders and nothing that reads media.
 */
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { ASK_DEFINITION } from './ask';
import { CALIBRATE_DEFINITION } from './calibrate';
import { FORGET_DEFINITION } from './forget';
import { PROFILE_DEFINITION } from './profile';
import { SETTINGS_DEFINITION } from './settings';

/** The definitions in the order they are registered. */
export const COMMAND_DEFINITIONS = [
  CALIBRATE_DEFINITION,
  ASK_DEFINITION,
  PROFILE_DEFINITION,
  FORGET_DEFINITION,
  SETTINGS_DEFINITION,
] as const;

/** The JSON bodies registered with Discord. */
export function commandDefinitions(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return COMMAND_DEFINITIONS.map((d) => d.toJSON());
}
