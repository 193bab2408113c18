import { ask } from './ask';
import { calibrate } from './calibrate';
import { forget } from './forget';
import { profile } from './profile';
import { settings } from './settings';
import type { Command } from './types';

export type { Command } from './types';
export { commandDefinitions } from './definitions';

/**
 * Every slash command with its handler, in the order they are registered. The entry point
 * (src/bot/main.ts) hands this list to the bot; nothing in src/bot imports it.
 */
export const COMMANDS: readonly Command[] = [calibrate, ask, profile, forget, settings];
