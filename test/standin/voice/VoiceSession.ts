import type { WebSocket } from 'ws';
import type { DaveParticipant } from './dave/DaveGroup';
import type { EncryptionMode } from './rtp';

/** One Opus packet the bot sent into a voice channel, decrypted. */
export interface BotPacket {
  sequence: number;
  timestamp: number;
  ssrc: number;
  opus: Buffer;
  /** `Date.now()` on arrival. */
  at: number;
  /** The frame was DAVE-encrypted and a member decrypted it (false: silence frame or sent without DAVE). */
  e2ee: boolean;
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

/** A server → bot message kept for replay after a resume (v8 `seq_ack`). */
export interface SentMessage {
  seq: number;
  data: string | Buffer;
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
  mode: EncryptionMode | undefined;
  /** The DAVE protocol version announced in SessionDescription (0: transport only). */
  daveProtocolVersion: number;
  /** What the bot's Identify offered (`max_dave_protocol_version`). */
  maxDaveProtocolVersion: number | undefined;
  /** The bot in the call (op 11/13, DAVE), once SessionDescription was sent. */
  participant: DaveParticipant | undefined;
  /** Where the bot's UDP socket is (from IP discovery). */
  clientAddress: { ip: string; port: number } | undefined;
  /** Server → bot message sequence (v8 `seq`, JSON and binary alike). */
  seq: number;
  /** Messages sent since the last Identify, for replay on resume. */
  outbox: SentMessage[];
  /** Users' outgoing streams, by user id. */
  streams: Map<string, UserStream>;
  /** Everything the bot sent, decrypted, in arrival order. */
  received: BotPacket[];
  /** Bot's op 5 messages. */
  speaking: BotSpeaking[];
  /** Packets from the bot that failed transport decryption (should stay empty). */
  decryptErrors: string[];
  /** DAVE frames from the bot that no member of the group could decrypt. */
  daveDecryptErrors: string[];
  /** Audio frames (not silence) the bot sent without DAVE while the call uses it. */
  unencryptedFrames: number;
  /** Number of op 7 resumes the bot did. */
  resumes: number;
  /** Number of Identifies (a new one after a dropped session gives a fresh DAVE session). */
  identifies: number;
  /** Whether SessionDescription was sent (the bot can send and receive audio). */
  ready: boolean;
}
