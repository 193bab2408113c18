import type { StandinLogger } from '../../util/log';
import type { Json } from '../../world/types';
import { VoiceOp } from '../opcodes';
import type { ExternalSender } from './ExternalSender';
import {
  type KeyPackage,
  type ParsedCommit,
  CIPHERSUITE_P256,
  MLS_VERSION_10,
  SenderType,
  groupIdOf,
  keyPackageRef,
  parseCommitMessage,
  parseKeyPackageMessage,
  parseWelcome,
  userIdOf,
  verifyWithLabel,
  welcomeFor,
} from './mls';
import { u16, u8, vector } from './tls';

/** The DAVE protocol version the stand-in speaks. */
export const DAVE_PROTOCOL_VERSION = 1;
const MAX_U64 = 0xffff_ffff_ffff_ffffn;

/** Someone in the call as the gateway sees them: the bot's socket or a simulated user. */
export interface DaveParticipant {
  readonly userId: string;
  /** Server → client JSON op. */
  sendJson(op: number, d: Json): void;
  /** Server → client binary op (the transport adds the sequence number). */
  sendBinary(op: number, payload: Buffer): void;
}

/** What the gateway knows of the group, for tests. */
export interface DaveState {
  protocolVersion: number;
  /** A first commit was accepted and no reset has happened since. */
  established: boolean;
  /** MLS epoch of the established group (0 while unestablished). */
  epoch: number;
  /** User ids in the group's leaves, in leaf order. */
  members: string[];
  /** Connected users not (or no longer) in the group: waiting to be added. */
  pending: string[];
  /** Users whose key package the gateway holds, not yet used in a welcome. */
  keyPackagesHeld: string[];
  /** An announced commit whose transition has not been executed yet. */
  transitionPending: boolean;
  lastTransitionId: number | undefined;
  transitionsExecuted: number;
  commitsAccepted: number;
  /** Why each refused commit was refused (stale commits after a winner are normal). */
  commitsRejected: string[];
  /** Sole-member resets (op 24 epoch 1 + op 21 transition 0 to the one left). */
  resets: number;
  invalidCommitWelcomes: number;
  keyPackagesRejected: string[];
}

interface Member {
  participant: DaveParticipant;
  /** The newest key package not yet used in a welcome. */
  keyPackage: KeyPackage | undefined;
  /** Leaf index in the established group, if it holds one. */
  leaf: number | undefined;
  /** Processed the group's latest commit or welcome (false once it reset its MLS state). */
  inSync: boolean;
  /** Hex refs of the proposals sent to it in this epoch and not revoked. */
  sent: Set<string>;
}

interface Leaf {
  userId: string;
  signatureKey: Buffer;
}

interface Proposal {
  refHex: string;
  ref: Buffer;
  message: Buffer;
  kind: 'add' | 'remove';
  userId: string;
  keyPackage: KeyPackage | undefined;
  leaf: number | undefined;
  /** Who got it (for revocation). */
  recipients: Set<string>;
}

interface Transition {
  id: number;
  recipients: Set<string>;
  awaiting: Set<string>;
  timer: NodeJS.Timeout;
}

/**
 * The voice gateway's side of DAVE for one voice channel: MLS delivery service and external sender.
 * It knows the group's epoch and leaves, turns key packages into Add proposals and departures into
 * Remove proposals (op 27), picks the first valid commit of each epoch and announces it (op 29) with
 * per-joiner welcomes (op 30), then runs the transition (op 23 from each, op 22 to all, or op 22 after
 * the timeout). It never holds media keys. Every participant, bot or simulated user, is treated alike.
 */
