import { DAVESession, ProposalsOperationType } from '@snazzah/davey';
import { type DaveParticipant, DaveGroup } from './voice/dave/DaveGroup';
import { ExternalSender } from './voice/dave/ExternalSender';
import { SimulatedMember } from './voice/dave/SimulatedMember';
import { groupIdOf, parseKeyPackageMessage, splitProposalMessages } from './voice/dave/mls';
import { vector } from './voice/dave/tls';
import { MediaSession } from './voice/MediaSession';
import { VoiceOp } from './voice/opcodes';

const CHANNEL = '100000000000000020';
const [A, B, C] = ['100000000000000100', '100000000000000200', '100000000000000300'] as const;
const TIMEOUT_MS = 300;

/** One call with a DAVE group and simulated clients only (no sockets): the gateway logic in isolation. */
function harness() {
  const sender = new ExternalSender();
  const waiters = new Set<() => void>();
  const group = new DaveGroup(CHANNEL, sender, {
    transitionTimeoutMs: TIMEOUT_MS,
    log: () => undefined,
    onChange: () => waiters.forEach((wake) => wake()),
  });
  const call = new MediaSession('1', CHANNEL, group);
  /** Messages each client got from the gateway, in order. */
  const inbox = new Map<string, { op: number; payload?: Buffer; d?: unknown }[]>();
  const participants = new Map<string, DaveParticipant>();
  const join = (userId: string): SimulatedMember => {
    const member = new SimulatedMember(
      userId,
      CHANNEL,
      (id, message) =>
        message.kind === 'binary'
          ? group.onBinary(id, message.op, message.payload)
          : group.onJson(id, message.op, message.d),
      () => undefined,
    );
    const log: { op: number; payload?: Buffer; d?: unknown }[] = [];
    inbox.set(userId, log);
    const spied: DaveParticipant = {
      userId,
      sendJson: (op, d) => {
        log.push({ op, d });
        member.sendJson(op, d);
      },
      sendBinary: (op, payload) => {
        log.push({ op, payload });
        member.sendBinary(op, payload);
      },
    };
    call.simulated.set(userId, member);
    participants.set(userId, spied);
    member.start(1);
    call.connect(spied);
    return member;
  };
  const leave = (userId: string): void => {
    const member = call.simulated.get(userId);
    call.simulated.delete(userId);
    call.disconnect(participants.get(userId)!);
    member?.close();
  };
  const until = (check: () => boolean, what: string, timeoutMs = 3000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(poll);
        reject(new Error(`timed out waiting for ${what}: ${JSON.stringify(group.state())}`));
      }, timeoutMs);
      const poll = (): void => {
        if (!check()) return;
        clearTimeout(timer);
        waiters.delete(poll);
        resolve();
      };
      waiters.add(poll);
      setImmediate(poll);
    });
  const settled = (members: string[]): Promise<void> =>
    until(
      () => {
        const state = group.state();
        return (
          state.established &&
          !state.transitionPending &&
          [...state.members].sort().join() === [...members].sort().join() &&
          members.every((m) => group.isInGroup(m))
        );
      },
      `group ${members.join(', ')}`,
    );
  return {
    sender,
    group,
    call,
    inbox,
    join,
    leave,
    until,
    settled,
    close: () => {
      group.close();
      call.simulated.forEach((m) => m.close());
    },
  };
}

type Harness = ReturnType<typeof harness>;
let h: Harness | undefined;
afterEach(() => h?.close());

/** Opus frame encrypted by one member and decrypted by another: proof they share the epoch's keys. */
function talks(from: SimulatedMember, to: SimulatedMember): boolean {
  const frame = from.encryptFrame(Buffer.from([0xfc, 0x10, 0x20, 0x30]));
  const plain = to.decryptFrom(from.userId, frame.frame);
  return frame.e2ee && Buffer.isBuffer(plain) && plain.equals(Buffer.from([0xfc, 0x10, 0x20, 0x30]));
}

