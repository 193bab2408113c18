import type { World } from '../world/World';
import type { Json, StoredFile, StoredMessage } from '../world/types';
import { textOf } from '../util/text';

/** Interaction callback types (what the bot answered to `POST /interactions/{id}/{token}/callback`). */
export const CallbackType = {
  ChannelMessageWithSource: 4,
  DeferredChannelMessageWithSource: 5,
  DeferredUpdateMessage: 6,
  UpdateMessage: 7,
  ApplicationCommandAutocompleteResult: 8,
  Modal: 9,
} as const;

/** One thing the bot did in answer to an interaction, in the order it happened. */
export type InteractionResponse =
  | { kind: 'callback'; type: number; body: Json; at: number }
  | { kind: 'editOriginal'; body: Json; at: number }
  | { kind: 'deleteOriginal'; at: number }
  | { kind: 'followUp'; message: StoredMessage; at: number }
  | { kind: 'editFollowUp'; messageId: string; body: Json; at: number }
  | { kind: 'deleteFollowUp'; messageId: string; at: number };

/**
 * A dispatched interaction and everything the bot answered. Tests read the state (`original`,
 * `followUps`, `modal`, `files()`) and wait for it with `waitFor`.
 */
export class InteractionHandle {
  /** Everything the bot did, in order. */
  readonly responses: InteractionResponse[] = [];
  /** Follow-up messages (`POST /webhooks/{app}/{token}`), in order. */
  readonly followUps: StoredMessage[] = [];
  /** The callback type of the first (acknowledging) callback. */
  callbackType: number | undefined;
  /** `Date.now()` when the bot acknowledged. */
  acknowledgedAt: number | undefined;
  /** The modal the bot opened (callback type 9 body), if any. */
  modal: Json | undefined;
  /** Autocomplete choices (callback type 8), if any. */
  choices: Json[] | undefined;
  /**
   * The `@original` message: the reply (type 4), the loading placeholder then its edits (type 5), or for
   * a component interaction the message the component is on.
   */
  original: StoredMessage | undefined;

  constructor(
    private readonly world: World,
    /** The interaction id. */
    readonly id: string,
    /** The interaction token (in webhook URLs). */
    readonly token: string,
    /** 2 command, 3 component, 4 autocomplete, 5 modal submit. */
    readonly type: number,
    /** The exact INTERACTION_CREATE payload dispatched. */
    readonly payload: Json,
    /** When it was dispatched (`Date.now()`). */
    readonly createdAt: number,
  ) {}

  /** Whether the bot acknowledged in any way. */
  get acknowledged(): boolean {
    return this.callbackType !== undefined;
  }

  /** Milliseconds from dispatch to acknowledgement, or undefined. */
  get ackLatencyMs(): number | undefined {
    return this.acknowledgedAt === undefined ? undefined : this.acknowledgedAt - this.createdAt;
  }

  /** The current JSON of `@original` (content, embeds, components, flags, attachments), if any. */
  get originalJson(): Json | undefined {
    return this.original?.json;
  }

  /** Whether the reply is ephemeral (flag 64 on `@original`). */
  get ephemeral(): boolean {
    return (Number(this.original?.json['flags'] ?? 0) & 64) !== 0;
  }

  /** Whether `@original` still shows the "thinking…" state of a deferred reply (LOADING flag 128). */
  get loading(): boolean {
    return (Number(this.original?.json['flags'] ?? 0) & 128) !== 0;
  }

  /** Every message the bot made in answer: `@original` (if any) then the follow-ups. */
  messages(): StoredMessage[] {
    return [...(this.original ? [this.original] : []), ...this.followUps];
  }

  /** Every file currently attached to `@original` and the follow-ups (bytes included). */
  files(): StoredFile[] {
    return this.messages().flatMap((m) => m.files);
  }

  /** All text the bot showed: contents plus embed titles, descriptions and field texts. */
  text(): string {
    return this.messages().map(messageText).join('\n');
  }

