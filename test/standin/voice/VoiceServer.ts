import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { StandinLogger } from '../util/log';
import type { Json } from '../world/types';
import { ENCRYPTION_MODE, SILENCE_FRAME, decryptFromBot, discoveryResponse, encryptForBot, isDiscoveryRequest, randomSsrc } from './rtp';
import type { UserStream, VoiceSession } from './VoiceSession';

/** Voice gateway opcodes (v8). */
export const VoiceOp = {
  Identify: 0,
  SelectProtocol: 1,
  Ready: 2,
  Heartbeat: 3,
  SessionDescription: 4,
  Speaking: 5,
  HeartbeatAck: 6,
  Resume: 7,
  Hello: 8,
  Resumed: 9,
  ClientsConnect: 11,
  ClientDisconnect: 13,
} as const;

/** Options of `speak`. */
export interface SpeakOptions {
  /** Pacing between packets, ms (default 20, real time). Timestamps always advance 960 per packet. */
  frameMs?: number;
  /** Silence frames (f8 ff fe) after the audio, as Discord clients send (default 5). */
  silenceFrames?: number;
  /** Packet indexes to send with a broken auth tag (the bot's decrypt fails on exactly those). */
  corruptAt?: readonly number[];
  /** Send op 5 SPEAKING before the audio (default true); without it the bot cannot attribute the SSRC. */
  announce?: boolean;
}

/** What `speak` did. */
export interface SpeakResult {
  ssrc: number;
  packetsSent: number;
  silenceSent: number;
  startedAt: number;
  endedAt: number;
}

const HEARTBEAT_INTERVAL_MS = 13_750;

/**
 * The voice server: a TLS WebSocket (protocol v8) on `127.0.0.1` and one UDP socket. It takes the bot
 * through Hello → Identify → Ready → IP discovery → SelectProtocol → SessionDescription with
 * `dave_protocol_version: 0` (DAVE declined), answers heartbeats and op 7 Resume, relays who is in the
 * channel (op 11/13), decrypts what the bot sends and sends users' speech to the bot.
 *
 * Emits `'change'` (kind string) on each state change and bot packet, for the stand-in's `waitFor`.
 */
export class VoiceServer extends EventEmitter {
  private readonly https: https.Server;
  private readonly wss: WebSocketServer;
  private readonly udp = dgram.createSocket('udp4');
  private readonly sessions = new Map<string, VoiceSession>();
  private wsPort = 0;
  private udpPort = 0;

  constructor(
    tls: { certPem: string; keyPem: string },
    private readonly usersInChannel: (guildId: string, channelId: string) => string[],
    private readonly log: StandinLogger,
  ) {
    super();
    this.setMaxListeners(0);
    this.https = https.createServer({ cert: tls.certPem, key: tls.keyPem });
    this.wss = new WebSocketServer({ server: this.https });
    this.wss.on('connection', (socket, req) => {
      if (!/[?&]v=8\b/.test(req.url ?? '')) this.log(`voice: client connected with ${req.url ?? ''}, expected ?v=8`);
      this.onConnection(socket);
    });
    this.udp.on('message', (message, rinfo) => this.onUdp(message, rinfo));
    this.udp.on('error', (error) => this.log(`voice UDP error: ${error.message}`));
  }

