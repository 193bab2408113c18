import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Result } from '../../src/ml/types';
import { decodeOpusPackets } from './audio/opus';
import { GatewayServer, type ReconnectMode, type VoiceStateRequest } from './gateway/GatewayServer';
import { InteractionHandle, waitForWorld } from './interactions/InteractionHandle';
import { InteractionRegistry } from './interactions/InteractionRegistry';
import {
  type OptionValue,
  baseInteraction,
  buildCommandOptions,
  findComponent,
  listCustomIds,
  modalSubmitComponents,
} from './interactions/payloads';
import { HttpServer, type RestCall, type UnknownRoute } from './rest/HttpServer';
import { makeSelfSignedCertificate, trustCertificateInProcess, writeCertificateFile } from './util/certificate';
import { type StandinLogger, defaultLogger } from './util/log';
import { DEFAULT_BOT_PERMISSIONS, type Permission, toPermissionBits } from './util/permissions';
import { snowflake } from './util/snowflake';
import { SILENCE_FRAME } from './voice/rtp';
import type { SimulatedMember } from './voice/dave/SimulatedMember';
import {
  type DaveStatus,
  type PaddingOptions,
  type SpeakOptions,
  type SpeakResult,
  type VoiceServerOptions,
  VoiceServer,
} from './voice/VoiceServer';
import type { BotPacket } from './voice/VoiceSession';
import { VoiceStates } from './voice/VoiceStates';
import { memberJson, messageJson } from './world/payloads';
import type { Json, StandinChannel, StandinGuild, StandinUser, StoredMessage } from './world/types';
import { type GuildOptions, type UserOptions, World } from './world/World';

/** How to start a stand-in. Everything but `guilds` has a default. */
export interface StandinOptions {
  /** Guilds with channels and members (the bot is added to each). */
  guilds: GuildOptions[];
  /** Default: a fresh snowflake. */
  applicationId?: string;
  /** Default: `{ username: 'Attune' }` with a fresh id. */
  botUser?: UserOptions;
  /** The bot's permissions in every channel (`app_permissions`); default: what Attune needs. */
  botPermissions?: bigint | string | readonly (keyof typeof Permission)[];
  /** The bot token REST and the gateway accept; default random. */
  token?: string;
  /** Interaction acknowledgement window, ms (Discord: 3000). Late callbacks get "Unknown interaction". */
  ackDeadlineMs?: number;
  /** Where to report unknown routes and protocol misuse; `false` for silence. Default: stderr. */
  logger?: StandinLogger | false;
  /**
   * Trust the voice server's self-signed certificate in this process (default true), so
   * @discordjs/voice's `wss://` connects without `NODE_EXTRA_CA_CERTS`. Needs Node >= 22.19.
   */
  trustCertificate?: boolean;
  /** HTTP port (REST, CDN, gateway); default ephemeral. */
  port?: number;
  /** Voice server: DAVE on (default) or transport only (`dave: false`), modes offered and their order, transition timeout. */
  voice?: VoiceServerOptions;
  /** The shard count `GET /gateway/bot` recommends (default 1); the bot identifies each shard as `[id, n]`. */
  shards?: number;
  /** `session_start_limit.max_concurrency` (default 1): how many shards may identify at once. */
  maxConcurrency?: number;
}

/** Attachment metadata for `addAttachment`. */
export interface AttachmentOptions {
  filename: string;
  contentType: string;
  /** Voice messages: float seconds. */
  durationSecs?: number;
  /** Voice messages: base64 of up to 256 amplitude bytes. */
  waveform?: string;
}

/** A slash command as a user runs it. Ids or names are accepted for guild, channel and user. */
export interface SlashCommandOptions {
  guildId: string;
  channelId: string;
  userId: string;
  name: string;
  subcommand?: string;
  subcommandGroup?: string;
  /** By option name: strings, numbers, booleans, attachments (from `addAttachment`), user ids. */
  options?: Record<string, OptionValue>;
  locale?: string;
}

/** A message as a test refers to it: the stored message, its JSON, or its id. */
export type MessageRef = StoredMessage | Json | string;

/**
 * A local Discord for end-to-end tests: REST, gateway, CDN and voice on 127.0.0.1, spoken to by the
 * unmodified discord.js client and @discordjs/voice. Start with `startStandin`, give `apiUrl` and
 * `token` to the client, drive users with the control methods, and `close()` at the end.
 */
