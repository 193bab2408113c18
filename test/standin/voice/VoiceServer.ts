import crypto from 'node:crypto';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { StandinLogger } from '../util/log';
import type { Json } from '../world/types';
import { DAVE_PROTOCOL_VERSION, type DaveParticipant, type DaveState, DaveGroup } from './dave/DaveGroup';
import { ExternalSender } from './dave/ExternalSender';
import { type ClientMessage, SimulatedMember } from './dave/SimulatedMember';
import { MediaSession } from './MediaSession';
import { VoiceCloseCode, VoiceOp } from './opcodes';
import {
  ENCRYPTION_MODES,
  SILENCE_FRAME,
  decryptFromBot,
  discoveryResponse,
  encryptForBot,
  isDiscoveryRequest,
  isEncryptionMode,
  looksDaveEncrypted,
  randomSsrc,
} from './rtp';
import { type SpeakOptions, type SpeakResult, type SpeechStep, planSpeech } from './speech';
import type { UserStream, VoiceSession } from './VoiceSession';
import { rawBytes, rawText } from '../util/text';

export { VoiceOp } from './opcodes';
export type { SpeakOptions, SpeakResult } from './speech';

/** How the voice server behaves. */
export interface VoiceServerOptions {
  /** End-to-end encryption (DAVE protocol v1) required, as on Discord since March 2026 (default true). `false`: transport only. */
  dave?: boolean;
  /** Encryption modes offered in op 2, in order (the client takes the first it supports). Default: AES-256-GCM, then XChaCha20-Poly1305. */
  modes?: readonly string[];
  /** How long the gateway waits for every op 23 before sending op 22 anyway, ms (default 2000, as Discord). */
  transitionTimeoutMs?: number;
}

/** Options of `sendPaddingPackets`. */
export interface PaddingOptions {
  count?: number;
  bytes?: number;
  intervalMs?: number;
}

/** One RTP packet the stand-in sent the bot, for packet-level checks (event `'rtpToBot'`). */
export interface RtpToBot {
  guildId: string;
  userId: string;
  packet: Buffer;
  kind: 'frame' | 'padding' | 'corrupt';
  /** The payload before transport encryption (DAVE frame, plain Opus, or empty for padding-only). */
  payload: Buffer;
  e2ee: boolean;
}

/** The gateway's DAVE view of the bot's call, plus what only the stand-in knows about the bot in it. */
export interface DaveStatus extends DaveState {
  /** The bot holds a leaf and processed the latest commit or welcome. */
  botInGroup: boolean;
}

const HEARTBEAT_INTERVAL_MS = 13_750;
const OUTBOX_LIMIT = 2000;

/**
 * The voice server: a TLS WebSocket (protocol v8) on `127.0.0.1` and one UDP socket. It takes the bot
 * through Hello → Identify → Ready → IP discovery → SelectProtocol → SessionDescription, answers
 * heartbeats and op 7 Resume (replaying what the bot missed), relays who is in the call (op 11/13),
 * runs each channel's DAVE group (ops 21-31) when DAVE is on, decrypts what the bot sends (as a member
 * of the group) and sends users' speech to the bot, encrypted by each user's own simulated client.
 *
 * Emits `'change'` (kind string) on each state change and bot packet, for the stand-in's `waitFor`,
 * and `'rtpToBot'` (RtpToBot) for each packet sent to the bot.
 */
export class VoiceServer extends EventEmitter {
  private readonly https: https.Server;
  private readonly wss: WebSocketServer;
  private readonly udp = dgram.createSocket('udp4');
  private readonly sessions = new Map<string, VoiceSession>();
  /** Calls by channel id. */
  private readonly calls = new Map<string, MediaSession>();
  private readonly externalSender = new ExternalSender();
  readonly dave: boolean;
  readonly modes: readonly string[];
  /** Identifies closed with 4017 because the client offered no DAVE protocol version. */
  daveRefusals = 0;
  private readonly transitionTimeoutMs: number;
  private wsPort = 0;
  private udpPort = 0;

