/**
 * The parts of MLS (RFC 9420) a DAVE voice gateway reads and writes: key packages, external Add and
 * Remove proposals, commits (walked far enough to find their proposal references and where they end)
 * and welcomes (split per new member). Ciphersuite 2 only (P-256, SHA-256), as DAVE protocol v1 uses.
 * The gateway never decrypts anything here: commits and welcomes are public messages it inspects.
 */
import crypto from 'node:crypto';
import { TlsDecodeError, TlsReader, u16, u32, u64, u8, vector } from './tls';

export const MLS_VERSION_10 = 1;
/** DHKEMP256_AES128GCM_SHA256_P256. */
export const CIPHERSUITE_P256 = 2;

export const WireFormat = { public: 1, private: 2, welcome: 3, groupInfo: 4, keyPackage: 5 } as const;
export const SenderType = { member: 1, external: 2, newMemberProposal: 3, newMemberCommit: 4 } as const;
export const ContentType = { application: 1, proposal: 2, commit: 3 } as const;
export const ProposalType = {
  add: 1,
  update: 2,
  remove: 3,
  psk: 4,
  reinit: 5,
  externalInit: 6,
  groupContextExtensions: 7,
} as const;
export const CredentialType = { basic: 1, x509: 2 } as const;
export const LeafNodeSource = { keyPackage: 1, update: 2, commit: 3 } as const;

export interface Credential {
  type: number;
  /** Basic credentials: the identity bytes (DAVE: the user id as u64 big-endian). */
  identity: Buffer | undefined;
}

export interface LeafNode {
  encryptionKey: Buffer;
  /** For ciphersuite 2 an uncompressed P-256 point (65 bytes). */
  signatureKey: Buffer;
  credential: Credential;
  source: number;
  lifetime: { notBefore: bigint; notAfter: bigint } | undefined;
}

export interface KeyPackage {
  /** The whole encoded KeyPackage (what an Add proposal embeds and KeyPackageRef hashes). */
  bytes: Buffer;
  version: number;
  cipherSuite: number;
  leafNode: LeafNode;
  /** KeyPackageTBS: everything before the signature. */
  tbs: Buffer;
  signature: Buffer;
}

/** One entry of a commit's proposal list. */
export type ProposalOrRef = { kind: 'reference'; ref: Buffer } | { kind: 'inline'; type: number };

/** What the gateway needs from a commit. */
export interface ParsedCommit {
  /** The MLSMessage bytes, exactly as received (what op 29 forwards). */
  message: Buffer;
  groupId: Buffer;
  epoch: bigint;
  senderType: number;
  /** Leaf index of a member sender. */
  senderIndex: number | undefined;
  contentType: number;
  proposals: ProposalOrRef[];
  /** The committer's new leaf node when the commit has an UpdatePath. */
  pathLeafNode: LeafNode | undefined;
}

export interface WelcomeSecret {
  /** KeyPackageRef of the member this entry is for. */
  newMember: Buffer;
  /** The whole encoded EncryptedGroupSecrets entry. */
  bytes: Buffer;
}

export interface ParsedWelcome {
  cipherSuite: number;
  secrets: WelcomeSecret[];
  encryptedGroupInfo: Buffer;
}

// ---- reading --------------------------------------------------------------------------------------

function readCredential(reader: TlsReader): Credential {
  const type = reader.u16('credential_type');
  if (type === CredentialType.basic) return { type, identity: Buffer.from(reader.vector('identity')) };
  if (type === CredentialType.x509) {
    reader.vector('certificates');
    return { type, identity: undefined };
  }
  throw new TlsDecodeError(`credential type ${type} is not basic or x509`);
}

function skipCapabilities(reader: TlsReader): void {
  for (const field of ['versions', 'cipher_suites', 'extensions', 'proposals', 'credentials'])
    reader.vector(`capabilities.${field}`);
}

