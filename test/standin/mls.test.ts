import { DAVESession, ProposalsOperationType } from '@snazzah/davey';
import { ExternalSender } from './voice/dave/ExternalSender';
import {
  ContentType,
  SenderType,
  groupIdOf,
  keyPackageRef,
  parseCommitMessage,
  parseKeyPackageMessage,
  parseWelcome,
  proposalRef,
  readLeafNode,
  userIdOf,
  verifyWithLabel,
  welcomeFor,
} from './voice/dave/mls';
import { TlsDecodeError, TlsReader, encodeVarint, vector } from './voice/dave/tls';

const CHANNEL = '100000000000000020';
const ALICE = '100000000000000100';
const BOB = '100000000000000200';
const CAROL = '100000000000000300';

describe('TLS presentation language with MLS varint vector headers', () => {
  test('varints use 1, 2 or 4 bytes with prefixes 00, 01, 10 (RFC 9000 §A.1 examples)', () => {
    expect(encodeVarint(37).toString('hex')).toBe('25');
    expect(encodeVarint(63).toString('hex')).toBe('3f');
    expect(encodeVarint(64).toString('hex')).toBe('4040');
    expect(encodeVarint(15_293).toString('hex')).toBe('7bbd');
    expect(encodeVarint(16_384).toString('hex')).toBe('80004000');
    expect(encodeVarint(494_878_333).toString('hex')).toBe('9d7f3e7d');
    expect(() => encodeVarint(2 ** 30)).toThrow(RangeError);
    for (const value of [0, 37, 63, 64, 15_293, 16_383, 16_384, 494_878_333])
      expect(new TlsReader(encodeVarint(value)).varint()).toBe(value);
  });

  test('the reader refuses non-minimal and 8-byte varints, and truncated vectors, with TlsDecodeError', () => {
    expect(() => new TlsReader(Buffer.from('4025', 'hex')).varint()).toThrow(/non-minimal 2-byte/);
    expect(() => new TlsReader(Buffer.from('80000025', 'hex')).varint()).toThrow(/non-minimal 4-byte/);
    expect(() => new TlsReader(Buffer.from('c000000000000001', 'hex')).varint()).toThrow(/8-byte/);
    expect(() => new TlsReader(Buffer.from('05aabb', 'hex')).vector('thing')).toThrow(TlsDecodeError);
    const reader = new TlsReader(Buffer.concat([vector(Buffer.from('abc')), Buffer.from([7])]));
    expect(reader.vector().toString()).toBe('abc');
    expect(() => reader.end('test')).toThrow(/1 unexpected trailing bytes/);
  });
});