export class Standin {
  /** REST base for `new Client({ rest: { api } })` / `DISCORD_API_URL`. */
  readonly apiUrl: string;
  /** Where attachments live. */
  readonly cdnUrl: string;
  /** What `GET /gateway/bot` returns. */
  readonly gatewayUrl: string;
  /** `127.0.0.1:PORT` of the voice server (sent in VOICE_SERVER_UPDATE). */
  readonly voiceEndpoint: string;
  /** The bot token to log in with. */
  readonly token: string;
  /** PEM file of the voice server's certificate: `NODE_EXTRA_CA_CERTS` for a bot in another process. */
  readonly caCertPath: string;
  readonly world: World;
  readonly gateway: GatewayServer;
  readonly voice: VoiceServer;
  readonly interactions = new InteractionRegistry();
  private readonly http: HttpServer;
  private readonly voiceStates: VoiceStates;

  private constructor(parts: {
    world: World;
    gateway: GatewayServer;
    voice: VoiceServer;
    http: HttpServer;
    interactions: InteractionRegistry;
    baseUrl: string;
    token: string;
    caCertPath: string;
  }) {
    this.world = parts.world;
    this.gateway = parts.gateway;
    this.voice = parts.voice;
    this.http = parts.http;
    this.interactions = parts.interactions;
    this.token = parts.token;
    this.caCertPath = parts.caCertPath;
    this.apiUrl = `${parts.baseUrl}/api`;
    this.cdnUrl = `${parts.baseUrl}/cdn`;
    this.gatewayUrl = parts.gateway.url;
    this.voiceEndpoint = parts.voice.endpoint;
    this.voiceStates = new VoiceStates(this.world, this.gateway, this.voice);
    this.gateway.on('voiceStateUpdate', (request: VoiceStateRequest) => this.voiceStates.onBotVoiceState(request));
    this.voice.on('change', (kind: string) => this.world.notify(kind));
  }

  /** Starts all servers. Prefer the `startStandin` function. */
  static async start(options: StandinOptions): Promise<Standin> {
    const log: StandinLogger = options.logger === false ? () => undefined : (options.logger ?? defaultLogger);
    const token = options.token ?? `standin.${crypto.randomBytes(18).toString('base64url')}`;
    const world = new World(
      options.applicationId ?? snowflake(),
      options.botUser ?? { username: 'Attune' },
      toPermissionBits(options.botPermissions, DEFAULT_BOT_PERMISSIONS),
      log,
    );
    for (const guild of options.guilds) world.addGuild(guild);
    const certificate = makeSelfSignedCertificate();
    const caCertPath = writeCertificateFile(certificate.certPem);
    if (options.trustCertificate ?? true) {
      if (!trustCertificateInProcess(certificate.certPem))
        log(
          `this Node (${process.version}) cannot trust certificates at run time; start it with NODE_EXTRA_CA_CERTS=${caCertPath}`,
        );
    }
    const gateway = new GatewayServer(world, token, log);
    const interactions = new InteractionRegistry();
    const http = new HttpServer(
      {
        world,
        interactions,
        token,
        dispatch: (event, data) => gateway.dispatch(event, data),
        gatewayUrl: () => gateway.url,
        recommendedShards: options.shards ?? 1,
        maxConcurrency: options.maxConcurrency ?? 1,
        ackDeadlineMs: options.ackDeadlineMs ?? 3000,
        log,
      },
      (req, socket, head) => gateway.handleUpgrade(req, socket, head),
    );
    const baseUrl = await http.listen(options.port ?? 0);
    world.cdnUrl = `${baseUrl}/cdn`;
    gateway.url = `${baseUrl.replace(/^http/, 'ws')}/gateway`;
    const voice = new VoiceServer(certificate, options.voice ?? {}, log);
    await voice.listen();
    // Users the world starts with in voice are already connected (and in the channel's DAVE group, or pending).
    for (const guild of world.guilds.values())
      for (const state of guild.voiceStates.values()) voice.userJoined(guild.id, state.channelId, state.userId);
    return new Standin({ world, gateway, voice, http, interactions, baseUrl, token, caCertPath });
  }

  /** The application (and bot user) id. */
  get applicationId(): string {
    return this.world.applicationId;
  }

  /** The bot's user. */
  get botUser(): StandinUser {
    return this.world.botUser;
  }

