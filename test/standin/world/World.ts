import { EventEmitter } from 'node:events';
import { type StandinLogger } from '../util/log';
import { snowflake } from '../util/snowflake';
import { DEFAULT_MEMBER_PERMISSIONS, toPermissionBits, type Permission } from '../util/permissions';
import { messageJson } from './payloads';
import type {
  ChannelType,
  Json,
  StandinChannel,
  StandinGuild,
  StandinMember,
  StandinUser,
  StoredCommand,
  StoredFile,
  StoredMessage,
} from './types';

/** A file the bot uploaded in a multipart body: `files[n]` plus what `payload_json.attachments` says of it. */
export interface Upload {
  index: number;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** How a test describes a user. */
export interface UserOptions {
  id?: string;
  username: string;
  globalName?: string;
  bot?: boolean;
}

/** How a test describes a channel: `type` is 'text' (0), 'voice' (2) or the number. */
export interface ChannelOptions {
  id?: string;
  name: string;
  type?: 'text' | 'voice' | ChannelType;
}

/** How a test describes a guild member. */
export interface MemberOptions {
  user: UserOptions;
  /** Bits, a decimal string or a list of names; default: an ordinary member (no Manage Server). */
  permissions?: bigint | string | readonly (keyof typeof Permission)[];
  /** A voice channel (id or name) the member is in when the stand-in starts; listed in GUILD_CREATE. */
  inVoice?: string;
}

/** How a test describes a guild. */
export interface GuildOptions {
  id?: string;
  name: string;
  channels: ChannelOptions[];
  members: MemberOptions[];
}

/** What changed, for `waitFor` listeners and the event log. */
export interface WorldChange {
  kind: string;
  detail?: Json;
}

/**
 * The stand-in's state: users, guilds, channels, messages, CDN files and registered commands. REST,
 * gateway and voice servers read and change it; every change emits `'change'` so tests can wait on it.
 */
export class World extends EventEmitter {
  readonly users = new Map<string, StandinUser>();
  readonly guilds = new Map<string, StandinGuild>();
  readonly channels = new Map<string, StandinChannel>();
  readonly messagesByChannel = new Map<string, StoredMessage[]>();
  readonly files = new Map<string, StoredFile & { channelId: string }>();
  readonly globalCommands: StoredCommand[] = [];
  readonly guildCommands = new Map<string, StoredCommand[]>();
  readonly botUser: StandinUser;
  /** Set by the HTTP server once it listens: base of attachment URLs. */
  cdnUrl = '';

  constructor(
    readonly applicationId: string,
    bot: UserOptions,
    readonly botPermissions: bigint,
    readonly log: StandinLogger,
  ) {
    super();
    this.setMaxListeners(0);
    this.botUser = this.addUser({ ...bot, bot: true });
  }

  /** Adds (or returns the existing) user with that id. */
  addUser(options: UserOptions): StandinUser {
    const id = options.id ?? snowflake();
    const existing = this.users.get(id);
    if (existing) return existing;
    const user: StandinUser = {
      id,
      username: options.username,
      global_name: options.globalName ?? null,
      discriminator: '0',
      avatar: null,
      bot: options.bot ?? false,
    };
    this.users.set(id, user);
    return user;
  }

  /** Adds a guild with its channels and members; the bot is always a member. */
  addGuild(options: GuildOptions): StandinGuild {
    const guild: StandinGuild = {
      id: options.id ?? snowflake(),
      name: options.name,
      ownerId: '',
      channels: new Map(),
      members: new Map(),
      voiceStates: new Map(),
      available: true,
    };
    options.channels.forEach((channelOptions, position) => {
      const type: ChannelType =
        channelOptions.type === 'voice'
          ? 2
          : channelOptions.type === 'text' || channelOptions.type === undefined
            ? 0
            : channelOptions.type;
      const channel: StandinChannel = {
        id: channelOptions.id ?? snowflake(),
        type,
        name: channelOptions.name,
        guildId: guild.id,
        position,
      };
      guild.channels.set(channel.id, channel);
      this.channels.set(channel.id, channel);
    });
    const joinedAt = new Date().toISOString();
    for (const memberOptions of options.members) {
      const user = this.addUser(memberOptions.user);
      const permissions = toPermissionBits(memberOptions.permissions, DEFAULT_MEMBER_PERMISSIONS);
      guild.members.set(user.id, { user, permissions, joinedAt, nick: null });
      if (memberOptions.inVoice !== undefined) {
        const channel = [...guild.channels.values()].find(
          (c) => c.type === 2 && (c.id === memberOptions.inVoice || c.name === memberOptions.inVoice),
        );
        if (!channel)
          throw new Error(
            `${user.username}'s inVoice "${memberOptions.inVoice}" is not a voice channel of ${options.name}`,
          );
        guild.voiceStates.set(user.id, {
          userId: user.id,
          guildId: guild.id,
          channelId: channel.id,
          sessionId: snowflake(),
          selfMute: false,
          selfDeaf: false,
        });
      }
    }
    guild.members.set(this.botUser.id, { user: this.botUser, permissions: this.botPermissions, joinedAt, nick: null });
    guild.ownerId = options.members[0] ? this.addUser(options.members[0].user).id : this.botUser.id;
    this.guilds.set(guild.id, guild);
    return guild;
  }