  /** Starts both sockets; resolves with the endpoint for VOICE_SERVER_UPDATE (`127.0.0.1:PORT`). */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.https.listen(0, '127.0.0.1', () => resolve()));
    await new Promise<void>((resolve) => this.udp.bind(0, '127.0.0.1', () => resolve()));
    this.wsPort = (this.https.address() as AddressInfo).port;
    this.udpPort = this.udp.address().port;
    return this.endpoint;
  }

  /** `127.0.0.1:PORT` of the TLS WebSocket. */
  get endpoint(): string {
    return `127.0.0.1:${this.wsPort}`;
  }

  /** Closes everything. */
  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.https.closeAllConnections();
    await new Promise<void>((resolve) => this.https.close(() => resolve()));
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
  }

  /** Registers the credentials handed to the bot in VOICE_STATE_UPDATE / VOICE_SERVER_UPDATE. */
  expect(guildId: string, userId: string, channelId: string, sessionId: string, token: string): void {
    const existing = this.sessions.get(guildId);
    if (existing && existing.token === token) {
      existing.channelId = channelId;
      return;
    }
    existing?.socket?.close(4006, 'Session no longer valid');
    this.sessions.set(guildId, {
      guildId,
      channelId,
      userId,
      sessionId,
      token,
      socket: undefined,
      ssrc: randomSsrc(),
      secretKey: undefined,
      mode: undefined,
      clientAddress: undefined,
      seq: 0,
      streams: new Map(),
      received: existing?.received ?? [],
      speaking: existing?.speaking ?? [],
      decryptErrors: existing?.decryptErrors ?? [],
      resumes: 0,
      ready: false,
    });
  }

  /** Ends the bot's voice session in a guild (it left, or a test disconnects it: close code 4014). */
  end(guildId: string, code = 4014): void {
    const session = this.sessions.get(guildId);
    if (!session) return;
    session.ready = false;
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.close(code, 'Disconnected');
    session.socket = undefined;
  }

  /** The bot's voice session in a guild, if any. */
  session(guildId: string): VoiceSession | undefined {
    return this.sessions.get(guildId);
  }

  /** Tells the bot a user entered its channel (op 11), as Discord does. */
  userJoined(guildId: string, userId: string): void {
    const session = this.sessions.get(guildId);
    if (session?.ready) this.send(session, { op: VoiceOp.ClientsConnect, d: { user_ids: [userId] } });
  }

  /** Tells the bot a user left its channel (op 13); the bot drops that user's SSRC. */
  userLeft(guildId: string, userId: string): void {
    const session = this.sessions.get(guildId);
    if (!session) return;
    session.streams.delete(userId);
    if (session.ready) this.send(session, { op: VoiceOp.ClientDisconnect, d: { user_id: userId } });
  }

  /**
   * Drops the bot's voice WebSocket. Default `terminate` (no close frame: the client sees 1006 and
   * resumes with op 7); or a close code: 4015 (server crashed) resumes too, 4006 / 4014 do not.
   */
  dropSocket(guildId: string, how: { code?: number } = {}): void {
    const socket = this.sessions.get(guildId)?.socket;
    if (!socket) throw new Error(`The bot has no voice socket in guild ${guildId}`);
    if (how.code === undefined) socket.terminate();
    else socket.close(how.code, 'Stand-in dropped the voice socket');
  }

  /**
   * Sends a user's Opus packets to the bot like a Discord client speaking: op 5 SPEAKING with the user's
   * SSRC, then one RTP packet per `frameMs` (sequence +1, timestamp +960), then silence frames.
   */
  async speak(guildId: string, userId: string, packets: readonly Buffer[], options: SpeakOptions = {}): Promise<SpeakResult> {
    const session = this.readySession(guildId);
    const frameMs = options.frameMs ?? 20;
    const corrupt = new Set(options.corruptAt ?? []);
    const stream = this.streamFor(session, userId);
    if (options.announce ?? true) {
      this.send(session, { op: VoiceOp.Speaking, d: { user_id: userId, ssrc: stream.ssrc, speaking: 1 } });
      // Give the WebSocket message a head start over the first datagram, as on real Discord.
      await sleep(frameMs);
    }
    const frames = [...packets, ...Array.from({ length: options.silenceFrames ?? 5 }, () => SILENCE_FRAME)];
    const startedAt = Date.now();
    for (let i = 0; i < frames.length; i++) {
      const wait = startedAt + i * frameMs - Date.now();
      if (wait > 0) await sleep(wait);
      if (!session.clientAddress) throw new Error('The bot voice UDP address went away while speaking');
      this.sendRtp(session, stream, frames[i] as Buffer, corrupt.has(i));
    }
    return { ssrc: stream.ssrc, packetsSent: packets.length, silenceSent: frames.length - packets.length, startedAt, endedAt: Date.now() };
  }

  /** Sends one packet whose auth tag is wrong: the bot's decrypt fails (a "dead receive stream" on real Discord). */
  sendCorruptPacket(guildId: string, userId: string): void {
    const session = this.readySession(guildId);
    this.sendRtp(session, this.streamFor(session, userId), Buffer.from([0xfc, 0xff, 0xfe]), true);
  }

  private readySession(guildId: string): VoiceSession {
    const session = this.sessions.get(guildId);
    if (!session?.ready || !session.clientAddress) throw new Error(`The bot is not connected to voice in guild ${guildId} (no SessionDescription/UDP yet)`);
    return session;
  }

  private streamFor(session: VoiceSession, userId: string): UserStream {
    let stream = session.streams.get(userId);
    if (!stream) {
      const rand = crypto.randomBytes(6);
      stream = { ssrc: randomSsrc(), sequence: rand.readUInt16BE(0), timestamp: rand.readUInt32BE(2), nonce: 0 };
      session.streams.set(userId, stream);
    }
    return stream;
  }

  private sendRtp(session: VoiceSession, stream: UserStream, opus: Buffer, corrupt: boolean): void {
    const { secretKey, clientAddress } = session;
    if (!secretKey || !clientAddress) return;
    stream.sequence = (stream.sequence + 1) & 0xffff;
    stream.timestamp = (stream.timestamp + 960) >>> 0;
    stream.nonce = (stream.nonce + 1) >>> 0;
    const packet = encryptForBot(opus, stream, stream.nonce, secretKey);
    if (corrupt) {
      const tagByte = packet.length - 4 - 1;
      packet[tagByte] = (packet[tagByte] ?? 0) ^ 0xff;
    }
    this.udp.send(packet, clientAddress.port, clientAddress.ip);
  }

  private onConnection(socket: WebSocket): void {
    socket.send(JSON.stringify({ op: VoiceOp.Hello, d: { v: 8, heartbeat_interval: HEARTBEAT_INTERVAL_MS } }));
    socket.on('message', (raw, isBinary) => this.onMessage(socket, raw, isBinary));
    socket.on('close', () => {
      for (const session of this.sessions.values()) {
        if (session.socket === socket) {
          session.socket = undefined;
          this.emit('change', 'voiceSocketClosed');
        }
      }
    });
    socket.on('error', (error) => this.log(`voice socket error: ${error.message}`));
  }

  private onMessage(socket: WebSocket, raw: RawData, isBinary: boolean): void {
    if (isBinary) {
      this.log('voice: binary (DAVE) message from the bot although DAVE was declined; ignored');
      return;
    }
    let packet: { op?: number; d?: Json };
    try {
      packet = JSON.parse(raw.toString()) as { op?: number; d?: Json };
    } catch {
      socket.close(4002, 'Failed to decode payload');
      return;
    }
    const d = packet.d ?? {};
    switch (packet.op) {
      case VoiceOp.Identify:
        this.identify(socket, d);
        break;
      case VoiceOp.SelectProtocol:
        this.selectProtocol(socket, d);
        break;
      case VoiceOp.Heartbeat:
        socket.send(JSON.stringify({ op: VoiceOp.HeartbeatAck, d: { t: d['t'] } }));
        break;
      case VoiceOp.Speaking: {
        const session = this.bySocket(socket);
        if (session) {
          session.speaking.push({ speaking: Number(d['speaking']), at: Date.now() });
          this.emit('change', 'botSpeaking');
        }
        break;
      }
      case VoiceOp.Resume:
        this.resume(socket, d);
        break;
      default:
        this.log(`voice: opcode ${String(packet.op)} from the bot ignored`);
    }
  }

  private identify(socket: WebSocket, d: Json): void {
    const session = this.sessions.get(String(d['server_id']));
    if (!session || session.token !== d['token'] || session.sessionId !== d['session_id'] || session.userId !== d['user_id']) {
      this.log('voice: Identify does not match the last VOICE_SERVER_UPDATE / VOICE_STATE_UPDATE; closing with 4004');
      socket.close(4004, 'Authentication failed');
      return;
    }
    session.socket = socket;
    this.send(session, {
      op: VoiceOp.Ready,
      d: { ssrc: session.ssrc, ip: '127.0.0.1', port: this.udpPort, modes: [ENCRYPTION_MODE], heartbeat_interval: 1 },
    });
  }

  private selectProtocol(socket: WebSocket, d: Json): void {
    const session = this.bySocket(socket);
    if (!session) return;
    const data = (d['data'] ?? {}) as Json;
    if (data['mode'] !== ENCRYPTION_MODE) {
      this.log(`voice: bot selected encryption mode ${String(data['mode'])}; only ${ENCRYPTION_MODE} is offered; closing with 4016`);
      socket.close(4016, 'Unknown encryption mode');
      return;
    }
    session.secretKey = crypto.randomBytes(32);
    session.mode = ENCRYPTION_MODE;
    session.clientAddress ??= { ip: String(data['address']), port: Number(data['port']) };
    this.send(session, {
      op: VoiceOp.SessionDescription,
      d: {
        mode: ENCRYPTION_MODE,
        secret_key: [...session.secretKey],
        dave_protocol_version: 0,
        audio_codec: 'opus',
        video_codec: null,
        media_session_id: crypto.randomBytes(16).toString('hex'),
      },
    });
    session.ready = true;
    const others = this.usersInChannel(session.guildId, session.channelId).filter((id) => id !== session.userId);
    if (others.length > 0) this.send(session, { op: VoiceOp.ClientsConnect, d: { user_ids: others } });
    this.emit('change', 'voiceReady');
  }

  private resume(socket: WebSocket, d: Json): void {
    const session = this.sessions.get(String(d['server_id']));
    if (!session || session.token !== d['token'] || session.sessionId !== d['session_id'] || !session.secretKey) {
      socket.close(4006, 'Session no longer valid');
      return;
    }
    session.socket = socket;
    session.resumes += 1;
    session.ready = true;
    this.send(session, { op: VoiceOp.Resumed, d: null });
    this.emit('change', 'voiceResumed');
  }

  private onUdp(message: Buffer, rinfo: dgram.RemoteInfo): void {
    if (isDiscoveryRequest(message)) {
      const ssrc = message.readUInt32BE(4);
      const session = [...this.sessions.values()].find((s) => s.ssrc === ssrc);
      if (!session) return;
      session.clientAddress = { ip: rinfo.address, port: rinfo.port };
      this.udp.send(discoveryResponse(ssrc, rinfo.address, rinfo.port), rinfo.port, rinfo.address);
      return;
    }
    if (message.length <= 8) {
      // Keep-alive: Discord echoes it.
      this.udp.send(message, rinfo.port, rinfo.address);
      return;
    }
    const ssrc = message.readUInt32BE(8);
    const session = [...this.sessions.values()].find((s) => s.ssrc === ssrc);
    if (!session?.secretKey) return;
    const decrypted = decryptFromBot(message, session.secretKey);
    if (decrypted instanceof Error) {
      session.decryptErrors.push(decrypted.message);
      this.log(`voice: packet from the bot in guild ${session.guildId} rejected: ${decrypted.message}`);
      return;
    }
    session.received.push({ sequence: decrypted.sequence, timestamp: decrypted.timestamp, ssrc, opus: decrypted.opus, at: Date.now() });
    this.emit('change', 'botAudio');
  }

  private bySocket(socket: WebSocket): VoiceSession | undefined {
    return [...this.sessions.values()].find((s) => s.socket === socket);
  }

  private send(session: VoiceSession, payload: { op: number; d: unknown }): void {
    if (session.socket?.readyState !== WebSocket.OPEN) return;
    session.seq += 1;
    session.socket.send(JSON.stringify({ ...payload, seq: session.seq }));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
