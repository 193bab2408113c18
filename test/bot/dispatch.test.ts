import { STORE_UNAVAILABLE_MESSAGE, dispatchInteraction } from '../../src/bot/dispatch';
import { COMMANDS } from '../../src/commands';
import type { BotContext } from '../../src/bot/context';
import { Identifiers, UserError } from '../../src/bot/errors';
import { createLogger } from '../../src/bot/util/log';
import { StoreError } from '../../src/storage';

/** A /profile interaction as dispatch sees it, recording what the bot replied. */
function profileInteraction() {
  const replies: Array<{ content: string }> = [];
  const interaction = {
    guildId: 'g1',
    user: { id: 'u1' },
    commandName: 'profile',
    deferred: false,
    replied: false,
    isChatInputCommand: () => true,
    isButton: () => false,
    isRepliable: () => true,
    reply: (r: { content: string }) => {
      replies.push(r);
      return Promise.resolve();
    },
  };
  return { interaction, replies };
}

describe('dispatchInteraction', () => {
  test('a database that cannot be reached gets a plain "try again" (a warning, not an error in the logs)', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const ctx = {
      store: {
        describePerson: () => Promise.reject(new StoreError('unavailable', 'PostgreSQL at db:5432 is unreachable')),
      },
      calibrations: { findByUser: () => undefined },
      reply: {},
      logger: createLogger({ minLevel: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
    } as unknown as BotContext;
    const { interaction, replies } = profileInteraction();
    await dispatchInteraction(interaction as never, ctx, COMMANDS);
    expect(replies.map((r) => r.content)).toEqual([STORE_UNAVAILABLE_MESSAGE]);
    expect(lines.some((l) => l['level'] === 'error')).toBe(false);
    expect(lines.some((l) => l['event'] === 'interaction.store_unavailable')).toBe(true);
  });

  test('any other failure is logged as an error and answered generically', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const ctx = {
      store: { describePerson: () => Promise.reject(new Error('boom')) },
      calibrations: { findByUser: () => undefined },
      reply: {},
      logger: createLogger({ minLevel: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
    } as unknown as BotContext;
    const { interaction, replies } = profileInteraction();
    await dispatchInteraction(interaction as never, ctx, COMMANDS);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.content).not.toBe(STORE_UNAVAILABLE_MESSAGE);
    expect(lines.some((l) => l['level'] === 'error' && l['event'] === 'interaction.failed')).toBe(true);
  });

  test('a UserError is shown to the person and logged by its identifier and context, never its message', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const refusal = new UserError(Identifiers.NotAdmin, 'Only members with Manage Server can do that.', {
      setting: 'voice',
    });
    const ctx = {
      store: { describePerson: () => Promise.reject(refusal) },
      calibrations: { findByUser: () => undefined },
      reply: {},
      logger: createLogger({ minLevel: 'debug', write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
    } as unknown as BotContext;
    const { interaction, replies } = profileInteraction();
    await dispatchInteraction(interaction as never, ctx, COMMANDS);
    expect(replies.map((r) => r.content)).toEqual(['Only members with Manage Server can do that.']);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        event: 'interaction.refused',
        identifier: 'not_admin',
        setting: 'voice',
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('Manage Server');
  });
});