export class DaveGroup {
  private readonly groupId: Buffer;
  private readonly members = new Map<string, Member>();
  private leaves: (Leaf | undefined)[] = [];
  private established = false;
  private epoch = 0n;
  private readonly proposals = new Map<string, Proposal>();
  private transition: Transition | undefined;
  private nextTransitionId = 1;
  private reconcileScheduled: NodeJS.Immediate | undefined;
  private closed = false;
  private readonly stats = {
    lastTransitionId: undefined as number | undefined,
    transitionsExecuted: 0,
    commitsAccepted: 0,
    commitsRejected: [] as string[],
    resets: 0,
    invalidCommitWelcomes: 0,
    keyPackagesRejected: [] as string[],
  };

  constructor(
    readonly channelId: string,
    private readonly sender: ExternalSender,
    private readonly options: { transitionTimeoutMs: number; log: StandinLogger; onChange: (kind: string) => void },
  ) {
    this.groupId = groupIdOf(channelId);
  }

  /** A participant connected with DAVE: it gets the external sender (op 25); its key package comes next. */
  join(participant: DaveParticipant): void {
    if (this.members.has(participant.userId)) this.leave(participant.userId);
    this.members.set(participant.userId, {
      participant,
      keyPackage: undefined,
      leaf: undefined,
      inSync: false,
      sent: new Set(),
    });
    participant.sendBinary(VoiceOp.DaveMlsExternalSender, this.sender.packageBytes());
    this.changed('daveJoin');
  }

  /** A participant left the call: its pending Add is revoked, its leaf proposed for removal, or the group reset. */
  leave(userId: string): void {
    if (!this.members.delete(userId)) return;
    for (const proposal of [...this.proposals.values()])
      if (proposal.kind === 'add' && proposal.userId === userId) this.revoke(proposal);
    if (this.transition) {
      this.transition.recipients.delete(userId);
      this.transition.awaiting.delete(userId);
    }
    const last = this.members.size === 1 ? ([...this.members.values()][0] as Member) : undefined;
    if (this.established && last && this.isInGroup(last.participant.userId)) {
      this.soleMemberReset(last);
      return;
    }
    if (this.members.size <= 1) this.resetGroup();
    if (this.transition?.awaiting.size === 0) this.executeTransition();
    this.scheduleReconcile();
    this.changed('daveLeave');
  }

  /** A binary op from a participant. */
  onBinary(userId: string, op: number, payload: Buffer): void {
    const member = this.members.get(userId);
    if (!member) return;
    if (op === VoiceOp.DaveMlsKeyPackage) this.onKeyPackage(member, payload);
    else if (op === VoiceOp.DaveMlsCommitWelcome) this.onCommitWelcome(member, payload);
    else this.options.log(`voice DAVE: binary opcode ${op} from ${userId} ignored`);
  }

  /** A JSON DAVE op (23 or 31) from a participant. */
  onJson(userId: string, op: number, d: Json): void {
    const member = this.members.get(userId);
    if (!member) return;
    if (op === VoiceOp.DaveTransitionReady) this.onReady(member, Number(d['transition_id']));
    else if (op === VoiceOp.DaveMlsInvalidCommitWelcome) this.onInvalidCommitWelcome(member);
  }

  /** State for tests. */
  state(): DaveState {
    return {
      protocolVersion: DAVE_PROTOCOL_VERSION,
      established: this.established,
      epoch: Number(this.epoch),
      members: this.leaves.filter((leaf): leaf is Leaf => leaf !== undefined).map((leaf) => leaf.userId),
      pending: [...this.members.values()]
        .filter((m) => m.leaf === undefined || !m.inSync)
        .map((m) => m.participant.userId),
      keyPackagesHeld: [...this.members.values()].filter((m) => m.keyPackage).map((m) => m.participant.userId),
      transitionPending: this.transition !== undefined,
      lastTransitionId: this.stats.lastTransitionId,
      transitionsExecuted: this.stats.transitionsExecuted,
      commitsAccepted: this.stats.commitsAccepted,
      commitsRejected: [...this.stats.commitsRejected],
      resets: this.stats.resets,
      invalidCommitWelcomes: this.stats.invalidCommitWelcomes,
      keyPackagesRejected: [...this.stats.keyPackagesRejected],
    };
  }

