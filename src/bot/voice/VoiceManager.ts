import {
  entersState,
  joinVoiceChannel,
  VoiceConnectionStatus,
  type DiscordGatewayAdapterCreator,
} from '@discordjs/voice';
import { fail, ok, type Result } from '../../ml/types';
import type { VoiceFailureCode } from '../errors';
import type { Logger } from '../util/log';
import { GuildVoice } from './GuildVoice';

/** The part of a discord.js Guild that joining needs. */
export interface VoiceGuild {
  id: string;
  voiceAdapterCreator: DiscordGatewayAdapterCreator;
}

export interface VoiceManagerOptions {
  logger: Logger;
  /** How long to wait for a new connection to become ready. */
  readyTimeoutMs?: number;
  /** Leave a channel this long after the last person stopped needing it. */
  idleLeaveMs?: number;
}

/**
 * One voice connection per server. Flows "lease" the connection while they need it (a calibration,
 * an /ask waiting for speech); when no lease is left Attune leaves after a short delay, so it is not
 * sitting in a channel it has no reason to listen in.
 */
export class VoiceManager {
  private readonly voices = new Map<string, GuildVoice>();
  private readonly leases = new Map<string, Set<string>>();
  private readonly leaveTimers = new Map<string, NodeJS.Timeout>();
  private readonly joining = new Map<string, Promise<Result<GuildVoice, VoiceFailureCode>>>();
  /** After shutdown nothing may join again (a reply still on its way would leave a connection behind). */
  private closed = false;

  constructor(private readonly opts: VoiceManagerOptions) {}

  /** The server's live connection, if any. */
  get(guildId: string): GuildVoice | undefined {
    const voice = this.voices.get(guildId);
    return voice && !voice.destroyed ? voice : undefined;
  }

  /**
   * Joins `channelId` (or reuses the connection already there) on behalf of `holder`. Refuses to move
   * away from a channel where someone else still holds a lease.
   */
  async acquire(guild: VoiceGuild, channelId: string, holder: string): Promise<Result<GuildVoice, VoiceFailureCode>> {
    if (this.closed) return fail('shutting_down', 'Attune is shutting down.');
    const pending = this.joining.get(guild.id);
    if (pending) await pending;
    if (this.closed) return fail('shutting_down', 'Attune is shutting down.');
    const current = this.get(guild.id);
    const holders = this.leases.get(guild.id) ?? new Set<string>();
    if (current && current.channelId !== channelId) {
      const others = [...holders].filter((h) => h !== holder);
      if (others.length > 0)
        return fail(
          'channel_busy',
          `I'm busy in <#${current.channelId}> with someone else right now; join that channel, or send a voice message instead.`,
        );
      current.destroy();
    }
    let voice = this.get(guild.id);
    if (!voice) {
      const join = this.join(guild, channelId);
      this.joining.set(guild.id, join);
      const joined = await join.finally(() => this.joining.delete(guild.id));
      if (!joined.ok) return joined;
      voice = joined.value;
    }
    holders.add(holder);
    this.leases.set(guild.id, holders);
    this.cancelLeave(guild.id);
    return ok(voice);
  }

  /** `holder` no longer needs the server's connection. */
  release(guildId: string, holder: string): void {
    const holders = this.leases.get(guildId);
    if (!holders?.delete(holder) || holders.size > 0) return;
    this.cancelLeave(guildId);
    const timer = setTimeout(() => {
      this.leaveTimers.delete(guildId);
      if ((this.leases.get(guildId)?.size ?? 0) === 0) this.leave(guildId);
    }, this.opts.idleLeaveMs ?? 30_000);
    timer.unref?.();
    this.leaveTimers.set(guildId, timer);
  }

  /** Leaves the server's channel now. */
  leave(guildId: string): void {
    this.cancelLeave(guildId);
    this.leases.delete(guildId);
    this.voices.get(guildId)?.destroy();
    this.voices.delete(guildId);
  }

  /** Leaves every channel (shutdown); nothing joins after this. */
  destroyAll(): void {
    this.closed = true;
    for (const id of [...this.voices.keys()]) this.leave(id);
  }

  private cancelLeave(guildId: string): void {
    const t = this.leaveTimers.get(guildId);
    if (t) clearTimeout(t);
    this.leaveTimers.delete(guildId);
  }

  private async join(guild: VoiceGuild, channelId: string): Promise<Result<GuildVoice, VoiceFailureCode>> {
    // selfDeaf false: a deafened bot receives no audio at all.
    const connection = joinVoiceChannel({
      guildId: guild.id,
      channelId,
      adapterCreator: guild.voiceAdapterCreator,
      selfDeaf: false,
      selfMute: false,
    });
    // An 'error' without a listener would crash the process (e.g. the voice server refusing a reconnect).
    connection.on('error', (error) => this.opts.logger.warn('voice.connection_error', { guildId: guild.id, error }));
    try {
      await entersState(connection, VoiceConnectionStatus.Ready, this.opts.readyTimeoutMs ?? 15_000);
    } catch (error) {
      this.opts.logger.warn('voice.join_failed', { guildId: guild.id, error });
      if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
      return fail('connect_failed', "I couldn't connect to your voice channel. You can send voice messages instead.");
    }
    if (this.closed) {
      connection.destroy();
      return fail('shutting_down', 'Attune is shutting down.');
    }
    const voice = new GuildVoice(guild.id, connection, this.opts.logger);
    voice.onLost(() => {
      if (this.voices.get(guild.id) === voice) {
        this.voices.delete(guild.id);
        this.leases.delete(guild.id);
      }
    });
    this.voices.set(guild.id, voice);
    this.opts.logger.info('voice.joined', { guildId: guild.id });
    return ok(voice);
  }
}
