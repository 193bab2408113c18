import crypto from 'node:crypto';
import {
  CredentialType,
  addProposal,
  externalProposalContent,
  externalProposalMessage,
  framedContentTbs,
  proposalRef,
  removeProposal,
  signContent,
  type KeyPackage,
} from './mls';
import { u16, vector } from './tls';

/** A signed proposal ready for op 27, with its reference (what commits cite). */
export interface SignedProposal {
  message: Buffer;
  ref: Buffer;
}

/**
 * The voice gateway's MLS identity: a P-256 key from node:crypto and a basic credential. It signs the
 * external Add and Remove proposals (SignWithLabel "FramedContentTBS", ECDSA-SHA256, DER signature,
 * as openmls verifies) and is announced to clients in op 25.
 */
export class ExternalSender {
  private readonly privateKey: crypto.KeyObject;
  /** Uncompressed P-256 point, the SignaturePublicKey of op 25. */
  readonly publicKey: Buffer;

  constructor(readonly identity: Buffer = Buffer.from('discord-standin voice gateway', 'utf8')) {
    const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = pair.privateKey;
    const jwk = pair.publicKey.export({ format: 'jwk' });
    this.publicKey = Buffer.concat([
      Buffer.from([0x04]),
      Buffer.from(String(jwk.x), 'base64url'),
      Buffer.from(String(jwk.y), 'base64url'),
    ]);
  }

  /** ExternalSender { SignaturePublicKey signature_key<V>; Credential { u16 basic; identity<V> } }: op 25's payload. */
  packageBytes(): Buffer {
    return Buffer.concat([vector(this.publicKey), u16(CredentialType.basic), vector(this.identity)]);
  }

  /** SignWithLabel(key, label, content). */
  signWithLabel(label: string, content: Buffer): Buffer {
    return crypto.sign('sha256', signContent(label, content), { key: this.privateKey, dsaEncoding: 'der' });
  }

  /** An external Add proposal embedding `keyPackage`, for `epoch` of the group. */
  add(groupId: Buffer, epoch: bigint, keyPackage: KeyPackage): SignedProposal {
    return this.propose(groupId, epoch, addProposal(keyPackage));
  }

  /** An external Remove proposal for a leaf index. */
  remove(groupId: Buffer, epoch: bigint, leafIndex: number): SignedProposal {
    return this.propose(groupId, epoch, removeProposal(leafIndex));
  }

  private propose(groupId: Buffer, epoch: bigint, proposal: Buffer): SignedProposal {
    const content = externalProposalContent(groupId, epoch, proposal);
    const message = externalProposalMessage(content, this.signWithLabel('FramedContentTBS', framedContentTbs(content)));
    return { message, ref: proposalRef(message) };
  }
}