  constructor(
    tls: { certPem: string; keyPem: string },
    options: VoiceServerOptions,
    private readonly log: StandinLogger,
  ) {
    super();
    this.setMaxListeners(0);
    this.dave = options.dave ?? true;
    this.modes = options.modes ?? ENCRYPTION_MODES;
    this.transitionTimeoutMs = options.transitionTimeoutMs ?? 2000;
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
    for (const call of this.calls.values()) {
      call.dave?.close();
      for (const member of call.simulated.values()) member.close();
    }
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
    if (existing) {
      existing.socket?.close(VoiceCloseCode.SessionNoLongerValid, 'Session no longer valid');
      this.leaveCall(existing);
    }
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
      daveProtocolVersion: 0,
      maxDaveProtocolVersion: undefined,
      participant: undefined,
      clientAddress: undefined,
      seq: 0,
      outbox: [],
      streams: new Map(),
      received: existing?.received ?? [],
      speaking: existing?.speaking ?? [],
      decryptErrors: existing?.decryptErrors ?? [],
      daveDecryptErrors: existing?.daveDecryptErrors ?? [],
      unencryptedFrames: existing?.unencryptedFrames ?? 0,
      resumes: 0,
      identifies: 0,
      ready: false,
    });
  }

  /** Ends the bot's voice session in a guild (it left, or a test disconnects it: close code 4014). */
  end(guildId: string, code: number = VoiceCloseCode.Disconnected): void {
    const session = this.sessions.get(guildId);
    if (!session) return;
    session.ready = false;
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.close(code, 'Disconnected');
    session.socket = undefined;
    this.leaveCall(session);
  }

  /** The bot's voice session in a guild, if any. */
  session(guildId: string): VoiceSession | undefined {
    return this.sessions.get(guildId);
  }

  /** The call in a voice channel, if anyone is in it. */
  call(channelId: string): MediaSession | undefined {
    return this.calls.get(channelId);
  }

  /** A simulated user's voice client in a channel. */
  simulatedMember(channelId: string, userId: string): SimulatedMember | undefined {
    return this.calls.get(channelId)?.simulated.get(userId);
  }

  /** The DAVE state of the call the bot is in (or of `channelId`). */
  daveStatus(guildId: string, channelId?: string): DaveStatus {
    const session = this.sessions.get(guildId);
    const channel = channelId ?? session?.channelId;
    const group = channel === undefined ? undefined : this.calls.get(channel)?.dave;
    const state = group?.state() ?? emptyDaveState(this.dave ? DAVE_PROTOCOL_VERSION : 0);
    return {
      ...state,
      botInGroup: session !== undefined && session.channelId === channel && group?.isInGroup(session.userId) === true,
    };
  }

  /**
   * A user connects to a voice channel's call: its simulated client gets the session description
   * (DAVE version), op 11 and, with DAVE, op 25, then sends its key package, as a real client would.
   */
  userJoined(guildId: string, channelId: string, userId: string): void {
    const call = this.callFor(guildId, channelId);
    call.simulated.get(userId)?.close();
    const member = new SimulatedMember(
      userId,
      channelId,
      (id, message) => this.fromSimulated(channelId, id, message),
      this.log,
    );
    call.simulated.set(userId, member);
    member.start(this.dave ? DAVE_PROTOCOL_VERSION : 0);
    call.connect(member);
    this.emit('change', 'userJoinedCall');
  }

  /** A user leaves a call: op 13 to the others, its DAVE leaf removed; the bot drops that user's SSRC. */
  userLeft(guildId: string, channelId: string, userId: string): void {
    const call = this.calls.get(channelId);
    const member = call?.simulated.get(userId);
    if (call && member) {
      call.simulated.delete(userId);
      call.disconnect(member);
      member.close();
      this.forgetEmptyCall(call);
    }
    const session = this.sessions.get(guildId);
    if (session?.channelId === channelId) session.streams.delete(userId);
    this.emit('change', 'userLeftCall');
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
   * SSRC, then one RTP packet per `frameMs` (sequence +1, timestamp +960), each frame DAVE-encrypted by
   * the user's client when the call uses DAVE and its session is ready, then silence frames. Options add
   * faults (see SpeakOptions).
   */
  async speak(
    guildId: string,
    userId: string,
    packets: readonly Buffer[],
    options: SpeakOptions = {},
  ): Promise<SpeakResult> {
    const session = this.readySession(guildId);
    const member = this.simulatedMember(session.channelId, userId);
    if (!member) throw new Error(`User ${userId} is not in the bot's voice channel ${session.channelId}`);
    const stream = this.streamFor(session, userId);
    if (options.announce ?? true) {
      this.send(session, { op: VoiceOp.Speaking, d: { user_id: userId, ssrc: stream.ssrc, speaking: 1 } });
      // Give the WebSocket message a head start over the first datagram, as on real Discord.
      await sleep(options.frameMs ?? 20);
    }
    const corrupt = new Set(options.corruptAt ?? []);
    const daveCorrupt = new Set(options.daveCorruptAt ?? []);
    const padded = options.rtpPadding?.frames ? new Set(options.rtpPadding.frames) : undefined;
    const result: SpeakResult = {
      ssrc: stream.ssrc,
      packetsSent: 0,
      silenceSent: 0,
      pauseFramesSent: 0,
      paddingPacketsSent: 0,
      e2eeFrames: 0,
      unencryptedAudioFrames: 0,
      startedAt: Date.now(),
      endedAt: 0,
    };
    await this.runSteps(planSpeech(packets, options), (step) => {
      if (!session.clientAddress) throw new Error('The bot voice UDP address went away while speaking');
      if (step.kind === 'padding') {
        this.sendRtp(session, stream, userId, Buffer.alloc(0), {
          kind: 'padding',
          padding: step.bytes,
          csrcs: options.csrcs,
          advance: false,
          e2ee: false,
        });
        result.paddingPacketsSent += 1;
        return;
      }
      stream.timestamp = (stream.timestamp + step.timestampGap) >>> 0;
      const out = member.encryptFrame(step.opus);
      let payload = out.frame;
      if (out.e2ee && step.index !== undefined && daveCorrupt.has(step.index)) {
        payload = Buffer.from(payload);
        payload[0] = (payload[0] ?? 0) ^ 0xff;
      }
      const padding =
        options.rtpPadding && (!padded || (step.index !== undefined && padded.has(step.index)))
          ? options.rtpPadding.bytes
          : 0;
      const broken = step.index !== undefined && corrupt.has(step.index);
      this.sendRtp(session, stream, userId, payload, {
        kind: broken ? 'corrupt' : 'frame',
        padding,
        csrcs: options.csrcs,
        advance: true,
        e2ee: out.e2ee,
      });
      if (step.role === 'audio') result.packetsSent += 1;
      else if (step.role === 'silence') result.silenceSent += 1;
      else result.pauseFramesSent += 1;
      if (out.e2ee) result.e2eeFrames += 1;
      else if (this.dave && !step.opus.equals(SILENCE_FRAME)) result.unencryptedAudioFrames += 1;
    });
    result.endedAt = Date.now();
    return result;
  }

  /** Padding-only RTP packets on a user's SSRC (P bit, payload = padding only), paced; the user need not be speaking. */
  async sendPaddingPackets(guildId: string, userId: string, options: PaddingOptions = {}): Promise<number> {
    const session = this.readySession(guildId);
    if (!this.simulatedMember(session.channelId, userId))
      throw new Error(`User ${userId} is not in the bot's voice channel ${session.channelId}`);
    const stream = this.streamFor(session, userId);
    const steps = planSpeech([], { silenceFrames: 0, paddingBursts: [{ afterFrame: -1, ...options }] });
    await this.runSteps(steps, (step) => {
      if (step.kind === 'padding')
        this.sendRtp(session, stream, userId, Buffer.alloc(0), {
          kind: 'padding',
          padding: step.bytes,
          advance: false,
          e2ee: false,
        });
    });
    return steps.length;
  }

  /**
   * Sends the bot an op 29 whose commit cannot be processed (garbage MLS bytes) under an unused
   * transition id: a client answers op 31 and resets, and the gateway removes and re-adds it.
   * Resolves nothing; returns the transition id used.
   */
  sendInvalidCommit(guildId: string): number {
    const session = this.readySession(guildId);
    if (!session.participant) throw new Error(`The bot is not in a call in guild ${guildId}`);
    const transitionId = 0xfff0;
    session.participant.sendBinary(
      VoiceOp.DaveMlsAnnounceCommitTransition,
      Buffer.concat([Buffer.from([transitionId >> 8, transitionId & 0xff]), Buffer.from('0001000100', 'hex')]),
    );
    return transitionId;
  }

  /** Sends one packet whose auth tag is wrong: the bot's decrypt fails (a "dead receive stream" on real Discord). */
  sendCorruptPacket(guildId: string, userId: string): void {
    const session = this.readySession(guildId);
    this.sendRtp(session, this.streamFor(session, userId), userId, Buffer.from([0xfc, 0xff, 0xfe]), {
      kind: 'corrupt',
      advance: true,
      e2ee: false,
    });
  }

  private async runSteps(steps: readonly SpeechStep[], send: (step: SpeechStep) => void): Promise<void> {
    const startedAt = Date.now();
    for (const step of steps) {
      const wait = startedAt + step.at - Date.now();
      if (wait > 0) await sleep(wait);
      send(step);
    }
  }

  private readySession(guildId: string): VoiceSession {
    const session = this.sessions.get(guildId);
    if (!session?.ready || !session.clientAddress)
      throw new Error(`The bot is not connected to voice in guild ${guildId} (no SessionDescription/UDP yet)`);
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

  private sendRtp(
    session: VoiceSession,
    stream: UserStream,
    userId: string,
    payload: Buffer,
    how: {
      kind: RtpToBot['kind'];
      padding?: number;
      csrcs?: readonly number[] | undefined;
      advance: boolean;
      e2ee: boolean;
    },
  ): void {
    const { secretKey, clientAddress, mode } = session;
    if (!secretKey || !clientAddress || !mode) return;
    stream.sequence = (stream.sequence + 1) & 0xffff;
    if (how.advance) stream.timestamp = (stream.timestamp + 960) >>> 0;
    stream.nonce = (stream.nonce + 1) >>> 0;
    const packet = encryptForBot(payload, stream, stream.nonce, secretKey, mode, {
      padding: how.padding ?? 0,
      csrcs: how.csrcs ?? [],
    });
    if (how.kind === 'corrupt') {
      const tagByte = packet.length - 4 - 1;
      packet[tagByte] = (packet[tagByte] ?? 0) ^ 0xff;
    }
    this.udp.send(packet, clientAddress.port, clientAddress.ip);
    this.emit('rtpToBot', {
      guildId: session.guildId,
      userId,
      packet,
      kind: how.kind,
      payload,
      e2ee: how.e2ee,
    } satisfies RtpToBot);
  }

  // ---- the bot's WebSocket ----------------------------------------------------------------------

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
      this.onBinary(socket, rawBytes(raw));
      return;
    }
    let packet: { op?: number; d?: Json };
    try {
      packet = JSON.parse(rawText(raw)) as { op?: number; d?: Json };
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
      case VoiceOp.DaveTransitionReady:
      case VoiceOp.DaveMlsInvalidCommitWelcome: {
        const session = this.bySocket(socket);
        if (session?.participant) this.calls.get(session.channelId)?.dave?.onJson(session.userId, packet.op, d);
        break;
      }
      default:
        this.log(`voice: opcode ${String(packet.op)} from the bot ignored`);
    }
  }

  private onBinary(socket: WebSocket, data: Buffer): void {
    const session = this.bySocket(socket);
    const group = session?.participant ? this.calls.get(session.channelId)?.dave : undefined;
    if (!session || !group || data.length === 0) {
      this.log('voice: binary (DAVE) message from the bot outside a DAVE call; ignored');
      return;
    }
    group.onBinary(session.userId, data.readUInt8(0), data.subarray(1));
  }

  private identify(socket: WebSocket, d: Json): void {
    const session = this.sessions.get(String(d['server_id']));
    if (
      !session ||
      session.token !== d['token'] ||
      session.sessionId !== d['session_id'] ||
      session.userId !== d['user_id']
    ) {
      this.log('voice: Identify does not match the last VOICE_SERVER_UPDATE / VOICE_STATE_UPDATE; closing with 4004');
      socket.close(VoiceCloseCode.AuthenticationFailed, 'Authentication failed');
      return;
    }
    const offered = Number(d['max_dave_protocol_version'] ?? 0);
    session.maxDaveProtocolVersion = Number.isFinite(offered) ? offered : 0;
    if (this.dave && !(offered >= DAVE_PROTOCOL_VERSION)) {
      this.log(
        `voice: the bot identified with max_dave_protocol_version ${String(d['max_dave_protocol_version'])}; this call requires DAVE; closing with 4017`,
      );
      socket.close(VoiceCloseCode.E2eeRequired, 'E2EE/DAVE protocol required');
      this.daveRefusals += 1;
      this.emit('change', 'voiceE2eeRequired');
      return;
    }
    // A new Identify is a new connection: the bot's previous one (if any) leaves the call and its DAVE group.
    this.leaveCall(session);
    session.socket = socket;
    session.identifies += 1;
    session.ready = false;
    session.seq = 0;
    session.outbox = [];
    session.clientAddress = undefined;
    this.send(session, {
      op: VoiceOp.Ready,
      d: { ssrc: session.ssrc, ip: '127.0.0.1', port: this.udpPort, modes: [...this.modes], heartbeat_interval: 1 },
    });
  }

  private selectProtocol(socket: WebSocket, d: Json): void {
    const session = this.bySocket(socket);
    if (!session) return;
    const data = (d['data'] ?? {}) as Json;
    const mode = data['mode'];
    if (!this.modes.includes(String(mode)) || !isEncryptionMode(mode)) {
      this.log(
        `voice: bot selected encryption mode ${String(mode)}; offered ${this.modes.join(', ')}; closing with 4016`,
      );
      socket.close(VoiceCloseCode.UnknownEncryptionMode, 'Unknown encryption mode');
      return;
    }
    session.secretKey = crypto.randomBytes(32);
    session.mode = mode;
    session.daveProtocolVersion = this.dave ? DAVE_PROTOCOL_VERSION : 0;
    session.clientAddress ??= { ip: String(data['address']), port: Number(data['port']) };
    this.send(session, {
      op: VoiceOp.SessionDescription,
      d: {
        mode,
        secret_key: [...session.secretKey],
        dave_protocol_version: session.daveProtocolVersion,
        audio_codec: 'opus',
        video_codec: null,
        media_session_id: crypto.randomBytes(16).toString('hex'),
      },
    });
    session.ready = true;
    const participant: DaveParticipant = {
      userId: session.userId,
      sendJson: (op, payload) => this.send(session, { op, d: payload }),
      sendBinary: (op, payload) => this.sendBinary(session, op, payload),
    };
    session.participant = participant;
    this.callFor(session.guildId, session.channelId).connect(participant);
    this.emit('change', 'voiceReady');
  }

  private resume(socket: WebSocket, d: Json): void {
    const session = this.sessions.get(String(d['server_id']));
    if (!session || session.token !== d['token'] || session.sessionId !== d['session_id'] || !session.secretKey) {
      socket.close(VoiceCloseCode.SessionNoLongerValid, 'Session no longer valid');
      return;
    }
    session.socket = socket;
    session.resumes += 1;
    session.ready = true;
    socket.send(JSON.stringify({ op: VoiceOp.Resumed, d: null }));
    // Replay what the bot missed after op 9: @discordjs/voice drops binary ops until it is Ready again.
    const acked = Number(d['seq_ack'] ?? -1);
    for (const message of session.outbox) if (message.seq > acked) socket.send(message.data);
    this.emit('change', 'voiceResumed');
  }

  // ---- calls --------------------------------------------------------------------------------------

  private callFor(guildId: string, channelId: string): MediaSession {
    let call = this.calls.get(channelId);
    if (!call) {
      const group = this.dave
        ? new DaveGroup(channelId, this.externalSender, {
            transitionTimeoutMs: this.transitionTimeoutMs,
            log: this.log,
            onChange: (kind) => this.emit('change', kind),
          })
        : undefined;
      call = new MediaSession(guildId, channelId, group);
      this.calls.set(channelId, call);
    }
    return call;
  }

  private forgetEmptyCall(call: MediaSession): void {
    if (!call.empty) return;
    call.dave?.close();
    this.calls.delete(call.channelId);
  }

  private leaveCall(session: VoiceSession): void {
    const participant = session.participant;
    if (!participant) return;
    session.participant = undefined;
    const call = this.calls.get(session.channelId);
    if (!call) return;
    call.disconnect(participant);
    this.forgetEmptyCall(call);
  }

  private fromSimulated(channelId: string, userId: string, message: ClientMessage): void {
    const group = this.calls.get(channelId)?.dave;
    if (!group) return;
    if (message.kind === 'binary') group.onBinary(userId, message.op, message.payload);
    else group.onJson(userId, message.op, message.d);
  }

  // ---- audio from the bot ---------------------------------------------------------------------------

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
    if (!session?.secretKey || !session.mode) return;
    const decrypted = decryptFromBot(message, session.secretKey, session.mode);
    if (decrypted instanceof Error) {
      session.decryptErrors.push(decrypted.message);
      this.log(`voice: packet from the bot in guild ${session.guildId} rejected: ${decrypted.message}`);
      return;
    }
    const frame = this.openBotFrame(session, decrypted.opus);
    if (frame)
      session.received.push({
        sequence: decrypted.sequence,
        timestamp: decrypted.timestamp,
        ssrc,
        opus: frame.opus,
        at: Date.now(),
        e2ee: frame.e2ee,
      });
    this.emit('change', 'botAudio');
  }

  /**
   * What a member of the call hears from the bot: silence frames as they are, DAVE frames decrypted by
   * the first simulated member whose session can, unencrypted frames counted (a Discord client with
   * passthrough off would drop them) but kept, so a bot alone in a call can still be checked.
   */
  private openBotFrame(session: VoiceSession, frame: Buffer): { opus: Buffer; e2ee: boolean } | undefined {
    const call = this.calls.get(session.channelId);
    if (session.daveProtocolVersion === 0 || !call?.dave || frame.equals(SILENCE_FRAME))
      return { opus: frame, e2ee: false };
    if (!looksDaveEncrypted(frame)) {
      session.unencryptedFrames += 1;
      return { opus: frame, e2ee: false };
    }
    const failures: string[] = [];
    for (const member of call.simulated.values()) {
      if (!member.ready) continue;
      const opus = member.decryptFrom(session.userId, frame);
      if (!(opus instanceof Error)) return { opus, e2ee: true };
      failures.push(`${member.userId}: ${opus.message}`);
    }
    session.daveDecryptErrors.push(
      failures.length > 0 ? failures.join('; ') : 'no simulated member with a ready DAVE session in the call',
    );
    this.emit('change', 'daveDecryptError');
    return undefined;
  }

  private bySocket(socket: WebSocket): VoiceSession | undefined {
    return [...this.sessions.values()].find((s) => s.socket === socket);
  }

  private record(session: VoiceSession, data: string | Buffer): void {
    session.outbox.push({ seq: session.seq, data });
    if (session.outbox.length > OUTBOX_LIMIT) session.outbox.splice(0, session.outbox.length - OUTBOX_LIMIT);
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(data);
  }

  private send(session: VoiceSession, payload: { op: number; d: unknown }): void {
    session.seq += 1;
    this.record(session, JSON.stringify({ ...payload, seq: session.seq }));
  }

  /** Binary server → client frame: `[u16 seq][u8 op][payload]`. */
  private sendBinary(session: VoiceSession, op: number, payload: Buffer): void {
    session.seq += 1;
    const header = Buffer.alloc(3);
    header.writeUInt16BE(session.seq & 0xffff, 0);
    header.writeUInt8(op, 2);
    this.record(session, Buffer.concat([header, payload]));
  }
}

function emptyDaveState(protocolVersion: number): DaveState {
  return {
    protocolVersion,
    established: false,
    epoch: 0,
    members: [],
    pending: [],
    keyPackagesHeld: [],
    transitionPending: false,
    lastTransitionId: undefined,
    transitionsExecuted: 0,
    commitsAccepted: 0,
    commitsRejected: [],
    resets: 0,
    invalidCommitWelcomes: 0,
    keyPackagesRejected: [],
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
