import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { StandinLogger } from '../util/log';
import { guildCreateJson, memberJson, userJson } from '../world/payloads';
import type { Json } from '../world/types';
import type { World } from '../world/World';
import { rawText } from '../util/text';

/** Gateway opcodes (API v10). */
export const GatewayOp = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

/** How `forceReconnect` makes the bot reconnect. */
export type ReconnectMode =
  /** op 7 RECONNECT: the client closes and resumes (op 6). */
  | 'op7'
  /** The server closes the socket with 4000 (Unknown error), which clients resume from. */
  | 'close'
  /** op 9 INVALID_SESSION with d=false: the client must identify anew (after its identify throttle). */
  | 'invalidSession';

interface Session {
  id: string;
  /** `[shard_id, num_shards]` from IDENTIFY (`[0, 1]` when the client did not shard). */
  shard: [number, number];
  seq: number;
  /** Dispatches sent, for replay on resume. */
  sent: { s: number; t: string; d: Json }[];
  socket: WebSocket | undefined;
}

/** What the bot's op 4 VOICE_STATE_UPDATE asked for. */
export interface VoiceStateRequest {
  guildId: string;
  channelId: string | null;
  selfMute: boolean;
  selfDeaf: boolean;
}

const HEARTBEAT_INTERVAL_MS = 41_250;

/** Discord's rule: a guild's events go to shard `(guild_id >> 22) % num_shards`. */
export function shardForGuild(guildId: string, numShards: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(numShards));
}

/** The guild a dispatch belongs to, if any (GUILD_CREATE/UPDATE/DELETE carry it as `id`). */
function guildOfDispatch(event: string, data: Json): string | undefined {
  if (typeof data['guild_id'] === 'string') return data['guild_id'];
  if (
    (event === 'GUILD_CREATE' || event === 'GUILD_UPDATE' || event === 'GUILD_DELETE') &&
    typeof data['id'] === 'string'
  )
    return data['id'];
  return undefined;
}
const REPLAY_LIMIT = 2000;

/**
 * The main gateway (JSON over plain ws). Sends HELLO, answers IDENTIFY with READY and one GUILD_CREATE
 * per guild (so discord.js is ready at once, not after its 15 s guild wait), acks heartbeats, replays
 * missed dispatches on RESUME, and forwards op 4 and op 8 to the stand-in.
 *
 * Events: `'ready'` (after READY + GUILD_CREATEs), `'resumed'`, `'voiceStateUpdate'` (VoiceStateRequest),
 * `'closed'` (code), `'identify'` (properties only; never the token).
 *
 * Sharding as on Discord: each connection identifies with `shard: [id, n]`, READY and GUILD_CREATE
 * cover only that shard's guilds, every guild event goes to shard `(guild_id >> 22) % n` (events
 * without a guild to shard 0), and each shard resumes its own session. Events carry the shard id.
 */
export class GatewayServer extends EventEmitter {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  /** The live session of each shard id (the one events for that shard go to). */
  private readonly currentByShard = new Map<number, Session>();
  /** Counts of IDENTIFY and RESUME received, for tests of reconnect behaviour. */
  readonly stats = { identifies: 0, resumes: 0, heartbeats: 0, closes: 0 };
  /** Set once listening: what `GET /gateway/bot` hands out and READY's `resume_gateway_url`. */
  url = '';

  constructor(
    private readonly world: World,
    private readonly token: string,
    private readonly log: StandinLogger,
  ) {
    super();
    this.wss.on('connection', (socket) => this.onConnection(socket));
  }

  /** HTTP upgrade handler for the shared HTTP server. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  /** Shard 0's session (the only one when the bot does not shard). */
  private get current(): Session | undefined {
    return this.currentByShard.get(0);
  }

  /** Whether the bot currently has an open, identified or resumed gateway connection (shard 0, or `shard`). */
  connected(shard = 0): boolean {
    return this.currentByShard.get(shard)?.socket?.readyState === WebSocket.OPEN;
  }

  /** The current session id of shard 0 (or `shard`), if it identified. */
  sessionId(shard = 0): string | undefined {
    return this.currentByShard.get(shard)?.id;
  }

  /** Shard ids with an open connection, ascending. */
  connectedShards(): number[] {
    return [...this.currentByShard.keys()].filter((id) => this.connected(id)).sort((a, b) => a - b);
  }

  /** The shard count the bot identified with (1 before any IDENTIFY). */
  get numShards(): number {
    return this.currentByShard.values().next().value?.shard[1] ?? 1;
  }

