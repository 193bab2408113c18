import { ask } from './ask';
import { calibrate } from './calibrate';
import { forget } from './forget';
import { profile } from './profile';
import { settings } from './settings';
import type { Command } from './types';

export type { Command } from './types';

/** Every slash command, in the order they are registered. */
export const COMMANDS: readonly Command[] = [calibrate, ask, profile, forget, settings];

/** The JSON bodies registered with Discord. */
export function commandDefinitions() {
  return COMMANDS.map((c) => c.data.toJSON());
}

/** Looks a command up by name. */
export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.data.name === name);
}

/** Finds the command owning a button by its custom id prefix (`prefix:...`). */
export function findComponentOwner(customId: string): Command | undefined {
  const prefix = customId.split(':')[0];
  return COMMANDS.find((c) => c.componentPrefix === prefix);
}