  /** Whether a user holds a leaf and has processed the latest commit or welcome. */
  isInGroup(userId: string): boolean {
    const member = this.members.get(userId);
    return (
      member !== undefined && member.inSync && member.leaf !== undefined && this.leaves[member.leaf]?.userId === userId
    );
  }

  /** Stops timers. */
  close(): void {
    this.closed = true;
    if (this.transition) clearTimeout(this.transition.timer);
    if (this.reconcileScheduled) clearImmediate(this.reconcileScheduled);
  }

  // ---- key packages --------------------------------------------------------------------------------

  private onKeyPackage(member: Member, payload: Buffer): void {
    let keyPackage: KeyPackage;
    try {
      keyPackage = parseKeyPackageMessage(payload);
    } catch (error) {
      this.rejectKeyPackage(member, `malformed: ${(error as Error).message}`);
      return;
    }
    const problem = this.keyPackageProblem(member, keyPackage);
    if (problem) {
      this.rejectKeyPackage(member, problem);
      return;
    }
    // A new key package from a member means it reset its MLS state: it is re-added (old leaf removed).
    member.inSync = false;
    member.sent.clear();
    member.keyPackage = keyPackage;
    for (const proposal of this.proposals.values()) proposal.recipients.delete(member.participant.userId);
    if (this.transition) {
      this.transition.awaiting.delete(member.participant.userId);
      if (this.transition.awaiting.size === 0) this.executeTransition();
    }
    this.scheduleReconcile();
    this.changed('daveKeyPackage');
  }

  /** The gateway's checks (protocol text, "Validation"): version, suite, credential = user id, full lifetime, signature. */
  private keyPackageProblem(member: Member, keyPackage: KeyPackage): string | undefined {
    if (keyPackage.version !== MLS_VERSION_10) return `version ${keyPackage.version}`;
    if (keyPackage.cipherSuite !== CIPHERSUITE_P256) return `cipher suite ${keyPackage.cipherSuite}`;
    const identity = userIdOf(keyPackage.leafNode.credential);
    if (identity !== member.participant.userId)
      return `credential identity ${identity ?? '(not basic u64)'} is not the session's user ${member.participant.userId}`;
    const lifetime = keyPackage.leafNode.lifetime;
    if (!lifetime || lifetime.notBefore !== 0n || lifetime.notAfter !== MAX_U64) return 'lifetime is not 0..2^64-1';
    if (!verifyWithLabel(keyPackage.leafNode.signatureKey, 'KeyPackageTBS', keyPackage.tbs, keyPackage.signature))
      return 'signature does not verify';
    return undefined;
  }

  private rejectKeyPackage(member: Member, reason: string): void {
    this.stats.keyPackagesRejected.push(`${member.participant.userId}: ${reason}`);
    this.options.log(`voice DAVE: key package from ${member.participant.userId} rejected: ${reason}`);
    this.changed('daveKeyPackageRejected');
  }

  // ---- proposals ------------------------------------------------------------------------------------

  private scheduleReconcile(): void {
    // Batch what arrives together (op 31 + op 26, several joins) into one op 27 per member.
    if (this.reconcileScheduled || this.closed) return;
    this.reconcileScheduled = setImmediate(() => {
      this.reconcileScheduled = undefined;
      this.reconcile();
    });
  }

