import {
  NetworkingStatusCode,
  type DAVESession,
  type Networking,
  type NetworkingState,
  type VoiceConnection,
  type VoiceConnectionState,
  type VoiceUDPSocket,
} from '@discordjs/voice';
import type { Logger } from '../util/log';
import { hasDaveMarker, isSilenceFrame, parseRtpHeader, payloadOf, type RtpHeader } from './rtp';
import { createTransportDecryptor, isTransportMode, type TransportDecryptor } from './transport';

/** Why a received packet did not become audio. */
export type DropReason =
  /** Failed transport authentication (damaged, forged, or a stale key). */
  | 'transport'
  /** Lengths in the packet contradict each other (padding longer than the payload...). */
  | 'malformed'
  /** Padding only, no media (some voice servers send these). */
  | 'empty'
  /** End-to-end encrypted, and our DAVE session is not ready yet (joining, or recovering). */
  | 'dave_not_ready'
  /** End-to-end encrypted, and our ready session could not decrypt it. */
  | 'dave_failed'
  /** A plain frame in an end-to-end encrypted call outside passthrough: refused, as DAVE requires. */
  | 'plain_rejected';

export const DROP_REASONS: readonly DropReason[] = [
  'transport',
  'malformed',
  'empty',
  'dave_not_ready',
  'dave_failed',
  'plain_rejected',
];

/** What one received packet turned into, for one person. */
export type ReceiveEvent =
  | { type: 'audio'; opus: Buffer; sequence: number; at: number }
  | { type: 'silence'; sequence: number; at: number }
  /** `speech`: the packet most likely carried the person's voice (it failed decryption, it was not padding). */
  | { type: 'dropped'; reason: DropReason; speech: boolean; sequence: number; at: number };

/** Receives one person's events. */
export type ReceiveSink = (event: ReceiveEvent) => void;

/** When a person's packets last arrived, as far as the receive path can tell. */
export interface SpeakerActivity {
  /** Last packet that was, or could have been, speech (audio, or failed decryption). */
  lastSpeechAt: number;
  /** Last silence frame (the client's "I stopped"). */
  lastSilenceAt: number;
}

/** Consecutive end-to-end failures of one speaker, while our session is ready, before recovery. */
const RECOVERY_AFTER_FAILURES = 50;
/** ...lasting at least this long (a transition's old keys are kept for about 10 s; give it time). */
const RECOVERY_AFTER_MS = 2_000;
/** Recovery (op 31 and a fresh key package) at most this often per connection. */
const RECOVERY_MIN_INTERVAL_MS = 30_000;
/** Receive-cost samples kept (a ring) for the benchmark. */
const TIMING_SAMPLES = 4096;

/** Counters of the whole receive path (for logs and the benchmark). */
export interface ReceiveStats {
  packets: number;
  audio: number;
  silence: number;
  unattributed: number;
  notAudio: number;
  dropped: Record<DropReason, number>;
  recoveries: number;
}

/** A zero count for every drop reason. */
export function noDrops(): Record<DropReason, number> {
  return Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
}

function emptyStats(): ReceiveStats {
  return { packets: 0, audio: 0, silence: 0, unattributed: 0, notAudio: 0, dropped: noDrops(), recoveries: 0 };
}

type ReadyNetworking = Extract<NetworkingState, { code: NetworkingStatusCode.Ready | NetworkingStatusCode.Resuming }>;

/**
 * Attune's own receive path for one voice connection. @discordjs/voice 0.19's per-user streams end
 * on the first packet that fails to decrypt, push DAVE ciphertext into the stream while the session
 * is not ready, and reset the MLS group after a burst of undecryptable frames. Here every packet is
 * judged on its own: one bad packet is dropped and counted, never the end of a recording, and
 * nothing that failed to decrypt ever reaches a sink (so never an Opus decoder).
 *
 * It listens on the connection's UDP socket beside the library (which does nothing with a packet
 * unless someone subscribed through it), takes speakers' SSRCs from the library's map (op 5), and
 * decrypts with the session's transport key and the library's DAVE session.
 */
export class ReceivePath {
  private readonly sinks = new Map<string, Set<ReceiveSink>>();
  private readonly activity = new Map<string, SpeakerActivity>();
  private readonly failures = new Map<string, { count: number; since: number }>();
  private readonly counters: ReceiveStats = emptyStats();
  private networking: Networking | undefined;
  private udp: VoiceUDPSocket | undefined;
  private decryptor: { key: Uint8Array; mode: string; value: TransportDecryptor } | undefined;
  private lastRecoveryAt = -Infinity;
  private lastEpoch: bigint | null = null;
  private lastEpochChangeAt = 0;
  private readonly timings = new Float64Array(TIMING_SAMPLES);
  private timingCount = 0;
  private closed = false;

