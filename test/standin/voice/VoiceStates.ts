import crypto from 'node:crypto';
import type { GatewayServer, VoiceStateRequest } from '../gateway/GatewayServer';
import { voiceStateJson } from '../world/payloads';
import type { StandinGuild, StandinUser } from '../world/types';
import type { World } from '../world/World';
import type { VoiceServer } from './VoiceServer';

/**
 * Who is in which voice channel, kept in step on both sides: gateway VOICE_STATE_UPDATEs for discord.js
 * and the voice server's calls (each user's simulated client connects, op 11/13 and DAVE follow).
 * Also answers the bot's own op 4.
 */
export class VoiceStates {
  constructor(
    private readonly world: World,
    private readonly gateway: GatewayServer,
    private readonly voice: VoiceServer,
  ) {}

  /** A user joins (or moves to) a voice channel. */
  joinVoice(userId: string, guildId: string, channelId: string): void {
    const guild = this.world.guild(guildId);
    const channel = this.world.channel(channelId, guild.id);
    if (channel.type !== 2) throw new Error(`Channel ${channel.name} is not a voice channel`);
    const member = this.world.member(guild, userId);
    const previous = guild.voiceStates.get(member.user.id);
    // A user's client reconnects when it joins again: it leaves the old call (and its DAVE group) first.
    if (previous) this.voice.userLeft(guild.id, previous.channelId, member.user.id);
    const state = {
      userId: member.user.id,
      guildId: guild.id,
      channelId: channel.id,
      sessionId: crypto.randomBytes(16).toString('hex'),
      selfMute: false,
      selfDeaf: false,
    };
    guild.voiceStates.set(member.user.id, state);
    this.gateway.dispatch('VOICE_STATE_UPDATE', voiceStateJson(state, member));
    this.voice.userJoined(guild.id, channel.id, member.user.id);
    this.world.notify('userVoice', { userId: member.user.id, channelId: channel.id });
  }

  /** A user leaves voice in a guild (no-op if not in voice). */
  leaveVoice(userId: string, guildId: string): void {
    const guild = this.world.guild(guildId);
    const member = this.world.member(guild, userId);
    const state = guild.voiceStates.get(member.user.id);
    if (!state) return;
    guild.voiceStates.delete(member.user.id);
    this.voice.userLeft(guild.id, state.channelId, member.user.id);
    this.gateway.dispatch('VOICE_STATE_UPDATE', voiceStateJson({ ...state, channelId: null }, member));
    this.world.notify('userVoice', { userId: member.user.id, channelId: null });
  }

  /** A moderator disconnects the bot: VOICE_STATE_UPDATE with no channel, voice socket closed with 4014. */
  disconnectBot(guildId: string): void {
    const guild = this.world.guild(guildId);
    const bot = this.world.botUser;
    const state = guild.voiceStates.get(bot.id);
    guild.voiceStates.delete(bot.id);
    this.voice.end(guild.id, 4014);
    if (state)
      this.gateway.dispatch(
        'VOICE_STATE_UPDATE',
        voiceStateJson({ ...state, channelId: null }, guild.members.get(bot.id)),
      );
    this.world.notify('botVoice', { channelId: null });
  }

  /** The guild and user for someone about to speak; throws unless they share a voice channel with the bot. */
  speaker(userId: string, guildId?: string): { guild: StandinGuild; user: StandinUser } {
    const user = this.world.user(userId);
    const guilds = guildId
      ? [this.world.guild(guildId)]
      : [...this.world.guilds.values()].filter((g) => g.voiceStates.has(user.id));
    const guild = guilds[0];
    const state = guild?.voiceStates.get(user.id);
    if (!guild || !state)
      throw new Error(
        `${user.username} is not in a voice channel${guildId ? ` in ${guildId}` : ''}: call joinVoice first`,
      );
    if (guilds.length > 1) throw new Error(`${user.username} is in voice in several guilds: pass guildId`);
    const bot = this.voice.session(guild.id);
    if (!bot?.ready || bot.channelId !== state.channelId)
      throw new Error(`The bot is not connected to ${user.username}'s voice channel in ${guild.name}`);
    return { guild, user };
  }

  /**
   * The bot's gateway op 4. Joining or moving: VOICE_STATE_UPDATE (session id = the gateway session's,
   * as on Discord) then VOICE_SERVER_UPDATE with a fresh token the voice server will expect. Leaving:
   * VOICE_STATE_UPDATE with no channel and the voice session ended.
   */
  onBotVoiceState(request: VoiceStateRequest): void {
    const guild = this.world.guilds.get(request.guildId);
    if (!guild) {
      this.world.log(`bot sent op 4 for unknown guild ${request.guildId}`);
      return;
    }
    const bot = this.world.botUser;
    const member = guild.members.get(bot.id);
    const sessionId = this.gateway.sessionId(this.gateway.shardOf(guild.id)) ?? crypto.randomBytes(16).toString('hex');
    if (request.channelId === null) {
      const previous = guild.voiceStates.get(bot.id);
      guild.voiceStates.delete(bot.id);
      this.voice.end(guild.id);
      this.gateway.dispatch(
        'VOICE_STATE_UPDATE',
        voiceStateJson(
          { userId: bot.id, guildId: guild.id, channelId: null, sessionId: previous?.sessionId ?? sessionId },
          member,
        ),
      );
      this.world.notify('botVoice', { channelId: null });
      return;
    }
    const channel = guild.channels.get(request.channelId);
    if (!channel || channel.type !== 2) {
      this.world.log(
        `bot asked to join ${request.channelId}, which is not a voice channel of ${guild.name}; ignored like Discord`,
      );
      return;
    }
    const state = {
      userId: bot.id,
      guildId: guild.id,
      channelId: channel.id,
      sessionId,
      selfMute: request.selfMute,
      selfDeaf: request.selfDeaf,
    };
    guild.voiceStates.set(bot.id, state);
    this.gateway.dispatch('VOICE_STATE_UPDATE', voiceStateJson(state, member));
    const token = crypto.randomBytes(8).toString('hex');
    this.voice.expect(guild.id, bot.id, channel.id, sessionId, token);
    this.gateway.dispatch('VOICE_SERVER_UPDATE', { token, guild_id: guild.id, endpoint: this.voice.endpoint });
    this.world.notify('botVoice', { channelId: channel.id });
  }
}
