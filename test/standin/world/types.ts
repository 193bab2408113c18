/**
 * The stand-in's own model of a tiny Discord: plain JSON-shaped records, close to the API objects so
 * payload builders stay thin. Wire payloads are loose `Json` objects because the stand-in is the server
 * side: it must also be able to send what discord.js does not expect, to test the bot's resilience.
 */

/** A JSON object as it goes over the wire. */
export type Json = Record<string, unknown>;

/** A Discord user (or the bot). */
export interface StandinUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: '0';
  avatar: null;
  bot: boolean;
}

/** Channel types the stand-in knows: 0 guild text, 2 guild voice (which also has a text chat), 1 DM. */
export type ChannelType = 0 | 1 | 2;

/** A guild channel or DM. */
export interface StandinChannel {
  id: string;
  type: ChannelType;
  name: string;
  guildId: string | null;
  position: number;
  /** DM recipients (DMs only). */
  recipients?: StandinUser[];
}

/** A guild member: the user, its effective permission bits and when it joined. */
export interface StandinMember {
  user: StandinUser;
  permissions: bigint;
  joinedAt: string;
  nick: string | null;
}

/** Someone (user or bot) in a voice channel. */
export interface StandinVoiceState {
  userId: string;
  guildId: string;
  channelId: string;
  sessionId: string;
  selfMute: boolean;
  selfDeaf: boolean;
}

/** A guild with its channels, members and who is in which voice channel. */
export interface StandinGuild {
  id: string;
  name: string;
  ownerId: string;
  channels: Map<string, StandinChannel>;
  members: Map<string, StandinMember>;
  voiceStates: Map<string, StandinVoiceState>;
  /** Set false by `setGuildAvailable` to simulate an outage (READY lists it, GUILD_CREATE says unavailable). */
  available: boolean;
}

/** A file stored on the stand-in's CDN: uploaded by a test or sent by the bot. */
export interface StoredFile {
  attachmentId: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** A message as stored: the wire JSON plus the bytes of its attachments. */
export interface StoredMessage {
  /** The message object exactly as the stand-in serves it (`id`, `content`, `components`, `attachments`...). */
  json: Json;
  /** The bytes behind `json.attachments`, same order. */
  files: StoredFile[];
}

/** A registered application command (what the bot PUT/POSTed, plus ids). */
export interface StoredCommand extends Json {
  id: string;
  name: string;
  type: number;
  guild_id?: string;
  options?: Json[];
}