  /** Proposes what the group lacks: Adds for members with key packages, Removes for stale leaves. */
  private reconcile(): void {
    if (this.transition || this.closed) return;
    if (this.established && this.inSyncMembers().length === 0) this.resetGroup();
    let recipients: Member[];
    if (this.established) {
      recipients = this.inSyncMembers();
      this.leaves.forEach((leaf, index) => {
        if (leaf && !this.isInGroup(leaf.userId) && !this.hasRemove(index)) this.createRemove(leaf, index);
      });
      for (const member of this.members.values())
        if (member.keyPackage && !this.isInGroup(member.participant.userId)) this.ensureAdd(member);
    } else {
      // Initial group creation: every pending member with a key package gets the others' Adds.
      recipients = [...this.members.values()].filter((m) => m.keyPackage);
      for (const member of recipients) this.ensureAdd(member);
    }
    for (const recipient of recipients) {
      const fresh = [...this.proposals.values()]
        .filter((p) => p.userId !== recipient.participant.userId || p.kind === 'remove')
        .filter((p) => !recipient.sent.has(p.refHex));
      if (fresh.length === 0) continue;
      for (const proposal of fresh) {
        recipient.sent.add(proposal.refHex);
        proposal.recipients.add(recipient.participant.userId);
      }
      recipient.participant.sendBinary(
        VoiceOp.DaveMlsProposals,
        Buffer.concat([u8(0), vector(...fresh.map((p) => p.message))]),
      );
    }
    this.changed('daveProposals');
  }

  private inSyncMembers(): Member[] {
    return [...this.members.values()].filter((m) => this.isInGroup(m.participant.userId));
  }

  private hasRemove(leaf: number): boolean {
    return [...this.proposals.values()].some((p) => p.kind === 'remove' && p.leaf === leaf);
  }

  private createRemove(leaf: Leaf, index: number): void {
    const signed = this.sender.remove(this.groupId, this.epoch, index);
    const refHex = signed.ref.toString('hex');
    this.proposals.set(refHex, {
      refHex,
      ref: signed.ref,
      message: signed.message,
      kind: 'remove',
      userId: leaf.userId,
      keyPackage: undefined,
      leaf: index,
      recipients: new Set(),
    });
  }

  /** One Add per member and key package; an Add for an older key package is revoked first. */
  private ensureAdd(member: Member): void {
    const keyPackage = member.keyPackage;
    if (!keyPackage) return;
    for (const proposal of [...this.proposals.values()]) {
      if (proposal.kind !== 'add' || proposal.userId !== member.participant.userId) continue;
      if (proposal.keyPackage === keyPackage) return;
      this.revoke(proposal);
    }
    const signed = this.sender.add(this.groupId, this.epoch, keyPackage);
    const refHex = signed.ref.toString('hex');
    this.proposals.set(refHex, {
      refHex,
      ref: signed.ref,
      message: signed.message,
      kind: 'add',
      userId: member.participant.userId,
      keyPackage,
      leaf: undefined,
      recipients: new Set(),
    });
  }

  /** Revokes an in-flight proposal (op 27 revoke) for those who hold it. */
  private revoke(proposal: Proposal): void {
    this.proposals.delete(proposal.refHex);
    for (const userId of proposal.recipients) {
      const member = this.members.get(userId);
      if (!member?.sent.delete(proposal.refHex)) continue;
      member.participant.sendBinary(VoiceOp.DaveMlsProposals, Buffer.concat([u8(1), vector(vector(proposal.ref))]));
    }
  }

  // ---- commits --------------------------------------------------------------------------------------

  private onCommitWelcome(member: Member, payload: Buffer): void {
    let commit: ParsedCommit;
    let rest: Buffer;
    try {
      ({ commit, rest } = parseCommitMessage(payload));
    } catch (error) {
      this.rejectCommit(member, `malformed: ${(error as Error).message}`, true);
      return;
    }
    const problem = this.commitProblem(member, commit);
    if (problem) {
      this.rejectCommit(member, problem, false);
      return;
    }
    const referenced = commit.proposals.map(
      (p) => this.proposals.get((p as { ref: Buffer }).ref.toString('hex')) as Proposal,
    );
    const adds = referenced.filter((p) => p.kind === 'add');
    const welcomes = new Map<string, Buffer>();
    if (adds.length > 0) {
      try {
        const welcome = parseWelcome(rest);
        for (const add of adds) {
          const targeted = welcomeFor(welcome, keyPackageRef(add.keyPackage as KeyPackage));
          if (!targeted) throw new Error(`no group secrets for ${add.userId}'s key package`);
          welcomes.set(add.userId, targeted);
        }
      } catch (error) {
        this.rejectCommit(member, `welcome: ${(error as Error).message}`, true);
        return;
      }
    } else if (rest.length > 0) {
      this.rejectCommit(member, `${rest.length} bytes after a commit that adds nobody`, true);
      return;
    }
    this.applyCommit(member, commit, referenced, welcomes);
  }