describe('MLS structures against @snazzah/davey (openmls)', () => {
  const sender = new ExternalSender();
  const groupId = groupIdOf(CHANNEL);

  /** A davey session with the external sender set: a pending member with a local group at epoch 0. */
  function member(userId: string): { session: DAVESession; keyPackage: Buffer } {
    const session = new DAVESession(1, userId, CHANNEL);
    const keyPackage = session.getSerializedKeyPackage();
    session.setExternalSender(sender.packageBytes());
    return { session, keyPackage };
  }

  test('op 25 package: 65-byte uncompressed P-256 key and a basic credential, accepted by davey', () => {
    const bytes = sender.packageBytes();
    const reader = new TlsReader(bytes);
    const key = reader.vector();
    expect(key).toHaveLength(65);
    expect(key[0]).toBe(0x04);
    expect(reader.u16()).toBe(1);
    expect(reader.vector().toString()).toBe('discord-standin voice gateway');
    reader.end('external sender');
    expect(() => new DAVESession(1, ALICE, CHANNEL).setExternalSender(bytes)).not.toThrow();
  });

  test('a davey key package parses: user id credential, full lifetime, signature verifies (and not once tampered); MLSMessage-wrapped too', () => {
    const { keyPackage } = member(ALICE);
    const parsed = parseKeyPackageMessage(keyPackage);
    expect(parsed.bytes.equals(keyPackage)).toBe(true);
    expect(parsed).toMatchObject({ version: 1, cipherSuite: 2 });
    expect(userIdOf(parsed.leafNode.credential)).toBe(ALICE);
    expect(parsed.leafNode.lifetime).toEqual({ notBefore: 0n, notAfter: 2n ** 64n - 1n });
    expect(parsed.leafNode.signatureKey).toHaveLength(65);
    expect(verifyWithLabel(parsed.leafNode.signatureKey, 'KeyPackageTBS', parsed.tbs, parsed.signature)).toBe(true);
    const tampered = Buffer.from(parsed.tbs);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(verifyWithLabel(parsed.leafNode.signatureKey, 'KeyPackageTBS', tampered, parsed.signature)).toBe(false);
    const wrapped = parseKeyPackageMessage(Buffer.concat([Buffer.from('00010005', 'hex'), keyPackage]));
    expect(wrapped.bytes.equals(keyPackage)).toBe(true);
    expect(() => parseKeyPackageMessage(Buffer.concat([keyPackage, Buffer.from([0])]))).toThrow(/trailing/);
  });

  test("an external Add is accepted by davey, whose commit references it by the ref we compute; the walker finds the commit's end and the welcome", () => {
    const alice = member(ALICE);
    const bob = member(BOB);
    const add = sender.add(groupId, 0n, parseKeyPackageMessage(bob.keyPackage));
    expect(add.ref.equals(proposalRef(add.message))).toBe(true);
    const { commit, welcome } = alice.session.processProposals(ProposalsOperationType.APPEND, vector(add.message), [
      BOB,
    ]);
    expect(commit).toBeDefined();
    expect(welcome).toBeDefined();
    const parsed = parseCommitMessage(Buffer.concat([commit as Buffer, welcome as Buffer]));
    expect(parsed.commit.message.equals(commit as Buffer)).toBe(true);
    expect(parsed.rest.equals(welcome as Buffer)).toBe(true);
    expect(parsed.commit).toMatchObject({
      epoch: 0n,
      senderType: SenderType.member,
      senderIndex: 0,
      contentType: ContentType.commit,
    });
    expect(parsed.commit.groupId.equals(groupId)).toBe(true);
    expect(parsed.commit.proposals).toEqual([{ kind: 'reference', ref: add.ref }]);
    // A commit of adds only has no update path (openmls default).
    expect(parsed.commit.pathLeafNode).toBeUndefined();

    const parsedWelcome = parseWelcome(welcome as Buffer);
    expect(parsedWelcome.secrets).toHaveLength(1);
    const bobRef = keyPackageRef(parseKeyPackageMessage(bob.keyPackage));
    expect(parsedWelcome.secrets[0]?.newMember.equals(bobRef)).toBe(true);
    const forBob = welcomeFor(parsedWelcome, bobRef) as Buffer;
    expect(forBob.equals(welcome as Buffer)).toBe(true);
    alice.session.processCommit(commit as Buffer);
    bob.session.processWelcome(forBob);
    expect(alice.session.ready && bob.session.ready).toBe(true);
    expect(bob.session.ownLeafIndex).toBe(1);
    const frame = alice.session.encryptOpus(Buffer.from([0xfc, 1, 2, 3]));
    expect(bob.session.decrypt(ALICE, 0, frame)).toEqual(Buffer.from([0xfc, 1, 2, 3]));
  });

  test("a Remove + Add commit (epoch 1) has an update path with the committer's own key; welcomes split per joiner", () => {
    const alice = member(ALICE);
    const bob = member(BOB);
    const first = alice.session.processProposals(
      ProposalsOperationType.APPEND,
      vector(sender.add(groupId, 0n, parseKeyPackageMessage(bob.keyPackage)).message),
      [BOB],
    );
    alice.session.processCommit(first.commit as Buffer);
    const carol = member(CAROL);
    const dave = member('100000000000000400');
    const remove = sender.remove(groupId, 1n, 1);
    const addCarol = sender.add(groupId, 1n, parseKeyPackageMessage(carol.keyPackage));
    const addDave = sender.add(groupId, 1n, parseKeyPackageMessage(dave.keyPackage));
    const second = alice.session.processProposals(
      ProposalsOperationType.APPEND,
      vector(remove.message, addCarol.message, addDave.message),
      [CAROL, '100000000000000400'],
    );
    const parsed = parseCommitMessage(Buffer.concat([second.commit as Buffer, second.welcome as Buffer]));
    expect(parsed.commit.epoch).toBe(1n);
    expect(
      parsed.commit.proposals.map((p) => (p.kind === 'reference' ? p.ref.toString('hex') : 'inline')).sort(),
    ).toEqual([remove.ref, addCarol.ref, addDave.ref].map((r) => r.toString('hex')).sort());
    const path = parsed.commit.pathLeafNode;
    expect(path?.signatureKey.equals(parseKeyPackageMessage(alice.keyPackage).leafNode.signatureKey)).toBe(true);
    expect(path?.source).toBe(3);
    expect(userIdOf(path!.credential)).toBe(ALICE);
    const welcome = parseWelcome(parsed.rest);
    expect(welcome.secrets).toHaveLength(2);
    const forCarol = welcomeFor(welcome, keyPackageRef(parseKeyPackageMessage(carol.keyPackage))) as Buffer;
    const forDave = welcomeFor(welcome, keyPackageRef(parseKeyPackageMessage(dave.keyPackage))) as Buffer;
    expect(parseWelcome(forCarol).secrets).toHaveLength(1);
    alice.session.processCommit(second.commit as Buffer);
    carol.session.processWelcome(forCarol);
    dave.session.processWelcome(forDave);
    // Removes first (bob's leaf 1 blank), then adds into the leftmost blank leaves: carol 1, dave 2.
    expect([carol.session.ownLeafIndex, dave.session.ownLeafIndex]).toEqual([1, 2]);
    expect(carol.session.epoch).toBe(2n);
    expect(welcomeFor(welcome, Buffer.alloc(32))).toBeUndefined();
  });

  test('the leaf node reader stops at an unknown leaf_node_source', () => {
    const { keyPackage } = member(ALICE);
    const reader = new TlsReader(keyPackage);
    reader.u16();
    reader.u16();
    reader.vector();
    const start = reader.offset;
    const leaf = readLeafNode(reader);
    expect(leaf.source).toBe(1);
    const bytes = Buffer.from(keyPackage.subarray(start, reader.offset));
    // leaf_node_source is the byte before the lifetime (not_before 0, not_after 2^64-1); make it 7.
    const sourceAt = bytes.indexOf(Buffer.from('0000000000000000ffffffffffffffff', 'hex')) - 1;
    expect(bytes[sourceAt]).toBe(1);
    bytes[sourceAt] = 7;
    expect(() => readLeafNode(new TlsReader(bytes))).toThrow(/leaf_node_source 7/);
  });
});
