import crypto from 'node:crypto';
import { snowflake } from '../util/snowflake';
import { channelJson, memberJson, userJson } from '../world/payloads';
import type { Json, StandinChannel, StandinGuild, StandinMember, StoredCommand } from '../world/types';
import type { World } from '../world/World';

/** An option value a test passes: a scalar, an attachment object from `addAttachment`, or `{ user }`/`{ channel }`. */
export type OptionValue = string | number | boolean | Json;

/** Where and by whom an interaction happens. */
export interface InteractionContext {
  guild: StandinGuild;
  channel: StandinChannel;
  member: StandinMember;
  locale?: string;
}

/** Discord option types. */
const OptionType = {
  SubCommand: 1,
  SubCommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Mentionable: 9,
  Number: 10,
  Attachment: 11,
} as const;

/** Fields every interaction carries; without `entitlements` discord.js throws while constructing it. */
export function baseInteraction(world: World, type: number, ctx: InteractionContext): Json {
  return {
    id: snowflake(),
    application_id: world.applicationId,
    type,
    token: `standin-${crypto.randomBytes(24).toString('base64url')}`,
    version: 1,
    guild_id: ctx.guild.id,
    guild: { id: ctx.guild.id, locale: 'en-US', features: [] },
    channel_id: ctx.channel.id,
    channel: channelJson(ctx.channel),
    member: memberJson(ctx.member, true),
    app_permissions: world.botPermissions.toString(),
    locale: ctx.locale ?? 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': ctx.guild.id },
    context: 0,
    attachment_size_limit: 10 * 1024 * 1024,
  };
}

function isAttachment(value: OptionValue): value is Json {
  return (
    typeof value === 'object' && value !== null && typeof value['id'] === 'string' && typeof value['url'] === 'string'
  );
}

function inferType(value: OptionValue): number {
  if (isAttachment(value)) return OptionType.Attachment;
  if (typeof value === 'boolean') return OptionType.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? OptionType.Integer : OptionType.Number;
  if (typeof value === 'object' && value !== null && 'user' in value) return OptionType.User;
  if (typeof value === 'object' && value !== null && 'channel' in value) return OptionType.Channel;
  return OptionType.String;
}

/**
 * Builds `data.options` and `data.resolved` for a slash command. Types come from the registered
 * command definition when there is one (so a test can pass a plain user id for a user option), else
 * from the JS values. Unknown option names against a registered command are test mistakes: thrown.
 */
export function buildCommandOptions(
  world: World,
  ctx: InteractionContext,
  command: StoredCommand | undefined,
  values: Record<string, OptionValue>,
  path: { subcommandGroup?: string; subcommand?: string },
): { options: Json[]; resolved: Json } {
  let definitions = command?.options ?? [];
  const wrap: ((inner: Json[]) => Json[])[] = [];
  for (const [name, type] of [
    [path.subcommandGroup, OptionType.SubCommandGroup],
    [path.subcommand, OptionType.SubCommand],
  ] as const) {
    if (!name) continue;
    const definition = definitions.find((d) => d['name'] === name);
    if (command && !definition)
      throw new Error(`/${command.name} has no ${type === 1 ? 'subcommand' : 'group'} "${name}"`);
    definitions = (definition?.['options'] as Json[] | undefined) ?? [];
    wrap.push((inner) => [{ name, type, options: inner }]);
  }
  const resolved: Record<string, Record<string, Json>> = {};
  const put = (kind: string, id: string, json: Json): void => {
    resolved[kind] = { ...(resolved[kind] ?? {}), [id]: json };
  };
  const options: Json[] = Object.entries(values).map(([name, value]) => {
    const definition = definitions.find((d) => d['name'] === name);
    if (command && !definition) {
      const known = definitions.map((d) => String(d['name'])).join(', ') || 'none';
      throw new Error(`/${command.name} has no option "${name}" (registered: ${known})`);
    }
    const type = typeof definition?.['type'] === 'number' ? definition['type'] : inferType(value);
    switch (type) {
      case OptionType.Attachment: {
        if (!isAttachment(value))
          throw new Error(`option "${name}" is an attachment: pass the object addAttachment() returned`);
        put('attachments', String(value['id']), value);
        return { name, type, value: value['id'] };
      }
      case OptionType.User: {
        const id = typeof value === 'object' && value !== null ? String(value['user']) : String(value);
        const user = world.user(id);
        put('users', user.id, userJson(user));
        const member = ctx.guild.members.get(user.id);
        if (member) {
          const { user: _omit, ...rest } = memberJson(member, true);
          put('members', user.id, rest);
        }
        return { name, type, value: user.id };
      }
      case OptionType.Channel: {
        const id = typeof value === 'object' && value !== null ? String(value['channel']) : String(value);
        const channel = world.channel(id, ctx.guild.id);
        put('channels', channel.id, {
          id: channel.id,
          name: channel.name,
          type: channel.type,
          permissions: ctx.member.permissions.toString(),
        });
        return { name, type, value: channel.id };
      }
      default:
        return { name, type, value };
    }
  });
  const nested = wrap.reduceRight((inner, wrapper) => wrapper(inner), options);
  return { options: nested, resolved };
}

/** Finds a component by `custom_id` anywhere in a message's components (action rows, v2 containers). */
export function findComponent(components: unknown, customId: string): Json | undefined {
  if (!Array.isArray(components)) return undefined;
  for (const component of components as Json[]) {
    if (component['custom_id'] === customId) return component;
    const inner =
      findComponent(component['components'], customId) ??
      (component['accessory'] ? findComponent([component['accessory']], customId) : undefined);
    if (inner) return inner;
  }
  return undefined;
}

/** Lists every `custom_id` in a component tree (for error messages). */
export function listCustomIds(components: unknown): string[] {
  if (!Array.isArray(components)) return [];
  return (components as Json[]).flatMap((c) => [
    ...(typeof c['custom_id'] === 'string' ? [c['custom_id']] : []),
    ...listCustomIds(c['components']),
    ...(c['accessory'] ? listCustomIds([c['accessory']]) : []),
  ]);
}

/**
 * Answers a modal the way Discord does: the same layout the bot sent, with text inputs carrying the
 * test's values (action rows of type 1 or labels of type 18 around text inputs of type 4).
 */
export function modalSubmitComponents(modal: Json, values: Record<string, string>): Json[] {
  const answer = (input: Json): Json => {
    const customId = String(input['custom_id']);
    return { type: input['type'], id: input['id'], custom_id: customId, value: values[customId] ?? '' };
  };
  return ((modal['components'] as Json[] | undefined) ?? []).map((row) => {
    if (row['component']) return { type: row['type'], id: row['id'], component: answer(row['component'] as Json) };
    return {
      type: row['type'],
      id: row['id'],
      components: ((row['components'] as Json[] | undefined) ?? []).map(answer),
    };
  });
}