  /**
   * Environment for Attune started as a separate process against this stand-in (names as in
   * src/bot/config.ts): token, API URL, application id, the CDN host added to the attachment allow
   * list, the first guild as dev guild, and the CA file so the voice `wss://` connection verifies.
   */
  env(): Record<string, string> {
    const firstGuild = this.world.guilds.keys().next().value;
    return {
      DISCORD_TOKEN: this.token,
      DISCORD_API_URL: this.apiUrl,
      DISCORD_APPLICATION_ID: this.applicationId,
      ATTUNE_EXTRA_ATTACHMENT_HOSTS: new URL(this.cdnUrl).host,
      ...(firstGuild ? { DISCORD_DEV_GUILD_ID: firstGuild } : {}),
      NODE_EXTRA_CA_CERTS: this.caCertPath,
    };
  }

  /** Routes under `/_standin/...` (see control.ts), for driving a stand-in that runs as its own process. */
  get controlRouter(): HttpServer['controlRouter'] {
    return this.http.controlRouter;
  }

  /** REST requests no route matched (each also logged). */
  get unknownRoutes(): readonly UnknownRoute[] {
    return this.http.unknownRoutes;
  }

  /** Every REST call the bot made (method, path, status). */
  get restCalls(): readonly RestCall[] {
    return this.http.calls;
  }

  /** Shuts everything down and deletes the certificate file. */
  async close(): Promise<void> {
    await this.gateway.close();
    await this.voice.close();
    await this.http.close();
    fs.rmSync(path.dirname(this.caCertPath), { recursive: true, force: true });
  }

  // ---- lookups -------------------------------------------------------------------------------

  /** A guild by id or name. */
  guild(idOrName: string): StandinGuild {
    return this.world.guild(idOrName);
  }

  /** A channel by id, or by name (in `guild` if given). */
  channel(idOrName: string, guild?: string): StandinChannel {
    return this.world.channel(idOrName, guild === undefined ? undefined : this.guild(guild).id);
  }

  /** A user by id or username. */
  user(idOrName: string): StandinUser {
    return this.world.user(idOrName);
  }

  /** The commands the bot registered (guild commands if `guild` is given, else global). */
  commands(guild?: string): Json[] {
    return this.world.commands(guild === undefined ? undefined : this.guild(guild).id);
  }

  /** Messages in a channel, oldest first. */
  messages(channel: string): StoredMessage[] {
    return this.world.messages(this.channel(channel).id);
  }

  /** Messages the bot posted (channel messages and interaction responses), oldest first. */
  botMessages(channel?: string): StoredMessage[] {
    const lists = channel === undefined ? [...this.world.messagesByChannel.values()] : [this.messages(channel)];
    return lists.flat().filter((m) => (m.json['author'] as Json)['id'] === this.botUser.id);
  }

  /** Resolves once `check()` holds, re-checking on every change; rejects after `timeoutMs`. */
  waitFor(check: () => boolean, timeoutMs = 5000, description = 'a stand-in condition'): Promise<void> {
    return waitForWorld(this.world, check, timeoutMs, () => description);
  }

  // ---- users acting ----------------------------------------------------------------------------

  /**
   * Puts bytes on the CDN as an attachment a user uploaded; returns the attachment object (id, url,
   * size, content_type, and duration_secs/waveform if given) to pass as a slash command option or in
   * `sendMessage`.
   */
  addAttachment(bytes: Buffer, options: AttachmentOptions): Json {
    const extra: Json = {};
    if (options.durationSecs !== undefined) extra['duration_secs'] = options.durationSecs;
    if (options.waveform !== undefined) extra['waveform'] = options.waveform;
    if (options.contentType.startsWith('image/')) extra['ephemeral'] = false;
    return this.world.storeFile('uploads', options.filename, options.contentType, bytes, extra).json;
  }

  /** A user runs a slash command; returns the handle that records the bot's answers. */
  runSlashCommand(options: SlashCommandOptions): InteractionHandle {
    const ctx = this.context(options.guildId, options.channelId, options.userId, options.locale);
    const command = this.world.findCommand(ctx.guild.id, options.name);
    if (!command) this.world.log(`/${options.name} is not registered (guild or global); dispatching it anyway`);
    const { options: built, resolved } = buildCommandOptions(this.world, ctx, command, options.options ?? {}, options);
    const payload = baseInteraction(this.world, 2, ctx);
    payload['data'] = {
      id: command?.id ?? snowflake(),
      name: options.name,
      type: 1,
      ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
      options: built,
      ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
    };
    return this.dispatchInteraction(payload);
  }

  /** A user clicks a button on a message the bot sent. */
  clickButton(args: { message: MessageRef; customId: string; userId: string }): InteractionHandle {
    return this.useComponent({ ...args, values: undefined });
  }