describe('DAVE group at the voice gateway, with simulated davey clients', () => {
  test('initial creation: three pending members, the first commit of epoch 0 wins, its author is leaf 0, the others are welcomed', async () => {
    h = harness();
    const members = [h.join(A), h.join(B), h.join(C)];
    const started = Date.now();
    await h.settled([A, B, C]);
    const state = h.group.state();
    expect(state).toMatchObject({
      established: true,
      epoch: 1,
      commitsAccepted: 1,
      transitionsExecuted: 1,
      lastTransitionId: 1,
    });
    // Everyone committed; the later commits were for an epoch that had moved on (or cited fewer proposals).
    expect(state.commitsRejected.length).toBeGreaterThanOrEqual(1);
    // Every client answered op 23, so op 22 came well before the timeout.
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS);
    const winner = state.members[0] as string;
    const winnerInbox = h.inbox.get(winner)!;
    expect(winnerInbox.some((m) => m.op === VoiceOp.DaveMlsAnnounceCommitTransition)).toBe(true);
    for (const id of [A, B, C].filter((id) => id !== winner)) {
      const got = h.inbox.get(id)!;
      expect(got.some((m) => m.op === VoiceOp.DaveMlsWelcome && m.payload!.readUInt16BE(0) === 1)).toBe(true);
      expect(got.some((m) => m.op === VoiceOp.DaveMlsAnnounceCommitTransition)).toBe(false);
    }
    await h.until(() => members.every((m) => m.executedTransitions.includes(1)), 'op 22 processed');
    for (const m of members) expect(m.groupUserIds().sort()).toEqual([A, B, C]);
    expect(talks(members[1]!, members[2]!)).toBe(true);
    expect(talks(members[0]!, members[1]!)).toBe(true);
  });

  test('a late joiner during initial creation gets the Adds in flight; the others get its Add; the commit must cite all', async () => {
    h = harness();
    const local = h;
    // Clients driven by the test, so the proposals stay in flight while C joins.
    const manual = (userId: string) => {
      const session = new DAVESession(1, userId, CHANNEL);
      const got: { op: number; payload?: Buffer }[] = [];
      const participant: DaveParticipant = {
        userId,
        sendJson: (op) => got.push({ op }),
        sendBinary: (op, payload) => got.push({ op, payload }),
      };
      local.call.connect(participant);
      local.group.onBinary(userId, VoiceOp.DaveMlsKeyPackage, session.getSerializedKeyPackage());
      return { session, got, proposals: () => got.filter((m) => m.op === VoiceOp.DaveMlsProposals) };
    };
    const a = manual(A);
    const b = manual(B);
    await local.until(() => a.proposals().length === 1 && b.proposals().length === 1, 'Adds to A and B');
    const c = manual(C);
    await local.until(() => c.proposals().length === 1 && a.proposals().length === 2, 'Adds to C and Add(C) to A');
    const addOf = (proposalsTo: { payload?: Buffer }[], index: number): string[] =>
      splitProposalMessages(proposalsTo[index]!.payload!.subarray(1)).map((p) => p.ref.toString('hex'));
    // C got the two Adds already sent (A's to B, B's to A): two proposals in one op 27.
    const toC = addOf(c.proposals(), 0);
    expect(toC).toHaveLength(2);
    expect(toC).toContain(addOf(b.proposals(), 0)[0]);
    expect(toC).toContain(addOf(a.proposals(), 0)[0]);
    // A commits with only its first batch: refused, it cites 1 of the 2 proposals it was sent.
    a.session.setExternalSender(local.sender.packageBytes());
    const stale = a.session.processProposals(ProposalsOperationType.APPEND, a.proposals()[0]!.payload!.subarray(1), [
      B,
      C,
    ]);
    local.group.onBinary(A, VoiceOp.DaveMlsCommitWelcome, Buffer.concat([stale.commit!, stale.welcome!]));
    expect(local.group.state().commitsRejected).toEqual([expect.stringMatching(/references 1 of the 2 proposals/)]);
    // With the second batch it cites both and wins: A is leaf 0, B and C get welcomes.
    const full = a.session.processProposals(ProposalsOperationType.APPEND, a.proposals()[1]!.payload!.subarray(1), [
      B,
      C,
    ]);
    local.group.onBinary(A, VoiceOp.DaveMlsCommitWelcome, Buffer.concat([full.commit!, full.welcome!]));
    expect(local.group.state()).toMatchObject({ established: true, epoch: 1, members: [A, B, C], commitsAccepted: 1 });
    expect(b.got.at(-1)?.op).toBe(VoiceOp.DaveMlsWelcome);
    expect(c.got.at(-1)?.op).toBe(VoiceOp.DaveMlsWelcome);
    expect(a.got.at(-1)?.op).toBe(VoiceOp.DaveMlsAnnounceCommitTransition);
  });

  test('a member leaves: Remove proposal, commit, epoch +1; the last two leaving: sole-member reset (op 24 epoch 1, op 21 transition 0)', async () => {
    h = harness();
    const local = h;
    const [, b, c] = [local.join(A), local.join(B), local.join(C)];
    await local.settled([A, B, C]);
    local.leave(A);
    await local.settled([B, C]);
    expect(local.group.state()).toMatchObject({ epoch: 2, commitsAccepted: 2, resets: 0 });
    expect(talks(b, c)).toBe(true);
    local.leave(B);
    await local.until(() => local.group.state().resets === 1, 'sole member reset');
    expect(local.group.state()).toMatchObject({ established: false, epoch: 0, members: [], resets: 1 });
    const tail = local.inbox.get(C)!.slice(-2);
    expect(tail).toEqual([
      { op: VoiceOp.DavePrepareEpoch, d: { protocol_version: 1, epoch: 1 } },
      { op: VoiceOp.DavePrepareTransition, d: { protocol_version: 1, transition_id: 0 } },
    ]);
    await local.until(() => c.executedTransitions.at(-1) === 0 && !c.ready, "C's reset");
    // C made a new key package; a newcomer forms a new group with it from epoch 0.
    const a2 = local.join(A);
    await local.settled([A, C]);
    expect(local.group.state().epoch).toBe(1);
    expect(talks(a2, c)).toBe(true);
  });

  test('op 31: the flagging member is removed and re-added with its new key package', async () => {
    h = harness();
    const local = h;
    const [a, b] = [local.join(A), local.join(B)];
    await local.settled([A, B]);
    const epochBefore = local.group.state().epoch;
    b.flagInvalidCommitWelcome();
    await local.until(() => local.group.state().invalidCommitWelcomes === 1, 'op 31');
    await local.settled([A, B]);
    await local.until(() => b.ready && a.epoch === b.epoch, 'B back in the group');
    expect(local.group.state().epoch).toBeGreaterThan(epochBefore);
    expect(talks(a, b)).toBe(true);
    expect(talks(b, a)).toBe(true);
  });

  test('transition timeout: a member that never answers op 23 still gets op 22 after the timeout', async () => {
    h = harness();
    const local = h;
    local.join(A);
    // A client that sends a key package and then never processes anything.
    const mute = new DAVESession(1, B, CHANNEL);
    const silent: DaveParticipant = { userId: B, sendJson: () => undefined, sendBinary: () => undefined };
    local.call.connect(silent);
    local.group.onBinary(B, VoiceOp.DaveMlsKeyPackage, mute.getSerializedKeyPackage());
    const started = Date.now();
    await local.until(() => local.group.state().commitsAccepted === 1, 'A commits B');
    await local.until(() => local.group.state().transitionsExecuted === 1, 'timeout execution', TIMEOUT_MS + 1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
  });

  test('refused input: key packages with a wrong identity or signature, malformed commits, commits citing proposals never sent', async () => {
    h = harness();
    const local = h;
    local.join(A);
    const other = new DAVESession(1, C, CHANNEL).getSerializedKeyPackage();
    local.group.onBinary(A, VoiceOp.DaveMlsKeyPackage, other);
    const tampered = Buffer.from(new DAVESession(1, A, CHANNEL).getSerializedKeyPackage());
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    local.group.onBinary(A, VoiceOp.DaveMlsKeyPackage, tampered);
    local.group.onBinary(A, VoiceOp.DaveMlsKeyPackage, Buffer.from([1, 2, 3]));
    expect(local.group.state().keyPackagesRejected).toEqual([
      expect.stringMatching(new RegExp(`credential identity ${C} is not the session's user ${A}`)),
      expect.stringMatching(/signature does not verify/),
      expect.stringMatching(/malformed/),
    ]);
    await local.until(() => local.group.state().keyPackagesHeld.includes(A), "A's key package");
    // A rogue "A" commits an Add the gateway never sent: refused.
    const rogue = new DAVESession(1, A, CHANNEL);
    rogue.setExternalSender(local.sender.packageBytes());
    const add = local.sender.add(
      groupIdOf(CHANNEL),
      0n,
      parseKeyPackageMessage(new DAVESession(1, B, CHANNEL).getSerializedKeyPackage()),
    );
    const { commit, welcome } = rogue.processProposals(ProposalsOperationType.APPEND, vector(add.message), [B]);
    local.group.onBinary(A, VoiceOp.DaveMlsCommitWelcome, Buffer.concat([commit as Buffer, welcome as Buffer]));
    local.group.onBinary(A, VoiceOp.DaveMlsCommitWelcome, Buffer.from('0001000100', 'hex'));
    expect(local.group.state().commitsRejected).toEqual([
      expect.stringMatching(/references a proposal this member was not sent/),
      expect.stringMatching(/malformed/),
    ]);
    expect(local.group.state()).toMatchObject({ established: false, commitsAccepted: 0 });
  });
});
