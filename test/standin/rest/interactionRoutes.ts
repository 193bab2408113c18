import { CallbackType, type InteractionHandle } from '../interactions/InteractionHandle';
import type { Json, StoredMessage } from '../world/types';
import { RestError } from './http';
import { type RouteContext, type Router, withStatus } from './router';
import type { RestServices } from './services';
import { validateMessageBody } from './botRoutes';

/**
 * Interaction callbacks and the interaction webhook (`@original`, follow-ups). Discord authorises these
 * by the token in the URL, not the bot token, and enforces the 3-second acknowledgement window and
 * "acknowledge once"; the stand-in does too, so a slow or double-acknowledging bot fails here.
 */
export function addInteractionRoutes(router: Router, services: RestServices): void {
  const { world } = services;

  const responseMessage = (
    handle: InteractionHandle,
    body: Json,
    uploads: RouteContext['body']['uploads'],
    extraFlags = 0,
  ): StoredMessage => {
    const user = (handle.payload['member'] as Json | undefined)?.['user'] ?? handle.payload['user'];
    const data = handle.payload['data'] as Json;
    const metadata: Json = {
      id: handle.id,
      type: handle.type,
      user,
      authorizing_integration_owners: handle.payload['authorizing_integration_owners'],
      ...(handle.type === 2 ? { name: data['name'], command_type: 1 } : {}),
    };
    const message = world.createMessage(String(handle.payload['channel_id']), world.botUser, body, uploads, {
      type: handle.type === 2 ? 20 : 0,
      webhook_id: world.applicationId,
      application_id: world.applicationId,
      interaction_metadata: metadata,
      interaction: { id: handle.id, type: handle.type, name: data['name'] ?? '', user },
    });
    message.json['flags'] = Number(message.json['flags']) | extraFlags;
    return message;
  };
  const announce = (message: StoredMessage, event: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE'): void => {
    // Ephemeral messages exist only for the one user: no gateway event.
    if ((Number(message.json['flags']) & 64) === 0) services.dispatch(event, message.json);
  };

  router.add(
    'POST',
    '/interactions/:id/:token/callback',
    ({ params, body, query }) => {
      const handle = services.interactions.get(params['id'] ?? '', params['token'] ?? '');
      if (!handle) throw new RestError(404, 10062, 'Unknown interaction');
      if (handle.acknowledged) throw new RestError(400, 40060, 'Interaction has already been acknowledged.');
      const now = Date.now();
      if (now - handle.createdAt > services.ackDeadlineMs) {
        services.log(
          `interaction ${handle.id} acknowledged after ${now - handle.createdAt} ms (> ${services.ackDeadlineMs} ms): answered "Unknown interaction" like Discord`,
        );
        throw new RestError(404, 10062, 'Unknown interaction');
      }
      const type = Number(body.json['type']);
      const data = (body.json['data'] as Json | undefined) ?? {};
      switch (type) {
        case CallbackType.ChannelMessageWithSource:
          validateMessageBody(data, body.uploads.length);
          handle.original = responseMessage(handle, data, body.uploads);
          announce(handle.original, 'MESSAGE_CREATE');
          break;
        case CallbackType.DeferredChannelMessageWithSource:
          // The "thinking…" placeholder: LOADING (128), ephemeral if the defer asked for it.
          handle.original = responseMessage(handle, {}, [], 128 | (Number(data['flags'] ?? 0) & 64));
          announce(handle.original, 'MESSAGE_CREATE');
          break;
        case CallbackType.DeferredUpdateMessage:
        case CallbackType.UpdateMessage:
          if (handle.type !== 3 && handle.type !== 5)
            throw new RestError(
              400,
              40043,
              'Interaction callback type 6/7 is only valid for component and modal interactions',
            );
          if (type === CallbackType.UpdateMessage) {
            if (!handle.original) throw new RestError(400, 50035, 'This interaction has no message to update');
            world.editMessage(handle.original, data, body.uploads);
            announce(handle.original, 'MESSAGE_UPDATE');
          }
          break;
        case CallbackType.ApplicationCommandAutocompleteResult:
          handle.choices = (data['choices'] as Json[] | undefined) ?? [];
          break;
        case CallbackType.Modal:
          if (handle.type === 5) throw new RestError(400, 50035, 'Cannot answer a modal submit with another modal');
          handle.modal = data;
          break;
        default:
          throw new RestError(
            400,
            50035,
            `Invalid Form Body: type: ${String(body.json['type'])} is not a callback type the stand-in supports`,
          );
      }
      handle.callbackType = type;
      handle.acknowledgedAt = now;
      handle.responses.push({ kind: 'callback', type, body: data, at: now });
      world.notify('interactionCallback', { interactionId: handle.id, type });
      if (query.get('with_response') === 'true') {
        return {
          interaction: {
            id: handle.id,
            type: handle.type,
            response_message_id: handle.original?.json['id'],
            response_message_loading: type === CallbackType.DeferredChannelMessageWithSource,
            response_message_ephemeral: handle.ephemeral,
          },
          resource: {
            type,
            ...(handle.original && type !== CallbackType.DeferredUpdateMessage
              ? { message: handle.original.json }
              : {}),
          },
        };
      }
      return undefined;
    },
    false,
  );

  const webhookHandle = (ctx: RouteContext): InteractionHandle => {
    const handle = services.interactions.byWebhookToken(ctx.params['token'] ?? '');
    if (!handle || ctx.params['appId'] !== world.applicationId) throw new RestError(404, 10015, 'Unknown Webhook');
    return handle;
  };
  const targetMessage = (handle: InteractionHandle, messageId: string): StoredMessage => {
    if (messageId === '@original') {
      if (!handle.original || !handle.acknowledged) throw new RestError(404, 10008, 'Unknown Message');
      return handle.original;
    }
    const found = handle.messages().find((m) => m.json['id'] === messageId);
    if (!found) throw new RestError(404, 10008, 'Unknown Message');
    return found;
  };

  router
    .add(
      'GET',
      '/webhooks/:appId/:token/messages/:messageId',
      (ctx) => targetMessage(webhookHandle(ctx), ctx.params['messageId'] ?? '').json,
      false,
    )
    .add(
      'PATCH',
      '/webhooks/:appId/:token/messages/:messageId',
      (ctx) => {
        const handle = webhookHandle(ctx);
        const messageId = ctx.params['messageId'] ?? '';
        const message = targetMessage(handle, messageId);
        world.editMessage(message, ctx.body.json, ctx.body.uploads);
        // The first edit of a deferred reply replaces the "thinking…" state.
        message.json['flags'] = Number(message.json['flags']) & ~128;
        const now = Date.now();
        handle.responses.push(
          messageId === '@original' || message === handle.original
            ? { kind: 'editOriginal', body: ctx.body.json, at: now }
            : { kind: 'editFollowUp', messageId, body: ctx.body.json, at: now },
        );
        world.notify('interactionEdit', { interactionId: handle.id, messageId: String(message.json['id']) });
        announce(message, 'MESSAGE_UPDATE');
        return message.json;
      },
      false,
    )
    .add(
      'DELETE',
      '/webhooks/:appId/:token/messages/:messageId',
      (ctx) => {
        const handle = webhookHandle(ctx);
        const messageId = ctx.params['messageId'] ?? '';
        const message = targetMessage(handle, messageId);
        world.deleteMessage(String(message.json['id']));
        const now = Date.now();
        if (message === handle.original) {
          handle.original = undefined;
          handle.responses.push({ kind: 'deleteOriginal', at: now });
        } else {
          handle.followUps.splice(handle.followUps.indexOf(message), 1);
          handle.responses.push({ kind: 'deleteFollowUp', messageId, at: now });
        }
        world.notify('interactionDelete', { interactionId: handle.id, messageId: String(message.json['id']) });
        return undefined;
      },
      false,
    )
    .add(
      'POST',
      '/webhooks/:appId/:token',
      (ctx) => {
        const handle = webhookHandle(ctx);
        if (!handle.acknowledged) throw new RestError(404, 10015, 'Unknown Webhook');
        validateMessageBody(ctx.body.json, ctx.body.uploads.length);
        let message: StoredMessage;
        if (handle.original && handle.loading) {
          // Discord: the first follow-up after a deferred reply fills in the "thinking…" message.
          message = handle.original;
          world.editMessage(message, ctx.body.json, ctx.body.uploads);
          message.json['flags'] = Number(message.json['flags']) & ~128;
          announce(message, 'MESSAGE_UPDATE');
        } else {
          message = responseMessage(handle, ctx.body.json, ctx.body.uploads);
          announce(message, 'MESSAGE_CREATE');
        }
        handle.followUps.push(message);
        handle.responses.push({ kind: 'followUp', message, at: Date.now() });
        world.notify('interactionFollowUp', { interactionId: handle.id, messageId: String(message.json['id']) });
        return ctx.query.get('wait') === 'true' ? message.json : withStatus(204);
      },
      false,
    );
}