  /**
   * Resolves once `predicate(this)` holds, re-checking on every stand-in change; rejects after
   * `timeoutMs` with a summary of what the bot did, so a failing test says why.
   */
  waitFor(predicate: (handle: this) => boolean, timeoutMs = 5000, description = 'condition'): Promise<this> {
    return waitForWorld(
      this.world,
      () => predicate(this),
      timeoutMs,
      () => `interaction ${this.id} ${description}; bot did: ${this.describe()}`,
    ).then(() => this);
  }

  /** Waits for the acknowledgement (any callback). */
  waitForAck(timeoutMs = 3000): Promise<this> {
    return this.waitFor((h) => h.acknowledged, timeoutMs, 'to be acknowledged');
  }

  /** Waits until `@original` exists, is not loading, and (optionally) matches. */
  waitForOriginal(predicate: (json: Json) => boolean = () => true, timeoutMs = 5000): Promise<Json> {
    return this.waitFor(
      (h) => h.original !== undefined && !h.loading && predicate(h.original.json),
      timeoutMs,
      'to show a matching @original',
    ).then((h) => (h.original as StoredMessage).json);
  }

  /** Waits until there are at least `count` follow-ups; returns the last of them. */
  waitForFollowUp(count = 1, timeoutMs = 5000): Promise<StoredMessage> {
    return this.waitFor((h) => h.followUps.length >= count, timeoutMs, `to send ${count} follow-up(s)`).then(
      (h) => h.followUps[count - 1] as StoredMessage,
    );
  }

  /** A one-line summary of the responses, for error messages. */
  describe(): string {
    if (this.responses.length === 0) return 'nothing';
    return this.responses
      .map((r) =>
        r.kind === 'callback'
          ? `callback type ${r.type}`
          : r.kind === 'followUp'
            ? `follow-up ${String(r.message.json['id'])}`
            : r.kind,
      )
      .join(', ');
  }
}

/** The visible text of a message: content and embed texts. */
export function messageText(message: StoredMessage): string {
  const parts = [textOf(message.json['content'])];
  for (const embed of (message.json['embeds'] as Json[] | undefined) ?? []) {
    for (const key of ['title', 'description']) if (typeof embed[key] === 'string') parts.push(embed[key]);
    for (const field of (embed['fields'] as Json[] | undefined) ?? [])
      parts.push(`${String(field['name'])}: ${String(field['value'])}`);
    const footer = embed['footer'] as Json | undefined;
    if (footer && typeof footer['text'] === 'string') parts.push(footer['text']);
  }
  collectComponentText(message.json['components'], parts);
  return parts.filter(Boolean).join('\n');
}

/** Text inside components v2 (TextDisplay `content`) and button labels. */
function collectComponentText(components: unknown, parts: string[]): void {
  if (!Array.isArray(components)) return;
  for (const component of components as Json[]) {
    if (component['type'] === 10 && typeof component['content'] === 'string') parts.push(component['content']);
    collectComponentText(component['components'], parts);
    if (component['accessory']) collectComponentText([component['accessory']], parts);
  }
}

/**
 * Resolves when `check()` is true, re-checking on each world change (and once immediately); rejects
 * after `timeoutMs` with `describe()`.
 */
export function waitForWorld(
  world: World,
  check: () => boolean,
  timeoutMs: number,
  describe: () => string,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) {
      resolve();
      return;
    }
    const onChange = (): void => {
      let done: boolean;
      try {
        done = check();
      } catch (error) {
        cleanup();
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (done) {
        cleanup();
        resolve();
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${describe()}`));
    }, timeoutMs);
    // Conditions may also depend on things outside the stand-in (the client's own state): poll too.
    const poll = setInterval(onChange, 50);
    const cleanup = (): void => {
      clearTimeout(timer);
      clearInterval(poll);
      world.off('change', onChange);
    };
    world.on('change', onChange);
  });
}
