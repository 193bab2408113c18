import type { WebSocket } from 'ws';

/** One Opus packet the bot sent into a voice channel, decrypted. */
export interface BotPacket {
  sequence: number;
  timestamp: number;
  ssrc: number;
  opus: Buffer;
  /** `Date.now()` on arrival. */
  at: number;
}

/** A speaking (op 5) message the bot sent. */
export interface BotSpeaking {
  speaking: number;
  at: number;
}

/** A user's outgoing RTP stream state (what the stand-in sends the bot for that user). */
export interface UserStream {
  ssrc: number;
  sequence: number;
  timestamp: number;
  nonce: number;
}

/**
 * The bot's voice connection in one guild as the voice server sees it: the credentials it was told to
 * expect (from VOICE_SERVER_UPDATE), then the socket, SSRC, key and UDP address once connected.
 */
export interface VoiceSession {
  guildId: string;
  channelId: string;
  userId: string;
  sessionId: string;
  token: string;
  socket: WebSocket | undefined;
  /** The SSRC assigned to the bot in op 2 Ready. */
  ssrc: number;
  /** Set by SelectProtocol/SessionDescription. */
  secretKey: Buffer | undefined;
  mode: string | undefined;
  /** Where the bot's UDP socket is (from IP discovery). */
  clientAddress: { ip: string; port: number } | undefined;
  /** Server → bot message sequence (v8 `seq`). */
  seq: number;
  /** Users' outgoing streams, by user id. */
  streams: Map<string, UserStream>;
  /** Everything the bot sent, decrypted, in arrival order. */
  received: BotPacket[];
  /** Bot's op 5 messages. */
  speaking: BotSpeaking[];
  /** Packets from the bot that failed to decrypt (should stay empty). */
  decryptErrors: string[];
  /** Number of op 7 resumes the bot did. */
  resumes: number;
  /** Whether SessionDescription was sent (the bot can send and receive audio). */
  ready: boolean;
}