/** Reads a LeafNode (RFC 9420 §7.2), signature included. */
export function readLeafNode(reader: TlsReader): LeafNode {
  const encryptionKey = Buffer.from(reader.vector('encryption_key'));
  const signatureKey = Buffer.from(reader.vector('signature_key'));
  const credential = readCredential(reader);
  skipCapabilities(reader);
  const source = reader.u8('leaf_node_source');
  let lifetime: LeafNode['lifetime'];
  if (source === LeafNodeSource.keyPackage)
    lifetime = { notBefore: reader.u64('not_before'), notAfter: reader.u64('not_after') };
  else if (source === LeafNodeSource.commit) reader.vector('parent_hash');
  else if (source !== LeafNodeSource.update) throw new TlsDecodeError(`leaf_node_source ${source} is not 1, 2 or 3`);
  reader.vector('leaf extensions');
  reader.vector('leaf signature');
  return { encryptionKey, signatureKey, credential, source, lifetime };
}

/** Reads a KeyPackage (RFC 9420 §10). */
export function readKeyPackage(reader: TlsReader): KeyPackage {
  const start = reader.offset;
  const version = reader.u16('key package version');
  const cipherSuite = reader.u16('cipher_suite');
  reader.vector('init_key');
  const leafNode = readLeafNode(reader);
  reader.vector('key package extensions');
  const tbs = Buffer.from(reader.since(start));
  const signature = Buffer.from(reader.vector('key package signature'));
  return { bytes: Buffer.from(reader.since(start)), version, cipherSuite, leafNode, tbs, signature };
}

/**
 * The key package of an op 26 payload: a bare KeyPackage (what davey 0.1.12 sends) or one wrapped in an
 * MLSMessage (version 1, wire_format 5), as the protocol text describes. Both start with version 1; the
 * next u16 is the cipher suite (2) in the first case and the wire format (5) in the second.
 */
export function parseKeyPackageMessage(payload: Buffer): KeyPackage {
  const reader = new TlsReader(payload);
  if (
    payload.length >= 4 &&
    payload.readUInt16BE(0) === MLS_VERSION_10 &&
    payload.readUInt16BE(2) === WireFormat.keyPackage
  )
    reader.fixed(4, 'MLSMessage header');
  const keyPackage = readKeyPackage(reader);
  reader.end('key package message');
  return keyPackage;
}

function skipProposal(reader: TlsReader): number {
  const type = reader.u16('proposal type');
  switch (type) {
    case ProposalType.add:
      readKeyPackage(reader);
      break;
    case ProposalType.update:
      readLeafNode(reader);
      break;
    case ProposalType.remove:
      reader.u32('removed');
      break;
    case ProposalType.psk: {
      const pskType = reader.u8('psktype');
      if (pskType === 1) reader.vector('psk_id');
      else if (pskType === 2) {
        reader.u8('usage');
        reader.vector('psk_group_id');
        reader.u64('psk_epoch');
      } else throw new TlsDecodeError(`psktype ${pskType}`);
      reader.vector('psk_nonce');
      break;
    }
    case ProposalType.reinit:
      reader.vector('reinit group_id');
      reader.u16('reinit version');
      reader.u16('reinit cipher_suite');
      reader.vector('reinit extensions');
      break;
    case ProposalType.externalInit:
      reader.vector('kem_output');
      break;
    case ProposalType.groupContextExtensions:
      reader.vector('extensions');
      break;
    default:
      throw new TlsDecodeError(`proposal type ${type} cannot be walked`);
  }
  return type;
}

function readSender(reader: TlsReader): { senderType: number; senderIndex: number | undefined } {
  const senderType = reader.u8('sender_type');
  if (senderType === SenderType.member || senderType === SenderType.external)
    return { senderType, senderIndex: reader.u32('sender index') };
  if (senderType === SenderType.newMemberCommit || senderType === SenderType.newMemberProposal)
    return { senderType, senderIndex: undefined };
  throw new TlsDecodeError(`sender_type ${senderType}`);
}

/**
 * Reads an MLSMessage holding a PublicMessage commit (op 28) and returns it with whatever follows it
 * (op 28 appends a bare Welcome when the commit adds members). Walks FramedContent, the Commit's
 * proposal list and optional UpdatePath, FramedContentAuthData (signature, confirmation tag) and the
 * membership tag of a member sender, since nothing in the message says where it ends.
 */
