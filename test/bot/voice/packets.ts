import crypto from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { AES_GCM_MODE, type TransportMode } from '../../../src/bot/voice/transport';

/** How to build one received packet (what a Discord voice server could send). */
export interface PacketSpec {
  payload: Buffer;
  sequence?: number;
  timestamp?: number;
  ssrc?: number;
  nonce?: number;
  csrcs?: number[];
  /** Words of header-extension body (encrypted, as Discord sends); 0 = no extension. */
  extensionWords?: number;
  /** RTP padding bytes after the payload (P bit set; the last byte holds the count). */
  padding?: number;
  payloadType?: number;
}

/**
 * Encrypts a packet in Discord's `*_rtpsize` layout, written from RFC 3550 and the wire notes
 * independently of the code under test: clear header (+CSRCs, + extension header) as AAD, then
 * the encrypted extension body + payload + padding, the 16-byte tag, the 4-byte nonce counter.
 */
export function buildPacket(spec: PacketSpec, key: Buffer, mode: TransportMode = AES_GCM_MODE): Buffer {
  const csrcs = spec.csrcs ?? [];
  const extWords = spec.extensionWords ?? 0;
  const header = Buffer.alloc(12 + 4 * csrcs.length + (extWords > 0 ? 4 : 0));
  header[0] = 0x80 | (spec.padding ? 0x20 : 0) | (extWords > 0 ? 0x10 : 0) | csrcs.length;
  header[1] = spec.payloadType ?? 120;
  header.writeUInt16BE((spec.sequence ?? 1) & 0xffff, 2);
  header.writeUInt32BE((spec.timestamp ?? 960) >>> 0, 4);
  header.writeUInt32BE((spec.ssrc ?? 1234) >>> 0, 8);
  csrcs.forEach((c, i) => header.writeUInt32BE(c >>> 0, 12 + 4 * i));
  if (extWords > 0) {
    header.writeUInt16BE(0xbede, 12 + 4 * csrcs.length);
    header.writeUInt16BE(extWords, 14 + 4 * csrcs.length);
  }
  const extBody = Buffer.alloc(4 * extWords, 0x10);
  const pad = spec.padding ? Buffer.alloc(spec.padding, 0) : Buffer.alloc(0);
  if (spec.padding) pad[pad.length - 1] = spec.padding;
  const plain = Buffer.concat([extBody, spec.payload, pad]);
  const counter = Buffer.alloc(4);
  counter.writeUInt32BE((spec.nonce ?? 1) >>> 0, 0);
  if (mode === AES_GCM_MODE) {
    const cipher = crypto.createCipheriv('aes-256-gcm', key, Buffer.concat([counter, Buffer.alloc(8)]));
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([header, body, cipher.getAuthTag(), counter]);
  }
  const sealed = xchacha20poly1305(key, Buffer.concat([counter, Buffer.alloc(20)]), header).encrypt(plain);
  return Buffer.concat([header, Buffer.from(sealed), counter]);
}
