/** A slash command: its definition and its handler, plus handlers for its buttons (the dispatcher's contract). */
export type { Command } from '../bot/dispatch';
