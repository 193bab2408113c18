import type { InteractionHandle } from './InteractionHandle';

/** The interactions dispatched so far, by id and by token (webhook routes only know the token). */
export class InteractionRegistry {
  private readonly byId = new Map<string, InteractionHandle>();
  private readonly byToken = new Map<string, InteractionHandle>();

  /** Remembers a dispatched interaction. */
  add(handle: InteractionHandle): void {
    this.byId.set(handle.id, handle);
    this.byToken.set(handle.token, handle);
  }

  /** The interaction with that id and token, if both match. */
  get(id: string, token: string): InteractionHandle | undefined {
    const handle = this.byId.get(id);
    return handle && handle.token === token ? handle : undefined;
  }

  /** The interaction a webhook token belongs to. */
  byWebhookToken(token: string): InteractionHandle | undefined {
    return this.byToken.get(token);
  }

  /** All interactions, oldest first. */
  all(): InteractionHandle[] {
    return [...this.byId.values()];
  }
}