  /** The guild, or a thrown error naming what is known (a test mistake, not a bot mistake). */
  guild(idOrName: string): StandinGuild {
    const guild = this.guilds.get(idOrName) ?? [...this.guilds.values()].find((g) => g.name === idOrName);
    if (!guild)
      throw new Error(
        `Stand-in has no guild "${idOrName}"; known: ${[...this.guilds.values()].map((g) => g.name).join(', ')}`,
      );
    return guild;
  }

  /** The channel by id, or by name inside `guildId`. */
  channel(idOrName: string, guildId?: string): StandinChannel {
    const channel =
      this.channels.get(idOrName) ??
      [...this.channels.values()].find((c) => c.name === idOrName && (guildId === undefined || c.guildId === guildId));
    if (!channel) throw new Error(`Stand-in has no channel "${idOrName}"`);
    return channel;
  }

  /** The user by id or username. */
  user(idOrName: string): StandinUser {
    const user = this.users.get(idOrName) ?? [...this.users.values()].find((u) => u.username === idOrName);
    if (!user) throw new Error(`Stand-in has no user "${idOrName}"`);
    return user;
  }

  /** The member of a guild for a user id or username; throws if not a member (a test mistake). */
  member(guild: StandinGuild, userIdOrName: string): StandinMember {
    const user = this.user(userIdOrName);
    const member = guild.members.get(user.id);
    if (!member) throw new Error(`${user.username} is not a member of ${guild.name}`);
    return member;
  }

  /** Emits a change for `waitFor` listeners. */
  notify(kind: string, detail?: Json): void {
    this.emit('change', { kind, detail } satisfies WorldChange);
  }

  /** Stores bytes on the CDN and returns the attachment object that points at them. */
  storeFile(
    channelId: string,
    filename: string,
    contentType: string,
    data: Buffer,
    extra: Json = {},
  ): { json: Json; file: StoredFile } {
    const attachmentId = snowflake();
    const file: StoredFile = { attachmentId, filename, contentType, data };
    this.files.set(attachmentId, { ...file, channelId });
    const url = `${this.cdnUrl}/attachments/${channelId}/${attachmentId}/${encodeURIComponent(filename)}`;
    const json: Json = {
      id: attachmentId,
      filename,
      size: data.length,
      url,
      proxy_url: url,
      content_type: contentType,
      ...extra,
    };
    return { json, file };
  }

  /** All messages of a channel, oldest first. */
  messages(channelId: string): StoredMessage[] {
    let list = this.messagesByChannel.get(channelId);
    if (!list) {
      list = [];
      this.messagesByChannel.set(channelId, list);
    }
    return list;
  }