  /** A user picks values in a select menu on a message the bot sent. */
  selectMenu(args: { message: MessageRef; customId: string; userId: string; values: string[] }): InteractionHandle {
    return this.useComponent(args);
  }

  /** A user submits the modal the bot opened in answer to `interaction`, with text input values by custom id. */
  submitModal(args: {
    interaction: InteractionHandle;
    values: Record<string, string>;
    userId?: string;
  }): InteractionHandle {
    const modal = args.interaction.modal;
    if (!modal)
      throw new Error(
        `The bot opened no modal for interaction ${args.interaction.id} (it did: ${args.interaction.describe()})`,
      );
    const source = args.interaction.payload;
    const userId = args.userId ?? String(((source['member'] as Json)['user'] as Json)['id']);
    const ctx = this.context(String(source['guild_id']), String(source['channel_id']), userId);
    const payload = baseInteraction(this.world, 5, ctx);
    payload['data'] = { custom_id: modal['custom_id'], components: modalSubmitComponents(modal, args.values) };
    const from = args.interaction.type === 3 ? args.interaction.original : undefined;
    if (from) payload['message'] = from.json;
    return this.dispatchInteraction(payload, from);
  }

  /**
   * A user posts a message (MESSAGE_CREATE). For a voice message pass one `audio/ogg` attachment with
   * `durationSecs` and `waveform`, and `flags: 1 << 13`; see also `sendVoiceMessage`.
   */
  sendMessage(args: {
    channelId: string;
    userId: string;
    content?: string;
    attachments?: Json[];
    flags?: number;
  }): StoredMessage {
    const channel = this.channel(args.channelId);
    const user = this.user(args.userId);
    const files = (args.attachments ?? []).map((attachment) => {
      const file = this.world.files.get(String(attachment['id']));
      if (!file) throw new Error(`Attachment ${String(attachment['id'])} was not made with addAttachment()`);
      return file;
    });
    const message: StoredMessage = {
      json: {
        ...messageJson(channel.id, channel.guildId, user),
        content: args.content ?? '',
        attachments: args.attachments ?? [],
        flags: args.flags ?? 0,
      },
      files,
    };
    this.world.messages(channel.id).push(message);
    const member = channel.guildId ? this.guild(channel.guildId).members.get(user.id) : undefined;
    const { user: _user, ...memberWithoutUser } = member ? memberJson(member) : { user: undefined };
    this.gateway.dispatch('MESSAGE_CREATE', { ...message.json, ...(member ? { member: memberWithoutUser } : {}) });
    this.world.notify('userMessage', { messageId: String(message.json['id']) });
    return message;
  }

  /** A user sends a voice message (Ogg Opus bytes) to a channel: attachment + flag IS_VOICE_MESSAGE. */
  sendVoiceMessage(args: {
    channelId: string;
    userId: string;
    ogg: Buffer;
    durationSecs: number;
    waveform?: string;
  }): StoredMessage {
    const attachment = this.addAttachment(args.ogg, {
      filename: 'voice-message.ogg',
      contentType: 'audio/ogg',
      durationSecs: args.durationSecs,
      waveform: args.waveform ?? Buffer.alloc(64, 128).toString('base64'),
    });
    return this.sendMessage({
      channelId: args.channelId,
      userId: args.userId,
      attachments: [attachment],
      flags: 1 << 13,
    });
  }

  /** A user joins (or moves to) a voice channel: VOICE_STATE_UPDATE, and op 11 to the bot if it is there. */
  joinVoice(userId: string, guildId: string, channelId: string): void {
    this.voiceStates.joinVoice(userId, guildId, channelId);
  }

  /** A user leaves voice in a guild. */
  leaveVoice(userId: string, guildId: string): void {
    this.voiceStates.leaveVoice(userId, guildId);
  }

  /**
   * A user in the bot's voice channel speaks: op 5 then the packets as encrypted RTP, paced at
   * `frameMs`, then silence frames. Resolves when the last packet is sent.
   */
  speak(
    userId: string,
    opusPackets: readonly Buffer[],
    options: SpeakOptions & { guildId?: string } = {},
  ): Promise<SpeakResult> {
    const { guild, user } = this.voiceStates.speaker(userId, options.guildId);
    return this.voice.speak(guild.id, user.id, opusPackets, options);
  }

