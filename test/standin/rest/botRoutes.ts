import { snowflake } from '../util/snowflake';
import { channelJson, guildJson, memberJson, userJson, voiceStateJson } from '../world/payloads';
import type { Json, StandinChannel, StoredCommand } from '../world/types';
import { RestError } from './http';
import { type RouteContext, type Router, withStatus } from './router';
import type { RestServices } from './services';

/** Routes a bot calls with its token: gateway info, users, commands, guilds, channels and messages. */
export function addBotRoutes(router: Router, services: RestServices): void {
  const { world } = services;

  const guildOf = (id: string) => {
    const guild = world.guilds.get(id);
    if (!guild) throw new RestError(404, 10004, 'Unknown Guild');
    return guild;
  };
  const channelOf = (id: string): StandinChannel => {
    const channel = world.channels.get(id);
    if (!channel) throw new RestError(404, 10003, 'Unknown Channel');
    return channel;
  };
  const messageOf = (channelId: string, messageId: string) => {
    const message = world.messages(channelOf(channelId).id).find((m) => m.json['id'] === messageId);
    if (!message) throw new RestError(404, 10008, 'Unknown Message');
    return message;
  };

  router
    .add('GET', '/gateway', () => ({ url: services.gatewayUrl() }))
    .add('GET', '/gateway/bot', () => ({
      url: services.gatewayUrl(),
      shards: services.recommendedShards,
      session_start_limit: {
        total: 1000,
        remaining: 1000,
        reset_after: 86_400_000,
        max_concurrency: services.maxConcurrency,
      },
    }))
    .add('GET', '/users/@me', () => ({ ...userJson(world.botUser), verified: true, mfa_enabled: false, flags: 0 }))
    .add('GET', '/users/:userId', ({ params }) => {
      const user = world.users.get(params['userId'] ?? '');
      if (!user) throw new RestError(404, 10013, 'Unknown User');
      return userJson(user);
    })
    .add('POST', '/users/@me/channels', ({ body }) => {
      const recipient = world.users.get(String(body.json['recipient_id']));
      if (!recipient) throw new RestError(404, 10013, 'Unknown User');
      const existing = [...world.channels.values()].find((c) => c.type === 1 && c.recipients?.[0]?.id === recipient.id);
      if (existing) return channelJson(existing);
      const channel: StandinChannel = {
        id: snowflake(),
        type: 1,
        name: '',
        guildId: null,
        position: 0,
        recipients: [recipient],
      };
      world.channels.set(channel.id, channel);
      world.notify('dmChannelCreated', { channelId: channel.id, userId: recipient.id });
      return channelJson(channel);
    });

  const application = (): Json => ({
    id: world.applicationId,
    name: world.botUser.username,
    icon: null,
    description: '',
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: '0'.repeat(64),
    flags: 0,
    owner: userJson(world.botUser),
    team: null,
    bot: userJson(world.botUser),
  });
  router.add('GET', '/applications/@me', application).add('GET', '/oauth2/applications/@me', application);

  addCommandRoutes(router, services, '/applications/:appId/commands', () => undefined);
  addCommandRoutes(
    router,
    services,
    '/applications/:appId/guilds/:guildId/commands',
    (ctx) => guildOf(ctx.params['guildId'] ?? '').id,
  );

  router
    .add('GET', '/guilds/:guildId', ({ params }) => ({
      ...guildJson(guildOf(params['guildId'] ?? '')),
      approximate_member_count: guildOf(params['guildId'] ?? '').members.size,
    }))
    .add('GET', '/guilds/:guildId/channels', ({ params }) =>
      [...guildOf(params['guildId'] ?? '').channels.values()].map(channelJson),
    )
    .add('GET', '/guilds/:guildId/roles', ({ params }) => guildJson(guildOf(params['guildId'] ?? ''))['roles'])
    .add('GET', '/guilds/:guildId/members', ({ params, query }) => {
      const limit = Math.min(Number(query.get('limit') ?? 1), 1000);
      return [...guildOf(params['guildId'] ?? '').members.values()].slice(0, limit).map((m) => memberJson(m));
    })
    .add('GET', '/guilds/:guildId/members/:userId', ({ params }) => {
      const member = guildOf(params['guildId'] ?? '').members.get(params['userId'] ?? '');
      if (!member) throw new RestError(404, 10007, 'Unknown Member');
      return memberJson(member);
    })
    .add('GET', '/guilds/:guildId/voice-states/:userId', ({ params }) => {
      const guild = guildOf(params['guildId'] ?? '');
      const userId = params['userId'] === '@me' ? world.botUser.id : (params['userId'] ?? '');
      const state = guild.voiceStates.get(userId);
      if (!state) throw new RestError(404, 10065, 'Unknown Voice State');
      return voiceStateJson(state, guild.members.get(userId));
    });

  router
    .add('GET', '/channels/:channelId', ({ params }) => channelJson(channelOf(params['channelId'] ?? '')))
    .add('POST', '/channels/:channelId/typing', ({ params }) => {
      channelOf(params['channelId'] ?? '');
      return undefined;
    })
    .add('GET', '/channels/:channelId/messages', ({ params, query }) => {
      const limit = Math.min(Number(query.get('limit') ?? 50), 100);
      // Newest first, as Discord answers.
      return world
        .messages(channelOf(params['channelId'] ?? '').id)
        .slice(-limit)
        .reverse()
        .map((m) => m.json);
    })
    .add(
      'GET',
      '/channels/:channelId/messages/:messageId',
      ({ params }) => messageOf(params['channelId'] ?? '', params['messageId'] ?? '').json,
    )
    .add('POST', '/channels/:channelId/messages', ({ params, body }) => {
      const channel = channelOf(params['channelId'] ?? '');
      validateMessageBody(body.json, body.uploads.length);
      const message = world.createMessage(channel.id, world.botUser, body.json, body.uploads);
      world.notify('botMessage', { channelId: channel.id, messageId: String(message.json['id']) });
      services.dispatch('MESSAGE_CREATE', message.json);
      return message.json;
    })
    .add('PATCH', '/channels/:channelId/messages/:messageId', ({ params, body }) => {
      const message = messageOf(params['channelId'] ?? '', params['messageId'] ?? '');
      if ((message.json['author'] as Json)['id'] !== world.botUser.id)
        throw new RestError(403, 50005, 'Cannot edit a message authored by another user');
      world.editMessage(message, body.json, body.uploads);
      world.notify('botMessageEdited', { messageId: String(message.json['id']) });
      services.dispatch('MESSAGE_UPDATE', message.json);
      return message.json;
    })
    .add('DELETE', '/channels/:channelId/messages/:messageId', ({ params }) => {
      const message = messageOf(params['channelId'] ?? '', params['messageId'] ?? '');
      world.deleteMessage(String(message.json['id']));
      world.notify('messageDeleted', { messageId: String(message.json['id']) });
      services.dispatch('MESSAGE_DELETE', {
        id: message.json['id'],
        channel_id: message.json['channel_id'],
        guild_id: message.json['guild_id'],
      });
      return undefined;
    })
    .add('PUT', '/channels/:channelId/messages/:messageId/reactions/:emoji/@me', ({ params }) => {
      const message = messageOf(params['channelId'] ?? '', params['messageId'] ?? '');
      const reactions = ((message.json['reactions'] as Json[] | undefined) ?? []).concat({
        emoji: { id: null, name: params['emoji'] },
        count: 1,
        me: true,
      });
      message.json['reactions'] = reactions;
      world.notify('reactionAdded', { messageId: String(message.json['id']), emoji: params['emoji'] ?? '' });
      return undefined;
    });
}