  /** The shard a guild's events go to under the bot's current shard count. */
  shardOf(guildId: string): number {
    return shardForGuild(guildId, this.numShards);
  }

  /**
   * Sends a dispatch to the bot, to the shard its guild belongs to (shard 0 for events without one).
   * While that shard is disconnected it is kept (like Discord) and replayed if the shard resumes;
   * events for a shard that never identified are dropped.
   */
  dispatch(event: string, data: Json): void {
    const guildId = guildOfDispatch(event, data);
    const session = this.currentByShard.get(guildId === undefined ? 0 : this.shardOf(guildId));
    if (!session) return;
    this.dispatchTo(session, event, data);
  }

  private dispatchTo(session: Session, event: string, data: Json): void {
    session.seq += 1;
    const entry = { s: session.seq, t: event, d: data };
    session.sent.push(entry);
    if (session.sent.length > REPLAY_LIMIT) session.sent.shift();
    this.sendDispatch(session, entry);
  }

  /** Makes the bot (shard 0, or `shard`) reconnect; resolves when it is back (RESUMED or a new READY). */
  async forceReconnect(mode: ReconnectMode = 'op7', timeoutMs = 15_000, shard = 0): Promise<'resumed' | 'ready'> {
    const socket = this.currentByShard.get(shard)?.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN)
      throw new Error(`The bot is not connected to the gateway (shard ${shard})`);
    const back = new Promise<'resumed' | 'ready'>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The bot did not come back within ${timeoutMs} ms after a forced ${mode}`)),
        timeoutMs,
      );
      const done = (how: 'resumed' | 'ready') => (shardId: number) => {
        if (shardId !== shard) return;
        clearTimeout(timer);
        this.off('resumed', onResumed);
        this.off('ready', onReady);
        resolve(how);
      };
      const onResumed = done('resumed');
      const onReady = done('ready');
      this.on('resumed', onResumed);
      this.on('ready', onReady);
    });
    if (mode === 'op7') this.send(socket, { op: GatewayOp.Reconnect, d: null });
    else if (mode === 'close') socket.close(4000, 'Stand-in forced reconnect');
    else this.send(socket, { op: GatewayOp.InvalidSession, d: false });
    return back;
  }

  /** Closes every gateway connection and the server. */
  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private onConnection(socket: WebSocket): void {
    this.send(socket, { op: GatewayOp.Hello, d: { heartbeat_interval: HEARTBEAT_INTERVAL_MS } });
    socket.on('message', (raw, isBinary) => this.onMessage(socket, raw, isBinary));
    socket.on('close', (code) => {
      this.stats.closes += 1;
      for (const session of this.sessions.values()) if (session.socket === socket) session.socket = undefined;
      this.emit('closed', code);
    });
    socket.on('error', (error) => this.log(`gateway socket error: ${error.message}`));
  }

  private onMessage(socket: WebSocket, raw: RawData, isBinary: boolean): void {
    let packet: { op?: number; d?: unknown };
    try {
      if (isBinary) throw new Error('binary frame');
      packet = JSON.parse(rawText(raw)) as { op?: number; d?: unknown };
    } catch {
      this.log('gateway: undecodable frame from the bot; closing with 4002 like Discord');
      socket.close(4002, 'Decode error');
      return;
    }
    const d = (packet.d ?? {}) as Json;
    switch (packet.op) {
      case GatewayOp.Heartbeat:
        this.stats.heartbeats += 1;
        this.send(socket, { op: GatewayOp.HeartbeatAck });
        break;
      case GatewayOp.Identify:
        this.identify(socket, d);
        break;
      case GatewayOp.Resume:
        this.resume(socket, d);
        break;
      case GatewayOp.PresenceUpdate:
        break;
      case GatewayOp.VoiceStateUpdate:
        this.emit('voiceStateUpdate', {
          guildId: String(d['guild_id']),
          channelId: typeof d['channel_id'] === 'string' ? d['channel_id'] : null,
          selfMute: Boolean(d['self_mute']),
          selfDeaf: Boolean(d['self_deaf']),
        } satisfies VoiceStateRequest);
        break;
      case GatewayOp.RequestGuildMembers:
        this.requestGuildMembers(d);
        break;
      default:
        this.log(`gateway: unknown opcode ${String(packet.op)}; closing with 4001 like Discord`);
        socket.close(4001, 'Unknown opcode');
    }
  }

  private identify(socket: WebSocket, d: Json): void {
    if (d['token'] !== this.token && d['token'] !== `Bot ${this.token}`) {
      this.log('gateway: IDENTIFY with a wrong token; closing with 4004');
      socket.close(4004, 'Authentication failed.');
      return;
    }
    const shard = d['shard'] === undefined ? [0, 1] : d['shard'];
    if (
      !Array.isArray(shard) ||
      shard.length !== 2 ||
      !shard.every((x) => Number.isInteger(x)) ||
      shard[1] < 1 ||
      shard[0] < 0 ||
      shard[0] >= shard[1]
    ) {
      this.log(`gateway: IDENTIFY with an invalid shard ${JSON.stringify(shard)}; closing with 4010`);
      socket.close(4010, 'Invalid shard.');
      return;
    }
    const [shardId, numShards] = shard as [number, number];
    const others = [...this.currentByShard.values()].filter(
      (s) => s.shard[0] !== shardId && s.socket?.readyState === WebSocket.OPEN,
    );
    if (others.some((s) => s.shard[1] !== numShards))
      this.log(
        `gateway: shard ${shardId} identified with ${numShards} shards while others use ${others[0]?.shard[1]}; routing follows the latest`,
      );
    this.stats.identifies += 1;
    this.emit('identify', d['properties'], [shardId, numShards]);
    const session: Session = {
      id: crypto.randomBytes(16).toString('hex'),
      shard: [shardId, numShards],
      seq: 0,
      sent: [],
      socket,
    };
    this.sessions.set(session.id, session);
    this.currentByShard.set(shardId, session);
    const world = this.world;
    const guilds = [...world.guilds.values()].filter((g) => shardForGuild(g.id, numShards) === shardId);
    this.dispatchTo(session, 'READY', {
      v: 10,
      user: { ...userJson(world.botUser), verified: true, mfa_enabled: false, flags: 0 },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.url,
      shard: [shardId, numShards],
      application: { id: world.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
      session_type: 'normal',
    });
    for (const guild of guilds) this.dispatchTo(session, 'GUILD_CREATE', guildCreateJson(guild));
    this.emit('ready', shardId);
  }

  private resume(socket: WebSocket, d: Json): void {
    const session = this.sessions.get(String(d['session_id']));
    if (!session || d['token'] !== this.token) {
      this.send(socket, { op: GatewayOp.InvalidSession, d: false });
      return;
    }
    this.stats.resumes += 1;
    session.socket = socket;
    // A resume takes back the shard's slot only if no newer session identified for it meanwhile.
    const live = this.currentByShard.get(session.shard[0]);
    if (!live || live === session || live.socket?.readyState !== WebSocket.OPEN)
      this.currentByShard.set(session.shard[0], session);
    const since = Number(d['seq'] ?? 0);
    for (const entry of session.sent) if (entry.s > since) this.sendDispatch(session, entry);
    this.dispatchTo(session, 'RESUMED', {});
    this.emit('resumed', session.shard[0]);
  }

  private requestGuildMembers(d: Json): void {
    const guild = this.world.guilds.get(String(d['guild_id']));
    if (!guild) return;
    const ids = Array.isArray(d['user_ids'])
      ? (d['user_ids'] as unknown[]).map(String)
      : typeof d['user_ids'] === 'string'
        ? [d['user_ids']]
        : undefined;
    const query = typeof d['query'] === 'string' ? d['query'].toLowerCase() : '';
    const limit = Number(d['limit'] ?? 0) || Infinity;
    const members = [...guild.members.values()]
      .filter((m) => (ids ? ids.includes(m.user.id) : m.user.username.toLowerCase().startsWith(query)))
      .slice(0, limit);
    this.dispatch('GUILD_MEMBERS_CHUNK', {
      guild_id: guild.id,
      members: members.map((m) => memberJson(m)),
      chunk_index: 0,
      chunk_count: 1,
      not_found: ids ? ids.filter((id) => !guild.members.has(id)) : [],
      ...(d['nonce'] !== undefined ? { nonce: d['nonce'] } : {}),
    });
  }

  private sendDispatch(session: Session, entry: { s: number; t: string; d: Json }): void {
    if (session.socket?.readyState === WebSocket.OPEN)
      this.send(session.socket, { op: GatewayOp.Dispatch, s: entry.s, t: entry.t, d: entry.d });
  }

  private send(socket: WebSocket, payload: Json): void {
    socket.send(JSON.stringify(payload));
  }
}