  /** Sends one packet for the user that fails authentication (the bot's receive stream errors). */
  sendCorruptPacket(userId: string, guildId?: string): void {
    const { guild, user } = this.voiceStates.speaker(userId, guildId);
    this.voice.sendCorruptPacket(guild.id, user.id);
  }

  /**
   * Padding-only RTP packets on the user's SSRC (P bit, payload = padding only; default 40 of 224 bytes,
   * every 20 ms), as some Discord voice servers send. Resolves with the number sent.
   */
  sendPaddingPackets(userId: string, options: PaddingOptions & { guildId?: string } = {}): Promise<number> {
    const { guild, user } = this.voiceStates.speaker(userId, options.guildId);
    return this.voice.sendPaddingPackets(guild.id, user.id, options);
  }

  /** A simulated user's voice client (its DAVE session) in the call it is in. */
  voiceClient(userId: string, guildId?: string): SimulatedMember {
    const user = this.user(userId);
    const guilds = guildId ? [this.guild(guildId)] : [...this.world.guilds.values()];
    const state = guilds.map((g) => g.voiceStates.get(user.id)).find((s) => s !== undefined);
    const member = state ? this.voice.simulatedMember(state.channelId, user.id) : undefined;
    if (!member) throw new Error(`${user.username} is not in a voice call`);
    return member;
  }

  // ---- DAVE -------------------------------------------------------------------------------------------

  /**
   * The voice gateway's view of the DAVE group of the bot's call in a guild (or of `channel`): protocol
   * version, established, epoch, members in leaf order, counters. `protocolVersion` 0 with `dave: false`.
   */
  dave(guild: string, channel?: string): DaveStatus {
    const g = this.guild(guild);
    return this.voice.daveStatus(g.id, channel === undefined ? undefined : this.channel(channel, g.id).id);
  }

  /**
   * Resolves when the bot's call in `guild` has an established DAVE group whose members are exactly
   * `members` (ids or names; the bot by its id or name), every one of them has processed the latest
   * commit or welcome, and that transition was executed (op 22).
   */
  async waitForDave(
    guild: string,
    options: { members: readonly string[]; timeoutMs?: number; channel?: string },
  ): Promise<DaveStatus> {
    const want = options.members.map((m) => this.user(m).id).sort();
    const matches = (): boolean => {
      const state = this.dave(guild, options.channel);
      const have = [...state.members].sort();
      return (
        state.established &&
        !state.transitionPending &&
        have.join() === want.join() &&
        want.every((id) => !state.pending.includes(id))
      );
    };
    await waitForWorld(
      this.world,
      matches,
      options.timeoutMs ?? 5000,
      () =>
        `a DAVE group of exactly ${want.join(', ')} in ${guild}, transition executed (now: ${JSON.stringify(this.dave(guild, options.channel))})`,
    );
    return this.dave(guild, options.channel);
  }

  // ---- the bot in voice -----------------------------------------------------------------------

  /** Waits until the bot's voice connection in a guild has its session key (it can send and receive). */
  async waitForBotVoice(guild: string, timeoutMs = 5000): Promise<void> {
    const id = this.guild(guild).id;
    await this.waitFor(
      () => this.voice.session(id)?.ready === true,
      timeoutMs,
      `the bot to connect to voice in ${guild}`,
    );
  }

  /** The voice channel the bot is in (per the gateway), or undefined. */
  botVoiceChannel(guild: string): string | undefined {
    return this.guild(guild).voiceStates.get(this.botUser.id)?.channelId;
  }

  /** Opus packets the bot sent in a guild's voice channel, decrypted, including its silence frames. */
  botAudio(guild: string): BotPacket[] {
    return this.voice.session(this.guild(guild).id)?.received ?? [];
  }

  /** Forgets the bot audio recorded so far in a guild. */
  clearBotAudio(guild: string): void {
    this.voice.session(this.guild(guild).id)?.received.splice(0);
  }

  /** The bot's op 5 SPEAKING messages in a guild. */
  botSpeaking(guild: string): { speaking: number; at: number }[] {
    return this.voice.session(this.guild(guild).id)?.speaking ?? [];
  }

