import { MessageFlags, type Message } from 'discord.js';
import { fail, type Result } from '../../ml/types';
import { attachmentKind, type AttachmentInfo, type DownloadResult } from '../util/attachments';
import type { Logger } from '../util/log';
import type { CalibrationSession, MessageMedia } from './CalibrationSession';

/** What taking a message's media needs of the bot (the bot's context has it). */
export interface MessageServices {
  logger: Logger;
  /** Downloads an attachment from an allowed host within the size limit for its kind. */
  download(info: AttachmentInfo, kind: 'image' | 'audio'): Promise<DownloadResult>;
}

/**
 * All running calibrations, keyed by server and person, and the routing of Discord events to them:
 * messages with media, voice channel joins, /forget, shutdown. A person's samples are stored per
 * person, not per server, so one person has at most one running calibration anywhere (two would
 * interleave their counts).
 */
export class CalibrationSessions {
  private readonly sessions = new Map<string, CalibrationSession>();
  /** Each person's messages are handled one after another (see onMessage). */
  private readonly messageQueues = new Map<string, Promise<unknown>>();
  /** People whose /calibrate is between its check and its registration (an await apart). */
  private readonly starting = new Set<string>();
  /** Work started when a calibration ended (releasing its claim) that shutdown waits for. */
  private readonly ending = new Set<Promise<unknown>>();

  private static key(guildId: string, userId: string): string {
    return `${guildId}:${userId}`;
  }

  /** The person's running calibration in this server. */
  get(guildId: string, userId: string): CalibrationSession | undefined {
    const session = this.sessions.get(CalibrationSessions.key(guildId, userId));
    return session?.active ? session : undefined;
  }

  /** The person's running calibration in any server. */
  findByUser(userId: string): CalibrationSession | undefined {
    for (const session of this.sessions.values()) if (session.personId === userId && session.active) return session;
    return undefined;
  }

  /** Running calibrations. */
  private running(): CalibrationSession[] {
    return [...this.sessions.values()].filter((s) => s.active);
  }

  /**
   * Claims the person's calibration slot synchronously, before any await: two /calibrate in the
   * same moment must not both pass a check that only the later registration would fail. Returns
   * false when the person already has a calibration running or starting. `release()` when the start
   * fails; `add()` replaces the claim with the session.
   */
  claim(userId: string): { release: () => void } | null {
    if (this.starting.has(userId) || this.findByUser(userId)) return null;
    this.starting.add(userId);
    return { release: () => this.starting.delete(userId) };
  }

  /** Registers a new calibration; the caller holds the person's {@link claim}. */
  add(session: CalibrationSession): void {
    this.sessions.set(CalibrationSessions.key(session.guildId, session.personId), session);
    this.starting.delete(session.personId);
  }

  /** Forgets a calibration that ended (keeps the map small over a long run). */
  remove(session: CalibrationSession): void {
    const key = CalibrationSessions.key(session.guildId, session.personId);
    if (this.sessions.get(key) === session) this.sessions.delete(key);
  }

  /** Keeps `work` (e.g. releasing a person's claim) for shutdown to wait for before the store closes. */
  track(work: Promise<unknown>): void {
    const settled = work.catch(() => undefined);
    this.ending.add(settled);
    void settled.then(() => this.ending.delete(settled));
  }

  /** Number of running calibrations (for logs and tests). */
  get size(): number {
    return this.running().length;
  }

  /**
   * A message in a server: if its author is calibrating in that channel, its images and audio become
   * samples. Returns true when the message was taken.
   */
  async onMessage(message: Message, ctx: MessageServices): Promise<boolean> {
    if (!message.guildId || message.author.bot || message.attachments.size === 0) return false;
    const session = this.get(message.guildId, message.author.id);
    if (!session || session.channelId !== message.channelId) return false;
    const voiceMessage = message.flags.has(MessageFlags.IsVoiceMessage);
    const media: MessageMedia[] = [];
    for (const attachment of message.attachments.values()) {
      const kind = voiceMessage
        ? 'audio'
        : attachmentKind({ name: attachment.name, contentType: attachment.contentType });
      if (kind === 'other') continue;
      media.push({
        kind,
        name: attachment.name,
        contentType: attachment.contentType,
        voiceMessage,
        bytes: () =>
          ctx.download(
            {
              url: attachment.url,
              size: attachment.size,
              name: attachment.name,
              contentType: attachment.contentType,
              owner: message.author.id,
            },
            kind,
          ),
      });
    }
    if (media.length === 0) return false;
    // One message at a time per person: five messages of ten 7.5 MB images sent at once would
    // otherwise all be downloaded and held before any is analysed (~590 MB measured). In order, a
    // person holds at most one message's media.
    const key = message.author.id;
    const previous = this.messageQueues.get(key) ?? Promise.resolve();
    const turn = previous.then(() => this.takeMessage(message, session, media, ctx));
    const tail = turn.catch(() => undefined);
    this.messageQueues.set(key, tail);
    void tail.then(() => {
      if (this.messageQueues.get(key) === tail) this.messageQueues.delete(key);
    });
    await turn;
    return true;
  }

  private async takeMessage(
    message: Message,
    session: CalibrationSession,
    media: MessageMedia[],
    ctx: MessageServices,
  ): Promise<void> {
    if (!session.active) return;
    // Download first, then take the upload out of the channel, then analyse: the photo or clip leaves
    // the channel as soon as Attune holds it, not after training.
    const fetched = await Promise.all(
      media.map(async (m): Promise<MessageMedia> => {
        // Handed over once, then let go: each file's bytes can be freed as soon as it is analysed.
        let held: Result<Uint8Array, string> | null = await m.bytes();
        return {
          ...m,
          bytes: () => {
            const bytes = held ?? fail('invalid', 'This file was already read.');
            held = null;
            return Promise.resolve(bytes);
          },
        };
      }),
    );
    await removeUpload(message, ctx);
    await session.takeMessageMedia(fetched);
  }

  /** Someone joined a voice channel: a calibration of theirs may now record there. */
  onVoiceJoin(guildId: string, userId: string): void {
    this.get(guildId, userId)?.startVoice();
  }

  /** /forget: drop every running calibration of this person. */
  forgetUser(userId: string): void {
    for (let s = this.findByUser(userId); s; s = this.findByUser(userId)) {
      s.forget();
      this.remove(s);
    }
  }

  /**
   * Shutdown: end every calibration (samples stay stored) and tell each person Attune is restarting,
   * waiting at most `timeoutMs` for those messages.
   */
  async shutDownAll(timeoutMs = 3_000): Promise<void> {
    const told = Promise.all(this.running().map((s) => s.shutDown())).then(() => Promise.all([...this.ending]));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([told, new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}

/** Discord's "Missing Permissions" and "Unknown Message" (already deleted) errors. */
const EXPECTED_DELETE_ERRORS = new Set([50013, 10008]);

/**
 * A selfie or a voice message is biometric data sitting in a channel: once read, take it out where
 * Attune may manage messages. Without that permission Discord refuses (50013) and the consent screen
 * has told the person to delete it themselves; either way the sample is already stored.
 */
async function removeUpload(message: Message, ctx: MessageServices): Promise<void> {
  try {
    await message.delete();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number' && EXPECTED_DELETE_ERRORS.has(code)) return;
    ctx.logger.warn('calibrate.upload_not_removed', { guildId: message.guildId, error });
  }
}