  /** Listeners made once, so `off` removes exactly what `on` added. */
  private readonly listeners = {
    connection: (old: VoiceConnectionState, next: VoiceConnectionState) => this.onConnectionState(old, next),
    networking: (old: NetworkingState, next: NetworkingState) => this.onNetworkingState(old, next),
    message: (message: Buffer) => this.onMessage(message),
  };

  constructor(
    private readonly connection: VoiceConnection,
    private readonly logger: Logger,
    private readonly opts: { guildId: string; now?: () => number; measure?: boolean } = { guildId: '' },
  ) {
    connection.on('stateChange', this.listeners.connection);
    this.bindNetworking(Reflect.get(connection.state, 'networking') as Networking | undefined);
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** Delivers `userId`'s events to `sink` until the returned function is called. */
  listen(userId: string, sink: ReceiveSink): () => void {
    let set = this.sinks.get(userId);
    if (!set) this.sinks.set(userId, (set = new Set()));
    set.add(sink);
    return () => {
      set.delete(sink);
      if (set.size === 0 && this.sinks.get(userId) === set) this.sinks.delete(userId);
    };
  }

  /** Whether `userId` has sent nothing that could be speech for `quietMs`. */
  isQuiet(userId: string, quietMs: number): boolean {
    const a = this.activity.get(userId);
    return !a || this.now() - a.lastSpeechAt >= quietMs || a.lastSilenceAt > a.lastSpeechAt;
  }

  /**
   * Whether received audio can be read now: transport keys are in place and, in an end-to-end
   * encrypted call, our DAVE session is ready.
   */
  get ready(): boolean {
    const state = this.readyState();
    if (!state) return false;
    const dave = state.dave;
    return !dave || dave.protocolVersion === 0 || Boolean(dave.session?.ready);
  }

  /** Counters since the connection was made. */
  stats(): ReceiveStats {
    return structuredClone(this.counters);
  }

  /** Receive cost per packet in microseconds (recent packets; sinks excluded), when created with `measure`. */
  packetCostsUs(): number[] {
    const n = Math.min(this.timingCount, TIMING_SAMPLES);
    return Array.from(this.timings.subarray(0, n));
  }

  /** Stops listening (the connection is gone). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.off('stateChange', this.listeners.connection);
    this.bindNetworking(undefined);
    this.sinks.clear();
  }

  private onConnectionState(_old: VoiceConnectionState, next: VoiceConnectionState): void {
    this.bindNetworking(Reflect.get(next, 'networking') as Networking | undefined);
  }

  private bindNetworking(networking: Networking | undefined): void {
    if (this.closed) networking = undefined;
    if (networking !== this.networking) {
      this.networking?.off('stateChange', this.listeners.networking);
      networking?.on('stateChange', this.listeners.networking);
      this.networking = networking;
    }
    this.bindUdp(networking ? (Reflect.get(networking.state, 'udp') as VoiceUDPSocket | undefined) : undefined);
  }

  private onNetworkingState(_old: NetworkingState, next: NetworkingState): void {
    this.bindUdp(Reflect.get(next, 'udp') as VoiceUDPSocket | undefined);
  }

  private bindUdp(udp: VoiceUDPSocket | undefined): void {
    if (udp === this.udp) return;
    this.udp?.off('message', this.listeners.message);
    udp?.on('message', this.listeners.message);
    this.udp = udp;
  }

  private readyState(): ReadyNetworking | undefined {
    const state = this.networking?.state;
    if (!state || (state.code !== NetworkingStatusCode.Ready && state.code !== NetworkingStatusCode.Resuming))
      return undefined;
    return state;
  }

  private transport(state: ReadyNetworking): TransportDecryptor | undefined {
    const { encryptionMode, secretKey } = state.connectionData;
    if (!secretKey || !isTransportMode(encryptionMode)) return undefined;
    if (this.decryptor?.key !== secretKey || this.decryptor.mode !== encryptionMode) {
      this.decryptor = {
        key: secretKey,
        mode: encryptionMode,
        value: createTransportDecryptor(encryptionMode, secretKey),
      };
    }
    return this.decryptor.value;
  }

  /** One datagram from the voice server. Never throws: a bad packet is dropped and counted. */
  onMessage(message: Buffer): void {
    if (message.length <= 8) return; // keep-alive echo
    const started = this.opts.measure ? performance.now() : 0;
    let delivery: { event: ReceiveEvent; sinks: ReceiveSink[] } | undefined;
    try {
      delivery = this.handle(message);
    } catch (error) {
      // Nothing in here should throw; if something does, it costs one packet, not the recording.
      this.counters.dropped.malformed++;
      this.logger.warn('voice.receive_error', { guildId: this.opts.guildId, error });
    }
    // Measured: the receive path itself (parse, decrypt, judge); what sinks do is theirs.
    if (this.opts.measure) this.timings[this.timingCount++ % TIMING_SAMPLES] = (performance.now() - started) * 1000;
    if (!delivery) return;
    for (const sink of delivery.sinks) {
      try {
        sink(delivery.event);
      } catch (error) {
        this.logger.warn('voice.sink_error', { guildId: this.opts.guildId, error });
      }
    }
  }

  private handle(message: Buffer): { event: ReceiveEvent; sinks: ReceiveSink[] } | undefined {
    this.counters.packets++;
    const header = parseRtpHeader(message);
    if (typeof header === 'string') {
      this.counters.notAudio++;
      return undefined;
    }
    const state = this.readyState();
    const userId = state ? this.connection.receiver.ssrcMap.get(header.ssrc)?.userId : undefined;
    if (!state || !userId) {
      this.counters.unattributed++;
      return undefined;
    }
    const at = this.now();
    const event = this.judge(message, header, state, userId, at);
    const activity = this.activity.get(userId) ?? { lastSpeechAt: 0, lastSilenceAt: 0 };
    if (event.type === 'silence') activity.lastSilenceAt = at;
    else if (event.type === 'audio' || event.speech) activity.lastSpeechAt = at;
    this.activity.set(userId, activity);
    if (event.type === 'dropped') this.counters.dropped[event.reason]++;
    else this.counters[event.type]++;
    const sinks = this.sinks.get(userId);
    return sinks && sinks.size > 0 ? { event, sinks: [...sinks] } : undefined;
  }

  private judge(message: Buffer, header: RtpHeader, state: ReadyNetworking, userId: string, at: number): ReceiveEvent {
    const { sequence } = header;
    const drop = (reason: DropReason, speech: boolean): ReceiveEvent => ({
      type: 'dropped',
      reason,
      speech,
      sequence,
      at,
    });
    const transport = this.transport(state);
    const plaintext = transport?.decrypt(message, header);
    if (!plaintext) return drop('transport', true);
    const payload = payloadOf(plaintext, header);
    if (!payload) return drop('malformed', false);
    if (payload.length === 0) return drop('empty', false);
    // Clients never end-to-end encrypt silence frames (and the SFU may synthesise them).
    if (isSilenceFrame(payload)) return { type: 'silence', sequence, at };

    const dave = state.dave;
    const session = dave?.session;
    if (dave && session?.ready) {
      try {
        const opus = session.decrypt(userId, 0, payload);
        this.failures.delete(userId);
        return { type: 'audio', opus, sequence, at };
      } catch {
        if (hasDaveMarker(payload)) {
          this.noteFailure(dave, userId, at);
          return drop('dave_failed', true);
        }
        // A plain frame: normal in a transport-only call (after a downgrade), refused otherwise.
        return dave.protocolVersion === 0
          ? { type: 'audio', opus: payload, sequence, at }
          : drop('plain_rejected', true);
      }
    }
    if (dave && dave.protocolVersion > 0) return drop('dave_not_ready', true);
    // Transport-only call. A frame with the DAVE marker is ciphertext we hold no key for.
    if (hasDaveMarker(payload)) return drop('dave_not_ready', true);
    return { type: 'audio', opus: payload, sequence, at };
  }

  private noteEpoch(dave: DAVESession, at: number): void {
    const epoch = (dave.session as unknown as { epoch?: bigint | null }).epoch ?? null;
    if (epoch !== this.lastEpoch) {
      this.lastEpoch = epoch;
      this.lastEpochChangeAt = at;
      this.failures.clear();
    }
  }

  /**
   * Sustained end-to-end failure of a speaker while our session is ready means our group state is
   * wrong: ask for recovery through the library's own path (op 31, new key package), rarely.
   */
  private noteFailure(dave: DAVESession, userId: string, at: number): void {
    // The epoch is read on failures only (it is a call into the MLS library): a change seen here
    // starts the count afresh.
    this.noteEpoch(dave, at);
    const f = this.failures.get(userId) ?? { count: 0, since: at };
    f.count++;
    this.failures.set(userId, f);
    if (f.count < RECOVERY_AFTER_FAILURES || at - f.since < RECOVERY_AFTER_MS) return;
    if (at - this.lastEpochChangeAt < RECOVERY_AFTER_MS || dave.reinitializing) return;
    if (at - this.lastRecoveryAt < RECOVERY_MIN_INTERVAL_MS) return;
    this.lastRecoveryAt = at;
    this.failures.clear();
    this.counters.recoveries++;
    this.logger.warn('voice.dave_recovery', {
      guildId: this.opts.guildId,
      consecutiveFailures: f.count,
      ms: at - f.since,
    });
    dave.recoverFromInvalidTransition(dave.lastTransitionId ?? 0);
  }
}