  /**
   * Waits until the bot has sent at least `minPackets` audio packets (silence frames not counted) and
   * then nothing for `quietMs`; returns the audio packets.
   */
  async waitForBotAudio(
    guild: string,
    options: { minPackets?: number; quietMs?: number; timeoutMs?: number } = {},
  ): Promise<BotPacket[]> {
    const minPackets = options.minPackets ?? 1;
    const quietMs = options.quietMs ?? 300;
    const timeoutMs = options.timeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const audio = this.botAudio(guild).filter((p) => !p.opus.equals(SILENCE_FRAME));
      const last = this.botAudio(guild).at(-1);
      if (audio.length >= minPackets && last && Date.now() - last.at >= quietMs) return audio;
      if (Date.now() > deadline)
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for bot audio in ${guild}: got ${audio.length} packets, wanted ${minPackets}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Decodes what the bot sent (silence frames dropped) to 48 kHz mono floats. */
  decodeBotAudio(guild: string): Result<Float32Array> {
    return decodeOpusPackets(
      this.botAudio(guild)
        .filter((p) => !p.opus.equals(SILENCE_FRAME))
        .map((p) => p.opus),
    );
  }

  // ---- trouble ----------------------------------------------------------------------------------

  /** Drops the bot's voice WebSocket (default: no close frame, so it resumes; or a close code). */
  dropVoiceSocket(guild: string, how: { code?: number } = {}): void {
    this.voice.dropSocket(this.guild(guild).id, how);
  }

  /** Disconnects the bot from voice as a moderator would: VOICE_STATE_UPDATE with no channel, socket closed with 4014. */
  disconnectBotFromVoice(guild: string): void {
    this.voiceStates.disconnectBot(guild);
  }

  /** Forces a gateway reconnect (of shard 0, or `shard`); resolves with 'resumed' or 'ready' once it is back. */
  forceGatewayReconnect(mode: ReconnectMode = 'op7', timeoutMs?: number, shard = 0): Promise<'resumed' | 'ready'> {
    return this.gateway.forceReconnect(mode, timeoutMs, shard);
  }

  /** The shard a guild's events go to, `(guild_id >> 22) % n`, under the bot's current shard count. */
  shardOf(guild: string): number {
    return this.gateway.shardOf(this.guild(guild).id);
  }

  // ---- internals -------------------------------------------------------------------------------

  private context(guildId: string, channelId: string, userId: string, locale?: string) {
    const guild = this.guild(guildId);
    const channel = this.channel(channelId, guild.id);
    if (channel.guildId !== guild.id) throw new Error(`Channel ${channel.name} is not in guild ${guild.name}`);
    return { guild, channel, member: this.world.member(guild, userId), ...(locale ? { locale } : {}) };
  }

  private useComponent(args: {
    message: MessageRef;
    customId: string;
    userId: string;
    values: string[] | undefined;
  }): InteractionHandle {
    const message = this.resolveMessage(args.message);
    const component = findComponent(message.json['components'], args.customId);
    if (!component) {
      throw new Error(
        `Message ${String(message.json['id'])} has no component "${args.customId}" (it has: ${listCustomIds(message.json['components']).join(', ') || 'none'})`,
      );
    }
    if (component['disabled'] === true)
      throw new Error(`Component "${args.customId}" is disabled: a user cannot click it`);
    const channel = this.channel(String(message.json['channel_id']));
    const ctx = this.context(String(channel.guildId), channel.id, args.userId);
    const payload = baseInteraction(this.world, 3, ctx);
    payload['message'] = message.json;
    payload['data'] = {
      custom_id: args.customId,
      component_type: component['type'],
      ...(args.values ? { values: args.values } : {}),
    };
    return this.dispatchInteraction(payload, message);
  }

  private resolveMessage(ref: MessageRef): StoredMessage {
    const id = typeof ref === 'string' ? ref : isStoredMessage(ref) ? String(ref.json['id']) : String(ref['id']);
    const found = this.world.findMessage(id);
    if (!found) throw new Error(`No message ${id} in the stand-in (deleted, or ephemeral and never stored?)`);
    return found;
  }

  private dispatchInteraction(payload: Json, original?: StoredMessage): InteractionHandle {
    const handle = new InteractionHandle(
      this.world,
      String(payload['id']),
      String(payload['token']),
      Number(payload['type']),
      payload,
      Date.now(),
    );
    handle.original = original;
    this.interactions.add(handle);
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    this.world.notify('interactionCreated', { interactionId: handle.id });
    return handle;
  }
}

function isStoredMessage(ref: StoredMessage | Json): ref is StoredMessage {
  return typeof (ref as StoredMessage).json === 'object' && Array.isArray((ref as StoredMessage).files);
}

/** Starts a stand-in Discord on 127.0.0.1. */
export function startStandin(options: StandinOptions): Promise<Standin> {
  return Standin.start(options);
}