/**
 * Checks a message body the way Discord refuses empty or oversized messages (50006, 50035), so a bot
 * bug shows up here and not only in production.
 */
export function validateMessageBody(json: Json, uploadCount: number): void {
  const content = typeof json['content'] === 'string' ? json['content'] : '';
  if (content.length > 2000)
    throw new RestError(400, 50035, 'Invalid Form Body: content: Must be 2000 or fewer in length.');
  const hasSomething =
    content.length > 0 ||
    uploadCount > 0 ||
    (Array.isArray(json['embeds']) && json['embeds'].length > 0) ||
    (Array.isArray(json['components']) && json['components'].length > 0) ||
    json['poll'] !== undefined ||
    (Array.isArray(json['sticker_ids']) && json['sticker_ids'].length > 0);
  if (!hasSomething) throw new RestError(400, 50006, 'Cannot send an empty message');
  const flags = Number(json['flags'] ?? 0);
  if (flags & 8192 && content.length > 0) throw new RestError(400, 50161, 'Voice messages cannot have content');
}

/** GET/PUT/POST on a command list and GET/PATCH/DELETE on one command; `scope` yields the guild id or undefined. */
function addCommandRoutes(
  router: Router,
  services: RestServices,
  base: string,
  scope: (ctx: RouteContext) => string | undefined,
): void {
  const { world } = services;
  const checkApp = (ctx: RouteContext): StoredCommand[] => {
    if (ctx.params['appId'] !== world.applicationId) throw new RestError(403, 50001, 'Missing Access');
    return world.commands(scope(ctx));
  };
  const toStored = (json: Json, guildId: string | undefined, id = snowflake()): StoredCommand => {
    if (typeof json['name'] !== 'string' || !/^[-_\p{L}\p{N}]{1,32}$/u.test(json['name'])) {
      throw new RestError(
        400,
        50035,
        `Invalid Form Body: name: ${JSON.stringify(json['name'])} is not a valid command name`,
      );
    }
    return {
      ...json,
      id,
      application_id: world.applicationId,
      version: snowflake(),
      name: json['name'],
      type: typeof json['type'] === 'number' ? json['type'] : 1,
      description: typeof json['description'] === 'string' ? json['description'] : '',
      ...(guildId ? { guild_id: guildId } : {}),
    };
  };
  router
    .add('GET', base, (ctx) => checkApp(ctx))
    .add('PUT', base, (ctx) => {
      const list = checkApp(ctx);
      const incoming = ctx.body.json['__array'];
      if (!Array.isArray(incoming)) throw new RestError(400, 50035, 'Invalid Form Body: expected an array of commands');
      const next = (incoming as Json[]).map((json) => {
        const same = list.find((c) => c.name === json['name'] && c.type === (json['type'] ?? 1));
        return toStored(json, scope(ctx), same?.id);
      });
      list.splice(0, list.length, ...next);
      world.notify('commandsRegistered', { guildId: scope(ctx) ?? null, count: next.length });
      return next;
    })
    .add('POST', base, (ctx) => {
      const list = checkApp(ctx);
      const index = list.findIndex((c) => c.name === ctx.body.json['name']);
      const stored = toStored(ctx.body.json, scope(ctx), index >= 0 ? list[index]?.id : undefined);
      if (index >= 0) list[index] = stored;
      else list.push(stored);
      world.notify('commandsRegistered', { guildId: scope(ctx) ?? null, count: list.length });
      return withStatus(index >= 0 ? 200 : 201, stored);
    })
    .add('GET', `${base}/:commandId`, (ctx) => {
      const found = checkApp(ctx).find((c) => c.id === ctx.params['commandId']);
      if (!found) throw new RestError(404, 10063, 'Unknown application command');
      return found;
    })
    .add('PATCH', `${base}/:commandId`, (ctx) => {
      const list = checkApp(ctx);
      const index = list.findIndex((c) => c.id === ctx.params['commandId']);
      const current = list[index];
      if (!current) throw new RestError(404, 10063, 'Unknown application command');
      const stored = toStored({ ...current, ...ctx.body.json }, scope(ctx), current.id);
      list[index] = stored;
      return stored;
    })
    .add('DELETE', `${base}/:commandId`, (ctx) => {
      const list = checkApp(ctx);
      const index = list.findIndex((c) => c.id === ctx.params['commandId']);
      if (index < 0) throw new RestError(404, 10063, 'Unknown application command');
      list.splice(index, 1);
      return undefined;
    });
}