  /** Finds a message by id in any channel. */
  findMessage(messageId: string): StoredMessage | undefined {
    for (const list of this.messagesByChannel.values()) {
      const found = list.find((m) => m.json['id'] === messageId);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * Creates a message in a channel from a message body (content, embeds, components, flags,
   * attachments) and uploaded files, as `POST /channels/{id}/messages` and interaction replies do.
   */
  createMessage(
    channelId: string,
    author: StandinUser,
    body: Json,
    uploads: Upload[],
    extra: Json = {},
  ): StoredMessage {
    const channel = this.channels.get(channelId);
    const message: StoredMessage = {
      json: { ...messageJson(channelId, channel?.guildId, author), ...extra },
      files: [],
    };
    this.applyBody(message, body, uploads, true);
    this.messages(channelId).push(message);
    return message;
  }

  /** Applies an edit body (PATCH semantics: absent fields are kept). */
  editMessage(message: StoredMessage, body: Json, uploads: Upload[]): StoredMessage {
    this.applyBody(message, body, uploads, false);
    message.json['edited_timestamp'] = new Date().toISOString();
    return message;
  }

  /** Removes a message; returns whether it existed. */
  deleteMessage(messageId: string): boolean {
    for (const list of this.messagesByChannel.values()) {
      const index = list.findIndex((m) => m.json['id'] === messageId);
      if (index >= 0) {
        list.splice(index, 1);
        return true;
      }
    }
    return false;
  }

  /**
   * Copies the message fields of a body onto a message. Attachments follow Discord: entries of
   * `attachments` whose id is an upload index (`files[n]`) are new files, other ids keep existing
   * attachments; without an `attachments` field, a new message takes every upload and an edit
   * appends them to what it had.
   */
  private applyBody(message: StoredMessage, body: Json, uploads: Upload[], isNew: boolean): void {
    for (const field of ['content', 'embeds', 'components', 'tts', 'poll', 'sticker_ids'] as const) {
      if (body[field] !== undefined && body[field] !== null) message.json[field] = body[field];
    }
    if (body['content'] === null) message.json['content'] = '';
    if (typeof body['flags'] === 'number') {
      // On create: SUPPRESS_EMBEDS (4), EPHEMERAL (64), SUPPRESS_NOTIFICATIONS (4096),
      // IS_VOICE_MESSAGE (8192), IS_COMPONENTS_V2 (32768). An edit can only toggle 4 and 32768: a
      // message cannot become ephemeral or a voice message afterwards (discord.js types agree).
      const settable = isNew ? 4 | 64 | 4096 | 8192 | 32768 : 4 | 32768;
      const refused = body['flags'] & ~settable & ~Number(message.json['flags']);
      if (refused)
        this.log(`message flags ${refused} cannot be set ${isNew ? 'on a new message' : 'by an edit'}; ignored`);
      message.json['flags'] = ((message.json['flags'] as number) & ~settable) | (body['flags'] & settable);
    }
    if (body['message_reference'] !== undefined) message.json['message_reference'] = body['message_reference'];
    const channelId = String(message.json['channel_id']);
    const declared = Array.isArray(body['attachments']) ? (body['attachments'] as Json[]) : undefined;
    const kept: { json: Json; file: StoredFile }[] = [];
    const current = (message.json['attachments'] as Json[]).map((json, i) => ({
      json,
      file: message.files[i] as StoredFile,
    }));
    const used = new Set<number>();
    const addUpload = (upload: Upload, meta: Json): void => {
      used.add(upload.index);
      const extra: Json = {};
      for (const key of ['description', 'duration_secs', 'waveform', 'title'])
        if (meta[key] !== undefined) extra[key] = meta[key];
      const filename = typeof meta['filename'] === 'string' ? meta['filename'] : upload.filename;
      kept.push(this.storeFile(channelId, filename, upload.contentType, upload.data, extra));
    };
    if (declared) {
      for (const meta of declared) {
        const id = String(meta['id']);
        const upload = uploads.find((u) => String(u.index) === id);
        const existing = current.find((c) => c.json['id'] === id);
        if (upload && !used.has(upload.index)) addUpload(upload, meta);
        else if (existing) kept.push(existing);
        else
          this.log(
            `message body names attachment id ${id}, which is neither an uploaded files[n] nor an existing attachment`,
          );
      }
      // Files uploaded but not declared are still attached, as Discord does.
      for (const upload of uploads) if (!used.has(upload.index)) addUpload(upload, {});
    } else {
      if (!isNew) kept.push(...current);
      for (const upload of uploads) addUpload(upload, {});
    }
    message.json['attachments'] = kept.map((k) => k.json);
    message.files = kept.map((k) => k.file);
  }

  /** The commands the bot registered for a guild (or globally when `guildId` is undefined). */
  commands(guildId?: string): StoredCommand[] {
    if (guildId === undefined) return this.globalCommands;
    let list = this.guildCommands.get(guildId);
    if (!list) {
      list = [];
      this.guildCommands.set(guildId, list);
    }
    return list;
  }

  /** The registered command a slash command in that guild resolves to (guild first, then global). */
  findCommand(guildId: string, name: string): StoredCommand | undefined {
    return (
      this.commands(guildId).find((c) => c.name === name && c.type === 1) ??
      this.globalCommands.find((c) => c.name === name && c.type === 1)
    );
  }
}