export function parseCommitMessage(payload: Buffer): { commit: ParsedCommit; rest: Buffer } {
  const reader = new TlsReader(payload);
  const version = reader.u16('version');
  if (version !== MLS_VERSION_10) throw new TlsDecodeError(`MLS version ${version}, expected 1`);
  const wireFormat = reader.u16('wire_format');
  if (wireFormat !== WireFormat.public)
    throw new TlsDecodeError(`wire format ${wireFormat}, expected 1 (public message)`);
  const groupId = Buffer.from(reader.vector('group_id'));
  const epoch = reader.u64('epoch');
  const { senderType, senderIndex } = readSender(reader);
  reader.vector('authenticated_data');
  const contentType = reader.u8('content_type');
  if (contentType !== ContentType.commit) throw new TlsDecodeError(`content type ${contentType}, expected 3 (commit)`);
  const proposals = reader.vectorOf<ProposalOrRef>('proposals', (item) => {
    const kind = item.u8('ProposalOrRef type');
    if (kind === 1) return { kind: 'inline', type: skipProposal(item) };
    if (kind === 2) return { kind: 'reference', ref: Buffer.from(item.vector('proposal ref')) };
    throw new TlsDecodeError(`ProposalOrRef type ${kind}`);
  });
  const hasPath = reader.u8('optional<UpdatePath>');
  let pathLeafNode: LeafNode | undefined;
  if (hasPath === 1) {
    pathLeafNode = readLeafNode(reader);
    reader.vector('UpdatePath nodes');
  } else if (hasPath !== 0) throw new TlsDecodeError(`optional presence byte ${hasPath}`);
  reader.vector('signature');
  reader.vector('confirmation_tag');
  if (senderType === SenderType.member) reader.vector('membership_tag');
  const message = Buffer.from(reader.since(0));
  return {
    commit: { message, groupId, epoch, senderType, senderIndex, contentType, proposals, pathLeafNode },
    rest: Buffer.from(payload.subarray(reader.offset)),
  };
}

/**
 * The proposal MLSMessages of an op 27 append payload (after its operation byte): each a PublicMessage
 * proposal, walked to its end. Returns each message with its type and ProposalRef.
 */
export function splitProposalMessages(payload: Buffer): { message: Buffer; type: number; ref: Buffer }[] {
  return new TlsReader(payload).vectorOf('proposal_messages', (reader) => {
    const start = reader.offset;
    if (reader.u16('version') !== MLS_VERSION_10 || reader.u16('wire_format') !== WireFormat.public)
      throw new TlsDecodeError('proposal is not an MLS 1.0 public message');
    reader.vector('group_id');
    reader.u64('epoch');
    const { senderType } = readSender(reader);
    reader.vector('authenticated_data');
    if (reader.u8('content_type') !== ContentType.proposal) throw new TlsDecodeError('content is not a proposal');
    const type = skipProposal(reader);
    reader.vector('signature');
    if (senderType === SenderType.member) reader.vector('membership_tag');
    const message = Buffer.from(reader.since(start));
    return { message, type, ref: proposalRef(message) };
  });
}

/** Reads a Welcome: bare (what davey sends after a commit) or in an MLSMessage (wire format 3). */
export function parseWelcome(bytes: Buffer): ParsedWelcome {
  const reader = new TlsReader(bytes);
  if (bytes.length >= 4 && bytes.readUInt16BE(0) === MLS_VERSION_10 && bytes.readUInt16BE(2) === WireFormat.welcome)
    reader.fixed(4, 'MLSMessage header');
  const cipherSuite = reader.u16('welcome cipher_suite');
  const secrets = reader.vectorOf<WelcomeSecret>('secrets', (item) => {
    const start = item.offset;
    const newMember = Buffer.from(item.vector('new_member'));
    item.vector('kem_output');
    item.vector('ciphertext');
    return { newMember, bytes: Buffer.from(item.since(start)) };
  });
  const encryptedGroupInfo = Buffer.from(reader.vector('encrypted_group_info'));
  reader.end('welcome');
  return { cipherSuite, secrets, encryptedGroupInfo };
}

/** A bare Welcome carrying only the group secrets for `newMember` (what op 30 gives each joiner). */
export function welcomeFor(welcome: ParsedWelcome, newMember: Buffer): Buffer | undefined {
  const secret = welcome.secrets.find((s) => s.newMember.equals(newMember));
  if (!secret) return undefined;
  return Buffer.concat([u16(welcome.cipherSuite), vector(secret.bytes), vector(welcome.encryptedGroupInfo)]);
}