  /** Why the gateway refuses a commit ("Voice Gateway Commit Validity"), or undefined. */
  private commitProblem(member: Member, commit: ParsedCommit): string | undefined {
    if (!commit.groupId.equals(this.groupId)) return 'group id is not this channel';
    if (commit.epoch !== this.epoch) return `epoch ${commit.epoch}, group is at ${this.epoch}`;
    if (commit.senderType !== SenderType.member) return `sender type ${commit.senderType}`;
    const ownKey = this.established
      ? member.leaf === undefined
        ? undefined
        : this.leaves[member.leaf]?.signatureKey
      : member.keyPackage?.leafNode.signatureKey;
    if (
      this.established
        ? !this.isInGroup(member.participant.userId) || commit.senderIndex !== member.leaf
        : commit.senderIndex !== 0 || !member.keyPackage
    ) {
      return `sender leaf ${String(commit.senderIndex)} is not ${member.participant.userId}'s place in the group`;
    }
    if (commit.proposals.length === 0) return 'no proposals';
    const refs = new Set<string>();
    for (const entry of commit.proposals) {
      if (entry.kind !== 'reference') return `inline proposal of type ${entry.type}`;
      const hex = entry.ref.toString('hex');
      if (refs.has(hex)) return 'a proposal is referenced twice';
      refs.add(hex);
      if (!this.proposals.has(hex) || !member.sent.has(hex))
        return 'references a proposal this member was not sent in this epoch (or one since revoked)';
    }
    if (refs.size !== member.sent.size)
      return `references ${refs.size} of the ${member.sent.size} proposals sent to this member`;
    if (commit.pathLeafNode && ownKey && !commit.pathLeafNode.signatureKey.equals(ownKey))
      return "the update path changes the committer's signature key";
    return undefined;
  }

  private rejectCommit(member: Member, reason: string, loud: boolean): void {
    this.stats.commitsRejected.push(`${member.participant.userId}: ${reason}`);
    if (loud) this.options.log(`voice DAVE: commit from ${member.participant.userId} refused: ${reason}`);
    this.changed('daveCommitRejected');
  }

