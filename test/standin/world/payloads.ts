import { snowflake } from '../util/snowflake';
import type { Json, StandinChannel, StandinGuild, StandinMember, StandinUser, StandinVoiceState } from './types';

/** Builders of API objects from the stand-in's records; the field sets follow Discord API v10. */

/** A user object. */
export function userJson(user: StandinUser): Json {
  return {
    id: user.id,
    username: user.username,
    global_name: user.global_name,
    discriminator: user.discriminator,
    avatar: user.avatar,
    bot: user.bot,
    public_flags: 0,
  };
}

/** A guild member object (`user` included, as in GUILD_CREATE and interactions). */
export function memberJson(member: StandinMember, withPermissions = false): Json {
  const json: Json = {
    user: userJson(member.user),
    nick: member.nick,
    avatar: null,
    roles: [],
    joined_at: member.joinedAt,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
  };
  // Only interaction payloads carry `permissions` (the member's total in that channel).
  if (withPermissions) json['permissions'] = member.permissions.toString();
  return json;
}

/** A channel object. */
export function channelJson(channel: StandinChannel): Json {
  if (channel.type === 1) {
    return {
      id: channel.id,
      type: 1,
      last_message_id: null,
      recipients: (channel.recipients ?? []).map(userJson),
      flags: 0,
    };
  }
  const json: Json = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    position: channel.position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    flags: 0,
  };
  if (channel.type === 2) {
    json['bitrate'] = 64000;
    json['user_limit'] = 0;
    json['rtc_region'] = null;
  } else {
    json['topic'] = null;
    json['last_message_id'] = null;
    json['rate_limit_per_user'] = 0;
  }
  return json;
}

/** A voice state object. */
export function voiceStateJson(
  state: StandinVoiceState | { userId: string; guildId: string; channelId: null; sessionId: string },
  member?: StandinMember,
): Json {
  const json: Json = {
    guild_id: state.guildId,
    channel_id: state.channelId,
    user_id: state.userId,
    session_id: state.sessionId,
    deaf: false,
    mute: false,
    self_deaf: 'selfDeaf' in state ? state.selfDeaf : false,
    self_mute: 'selfMute' in state ? state.selfMute : false,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  };
  if (member) json['member'] = memberJson(member);
  return json;
}

/** The @everyone role (its id is the guild id); permissions of members come with interactions instead. */
function everyoneRole(guild: StandinGuild): Json {
  return {
    id: guild.id,
    name: '@everyone',
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: 0,
    permissions: '0',
    managed: false,
    mentionable: false,
    flags: 0,
  };
}

/** A guild object as served by REST (`GET /guilds/{id}`). */
export function guildJson(guild: StandinGuild): Json {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [everyoneRole(guild)],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
  };
}

/** The GUILD_CREATE dispatch body: the guild plus channels, members and voice states the client caches. */
export function guildCreateJson(guild: StandinGuild): Json {
  if (!guild.available) return { id: guild.id, unavailable: true };
  return {
    ...guildJson(guild),
    joined_at: new Date().toISOString(),
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    channels: [...guild.channels.values()].map(channelJson),
    threads: [],
    members: [...guild.members.values()].map((member) => memberJson(member)),
    voice_states: [...guild.voiceStates.values()].map((state) => voiceStateJson(state)),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** A new message as Discord sends it: empty content, attachments, embeds and components; flags 0. */
export function messageJson(channelId: string, guildId: string | null | undefined, author: StandinUser): Json {
  return {
    id: snowflake(),
    channel_id: channelId,
    ...(guildId ? { guild_id: guildId } : {}),
    author: userJson(author),
    content: '',
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: 0,
    flags: 0,
  };
}