// ---- hashing and references -------------------------------------------------------------------------

/** RefHash(label, value) = SHA-256 of struct { opaque label<V>; opaque value<V>; } (RFC 9420 §5.2). */
export function refHash(label: string, value: Buffer): Buffer {
  return crypto
    .createHash('sha256')
    .update(vector(Buffer.from(label, 'utf8')))
    .update(vector(value))
    .digest();
}

/** KeyPackageRef: which entry of a Welcome is for whom. */
export function keyPackageRef(keyPackage: KeyPackage): Buffer {
  return refHash('MLS 1.0 KeyPackage Reference', keyPackage.bytes);
}

/**
 * ProposalRef of a proposal sent as a PublicMessage: RefHash over the AuthenticatedContent
 * (wire_format, FramedContent, FramedContentAuthData), i.e. the MLSMessage minus its version field.
 * Only true when nothing follows the auth data, which holds for external senders (no membership tag).
 */
export function proposalRef(proposalMessage: Buffer): Buffer {
  return refHash('MLS 1.0 Proposal Reference', proposalMessage.subarray(2));
}

/** SignContent of SignWithLabel / VerifyWithLabel (RFC 9420 §5.1.2). */
export function signContent(label: string, content: Buffer): Buffer {
  return Buffer.concat([vector(Buffer.from(`MLS 1.0 ${label}`, 'utf8')), vector(content)]);
}

/** A P-256 public key from its uncompressed point (0x04 || x || y). */
export function p256PublicKey(point: Buffer): crypto.KeyObject {
  if (point.length !== 65 || point[0] !== 0x04)
    throw new TlsDecodeError(`signature key is not an uncompressed P-256 point (${point.length} bytes)`);
  return crypto.createPublicKey({
    format: 'jwk',
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
  });
}

/** VerifyWithLabel with ECDSA P-256 / SHA-256 and a DER signature, as openmls produces. */
export function verifyWithLabel(point: Buffer, label: string, content: Buffer, signature: Buffer): boolean {
  try {
    return crypto.verify(
      'sha256',
      signContent(label, content),
      { key: p256PublicKey(point), dsaEncoding: 'der' },
      signature,
    );
  } catch {
    return false;
  }
}

// ---- writing ------------------------------------------------------------------------------------------

/** Proposal { u16 add; KeyPackage }. */
export function addProposal(keyPackage: KeyPackage): Buffer {
  return Buffer.concat([u16(ProposalType.add), keyPackage.bytes]);
}

/** Proposal { u16 remove; u32 removed }. */
export function removeProposal(leafIndex: number): Buffer {
  return Buffer.concat([u16(ProposalType.remove), u32(leafIndex)]);
}

/** FramedContent of a proposal from external sender `senderIndex`, with empty authenticated data. */
export function externalProposalContent(groupId: Buffer, epoch: bigint, proposal: Buffer, senderIndex = 0): Buffer {
  return Buffer.concat([
    vector(groupId),
    u64(epoch),
    u8(SenderType.external),
    u32(senderIndex),
    vector(),
    u8(ContentType.proposal),
    proposal,
  ]);
}

/** FramedContentTBS for an external sender: version, wire format (public), content; no group context. */
export function framedContentTbs(content: Buffer): Buffer {
  return Buffer.concat([u16(MLS_VERSION_10), u16(WireFormat.public), content]);
}

/** MLSMessage { version 1, wire_format public, PublicMessage { content, auth { signature } } } (no membership tag: external sender). */
export function externalProposalMessage(content: Buffer, signature: Buffer): Buffer {
  return Buffer.concat([u16(MLS_VERSION_10), u16(WireFormat.public), content, vector(signature)]);
}

/** A channel id as the 8-byte big-endian MLS group id. */
export function groupIdOf(channelId: string): Buffer {
  return u64(BigInt(channelId));
}

/** The user id of a basic credential (u64 big-endian identity), or undefined. */
export function userIdOf(credential: Credential): string | undefined {
  return credential.type === CredentialType.basic && credential.identity?.length === 8
    ? credential.identity.readBigUInt64BE(0).toString()
    : undefined;
}
