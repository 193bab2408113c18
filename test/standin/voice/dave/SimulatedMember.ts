import { DAVESession, MediaType } from '@snazzah/davey';
import type { StandinLogger } from '../../util/log';
import type { Json } from '../../world/types';
import { VoiceOp } from '../opcodes';
import { SILENCE_FRAME } from '../rtp';
import type { DaveParticipant } from './DaveGroup';

/** A message from a simulated client to the gateway. */
export type ClientMessage = { kind: 'json'; op: number; d: Json } | { kind: 'binary'; op: number; payload: Buffer };

/** What a simulated user's client did with one outgoing Opus frame. */
export interface OutgoingFrame {
  frame: Buffer;
  /** DAVE-encrypted (false: silence frame, transport-only call, or the session was not ready yet). */
  e2ee: boolean;
}

/**
 * A simulated user's voice client, run in-process: its own @snazzah/davey session driven exactly as
 * @discordjs/voice 0.19.2 drives one (Networking + DAVESession): key package on the session
 * description and on op 24 epoch 1, external sender from op 25, commits for op 27, op 23 after
 * processing op 29/30, op 31 plus a new key package when either fails, op 21/22 transitions.
 * Messages both ways are delivered asynchronously and in order, like a socket.
 *
 * Like @discordjs/voice, it sends frames unencrypted while its session is not ready (davey's encrypt
 * refuses with NotReady then) and never encrypts silence frames.
 */
export class SimulatedMember implements DaveParticipant {
  private session: DAVESession | undefined;
  private protocolVersion = 0;
  private readonly connectedClients = new Set<string>();
  private readonly pendingTransitions = new Map<number, number>();
  private readonly inbox: (() => void)[] = [];
  private draining = false;
  private paused = false;
  private closed = false;
  /** Transition ids executed, in order (0 for immediate ones). */
  readonly executedTransitions: number[] = [];
  /** davey errors while processing the gateway's messages (each also logged). */
  readonly errors: string[] = [];

  constructor(
    readonly userId: string,
    readonly channelId: string,
    private readonly toGateway: (userId: string, message: ClientMessage) => void,
    private readonly log: StandinLogger,
  ) {}

  /** The session description arrived (op 4): with a DAVE version, make a session and send its key package. */
  start(daveProtocolVersion: number): void {
    this.enqueue(() => {
      this.protocolVersion = daveProtocolVersion;
      if (daveProtocolVersion > 0) this.reinit();
    });
  }

  sendJson(op: number, d: Json): void {
    this.enqueue(() => this.onJson(op, d));
  }

  sendBinary(op: number, payload: Buffer): void {
    this.enqueue(() => this.onBinary(op, payload));
  }

  /** Whether frames leave DAVE-encrypted now. */
  get ready(): boolean {
    return this.protocolVersion > 0 && this.session?.ready === true;
  }

  /** MLS epoch of the member's group, if any. */
  get epoch(): number | undefined {
    const epoch = this.session?.epoch;
    return epoch === null || epoch === undefined ? undefined : Number(epoch);
  }

  /** User ids in the member's own view of the group. */
  groupUserIds(): string[] {
    return this.session?.getUserIds() ?? [];
  }

  /** What the client puts in an RTP payload for this Opus frame (as @discordjs/voice's `encrypt`). */
  encryptFrame(opus: Buffer): OutgoingFrame {
    if (!this.ready || opus.equals(SILENCE_FRAME)) return { frame: opus, e2ee: false };
    return { frame: (this.session as DAVESession).encryptOpus(opus), e2ee: true };
  }

  /** Decrypts a frame from another member; an Error (not thrown) when it cannot. */
  decryptFrom(senderId: string, frame: Buffer): Buffer | Error {
    if (!this.session?.ready) return new Error(`${this.userId} has no ready DAVE session`);
    try {
      return this.session.decrypt(senderId, MediaType.AUDIO, frame);
    } catch (error) {
      return error as Error;
    }
  }

  /**
   * Acts as if the client could not process the last commit or welcome: op 31 with the last transition
   * id, then a fresh key package (what @discordjs/voice does in `recoverFromInvalidTransition`).
   */
  flagInvalidCommitWelcome(): void {
    this.enqueue(() => {
      this.send({
        kind: 'json',
        op: VoiceOp.DaveMlsInvalidCommitWelcome,
        d: { transition_id: this.executedTransitions.at(-1) ?? 0 },
      });
      this.reinit();
    });
  }

  /**
   * A slow client: gateway messages queue up unprocessed until `resume()` (its media keys stay those of
   * the epoch it is in). Lets a test hold a group change back, e.g. so a user speaks before the bot is in.
   */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    if (this.inbox.length > 0 && !this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
  }