  /** Updates the leaf table (removes, then adds into the leftmost blank leaves), announces and welcomes. */
  private applyCommit(
    committer: Member,
    commit: ParsedCommit,
    referenced: Proposal[],
    welcomes: Map<string, Buffer>,
  ): void {
    this.stats.commitsAccepted += 1;
    if (!this.established) {
      const keyPackage = committer.keyPackage as KeyPackage;
      this.leaves = [{ userId: committer.participant.userId, signatureKey: keyPackage.leafNode.signatureKey }];
      committer.leaf = 0;
      committer.keyPackage = undefined;
      committer.inSync = true;
    }
    const stayers = this.inSyncMembers();
    for (const proposal of referenced.filter((p) => p.kind === 'remove')) {
      const index = proposal.leaf as number;
      this.leaves[index] = undefined;
      for (const member of this.members.values()) if (member.leaf === index) member.leaf = undefined;
    }
    const added: Member[] = [];
    for (const proposal of referenced.filter((p) => p.kind === 'add')) {
      const keyPackage = proposal.keyPackage as KeyPackage;
      let index = this.leaves.findIndex((leaf) => leaf === undefined);
      if (index < 0) index = this.leaves.length;
      this.leaves[index] = { userId: proposal.userId, signatureKey: keyPackage.leafNode.signatureKey };
      const member = this.members.get(proposal.userId);
      if (member && member.keyPackage === keyPackage) {
        member.leaf = index;
        member.keyPackage = undefined;
        member.inSync = true;
        added.push(member);
      }
    }
    while (this.leaves.length > 0 && this.leaves[this.leaves.length - 1] === undefined) this.leaves.pop();
    this.epoch += 1n;
    this.established = true;
    this.proposals.clear();
    for (const member of this.members.values()) member.sent.clear();

    const id = this.nextTransitionId;
    this.nextTransitionId = (this.nextTransitionId % 0xffff) + 1;
    const announced = stayers.filter((m) => this.isInGroup(m.participant.userId));
    for (const member of announced)
      member.participant.sendBinary(VoiceOp.DaveMlsAnnounceCommitTransition, Buffer.concat([u16(id), commit.message]));
    for (const member of added)
      member.participant.sendBinary(
        VoiceOp.DaveMlsWelcome,
        Buffer.concat([u16(id), welcomes.get(member.participant.userId) as Buffer]),
      );
    const recipients = new Set([...announced, ...added].map((m) => m.participant.userId));
    this.transition = {
      id,
      recipients,
      awaiting: new Set(recipients),
      timer: setTimeout(() => this.executeTransition(), this.options.transitionTimeoutMs),
    };
    this.changed('daveCommit');
  }

  // ---- transitions and resets ---------------------------------------------------------------------------

  private onReady(member: Member, transitionId: number): void {
    if (!this.transition || this.transition.id !== transitionId) return;
    this.transition.awaiting.delete(member.participant.userId);
    if (this.transition.awaiting.size === 0) this.executeTransition();
  }

  private executeTransition(): void {
    const transition = this.transition;
    if (!transition) return;
    clearTimeout(transition.timer);
    this.transition = undefined;
    for (const userId of transition.recipients)
      this.members.get(userId)?.participant.sendJson(VoiceOp.DaveExecuteTransition, { transition_id: transition.id });
    this.stats.lastTransitionId = transition.id;
    this.stats.transitionsExecuted += 1;
    this.scheduleReconcile();
    this.changed('daveTransition');
  }

  /** op 31: the member could not process a commit or welcome; it is removed and re-added with its next key package. */
  private onInvalidCommitWelcome(member: Member): void {
    this.stats.invalidCommitWelcomes += 1;
    member.inSync = false;
    member.keyPackage = undefined;
    member.sent.clear();
    for (const proposal of this.proposals.values()) proposal.recipients.delete(member.participant.userId);
    if (this.transition) {
      this.transition.awaiting.delete(member.participant.userId);
      if (this.transition.awaiting.size === 0) this.executeTransition();
    }
    this.scheduleReconcile();
    this.changed('daveInvalidCommitWelcome');
  }

  /** The one member left gets op 24 (epoch 1: make a new group) and op 21 (transition 0: now); the group starts over. */
  private soleMemberReset(member: Member): void {
    this.resetGroup();
    member.participant.sendJson(VoiceOp.DavePrepareEpoch, { protocol_version: DAVE_PROTOCOL_VERSION, epoch: 1 });
    member.participant.sendJson(VoiceOp.DavePrepareTransition, {
      protocol_version: DAVE_PROTOCOL_VERSION,
      transition_id: 0,
    });
    member.keyPackage = undefined;
    this.stats.resets += 1;
    this.changed('daveReset');
  }

  /** Back to an unestablished group at epoch 0 (members keep their key packages). */
  private resetGroup(): void {
    if (this.transition) clearTimeout(this.transition.timer);
    this.transition = undefined;
    this.established = false;
    this.epoch = 0n;
    this.leaves = [];
    this.proposals.clear();
    for (const member of this.members.values()) {
      member.leaf = undefined;
      member.inSync = false;
      member.sent.clear();
    }
  }

  private changed(kind: string): void {
    this.options.onChange(kind);
  }
}