  /** The user left the call: stop processing and drop the group. */
  close(): void {
    this.closed = true;
    this.inbox.length = 0;
    try {
      this.session?.reset();
    } catch {
      // Nothing left to clean.
    }
  }

  private enqueue(work: () => void): void {
    if (this.closed) return;
    this.inbox.push(work);
    if (this.draining || this.paused) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    while (!this.closed && !this.paused && this.inbox.length > 0) {
      const work = this.inbox.shift() as () => void;
      try {
        work();
      } catch (error) {
        const message = `simulated client ${this.userId}: ${(error as Error).message}`;
        this.errors.push(message);
        this.log(`voice DAVE: ${message}`);
      }
    }
    this.draining = false;
  }

  private send(message: ClientMessage): void {
    if (this.closed) return;
    setImmediate(() => {
      if (!this.closed) this.toGateway(this.userId, message);
    });
  }

  private reinit(): void {
    if (this.session) this.session.reinit(this.protocolVersion, this.userId, this.channelId);
    else this.session = new DAVESession(this.protocolVersion, this.userId, this.channelId);
    this.send({ kind: 'binary', op: VoiceOp.DaveMlsKeyPackage, payload: this.session.getSerializedKeyPackage() });
  }

  private onJson(op: number, d: Json): void {
    switch (op) {
      case VoiceOp.ClientsConnect:
        for (const id of (d['user_ids'] as string[] | undefined) ?? []) this.connectedClients.add(id);
        break;
      case VoiceOp.ClientDisconnect:
        this.connectedClients.delete(String(d['user_id']));
        break;
      case VoiceOp.DavePrepareTransition: {
        const transitionId = Number(d['transition_id']);
        this.pendingTransitions.set(transitionId, Number(d['protocol_version']));
        if (transitionId === 0) this.executeTransition(0);
        else {
          if (Number(d['protocol_version']) === 0) this.session?.setPassthroughMode(true, 24);
          this.send({ kind: 'json', op: VoiceOp.DaveTransitionReady, d: { transition_id: transitionId } });
        }
        break;
      }
      case VoiceOp.DaveExecuteTransition:
        this.executeTransition(Number(d['transition_id']));
        break;
      case VoiceOp.DavePrepareEpoch:
        if (Number(d['epoch']) === 1) {
          this.protocolVersion = Number(d['protocol_version']);
          this.reinit();
        }
        break;
      default:
        break;
    }
  }

  private onBinary(op: number, payload: Buffer): void {
    if (!this.session) return;
    switch (op) {
      case VoiceOp.DaveMlsExternalSender:
        this.session.setExternalSender(payload);
        break;
      case VoiceOp.DaveMlsProposals: {
        const { commit, welcome } = this.session.processProposals(payload.readUInt8(0), payload.subarray(1), [
          ...this.connectedClients,
        ]);
        if (commit)
          this.send({
            kind: 'binary',
            op: VoiceOp.DaveMlsCommitWelcome,
            payload: welcome ? Buffer.concat([commit, welcome]) : commit,
          });
        break;
      }
      case VoiceOp.DaveMlsAnnounceCommitTransition:
        this.processHandshake(payload, (body) => (this.session as DAVESession).processCommit(body));
        break;
      case VoiceOp.DaveMlsWelcome:
        this.processHandshake(payload, (body) => (this.session as DAVESession).processWelcome(body));
        break;
      default:
        break;
    }
  }

  /** op 29 / op 30: process, then ready (op 23); on failure op 31 and a fresh key package. */
  private processHandshake(payload: Buffer, process: (body: Buffer) => void): void {
    const transitionId = payload.readUInt16BE(0);
    try {
      process(payload.subarray(2));
    } catch (error) {
      this.errors.push(`transition ${transitionId}: ${(error as Error).message}`);
      this.send({ kind: 'json', op: VoiceOp.DaveMlsInvalidCommitWelcome, d: { transition_id: transitionId } });
      this.reinit();
      return;
    }
    if (transitionId === 0) this.executedTransitions.push(0);
    else {
      this.pendingTransitions.set(transitionId, this.protocolVersion);
      this.send({ kind: 'json', op: VoiceOp.DaveTransitionReady, d: { transition_id: transitionId } });
    }
  }

  private executeTransition(transitionId: number): void {
    const version = this.pendingTransitions.get(transitionId);
    if (version === undefined) return;
    this.pendingTransitions.delete(transitionId);
    this.protocolVersion = version;
    this.executedTransitions.push(transitionId);
  }
}
