import crypto from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

/** Discord's Opus payload type. */
export const OPUS_PAYLOAD_TYPE = 120;
/** The Opus frame Discord clients send when they stop talking. */
export const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);
export const AES_GCM_MODE = 'aead_aes256_gcm_rtpsize';
export const XCHACHA_MODE = 'aead_xchacha20_poly1305_rtpsize';
/** The transport encryption modes the stand-in can speak, in its default order of preference. */
export const ENCRYPTION_MODES = [AES_GCM_MODE, XCHACHA_MODE] as const;
export type EncryptionMode = (typeof ENCRYPTION_MODES)[number];
/** The default (first offered) mode. */
export const ENCRYPTION_MODE = AES_GCM_MODE;
const TAG_BYTES = 16;
const NONCE_BYTES = 4;

/** Whether the stand-in can encrypt and decrypt in `mode`. */
export function isEncryptionMode(mode: unknown): mode is EncryptionMode {
  return (ENCRYPTION_MODES as readonly unknown[]).includes(mode);
}

/** Fields of one RTP packet. */
export interface RtpFields {
  sequence: number;
  timestamp: number;
  ssrc: number;
}

/** Extras for a packet to the bot, to exercise a receiver's RFC 3550 handling. */
export interface RtpExtras {
  /** Padding bytes (1-255) at the end of the encrypted payload, P bit set; the last byte holds the count. */
  padding?: number;
  /** Contributing sources: CC in the first byte, the list after the fixed header (unencrypted, part of the AAD). */
  csrcs?: readonly number[];
}

/** A decrypted RTP packet: header fields and the payload. */
export interface DecryptedRtp extends RtpFields {
  opus: Buffer;
  /** The 32-bit nonce counter the sender used (must increase per sender). */
  nonce: number;
  csrcs: number[];
  /** Padding bytes removed (0 without the P bit). */
  padding: number;
}

/** Both rtpsize AEADs: the 4-byte counter starts the nonce (12 bytes for AES-GCM, 24 for XChaCha20), the rest is zero. */
function seal(mode: EncryptionMode, key: Buffer, counter: Buffer, aad: Buffer, plaintext: Buffer): Buffer {
  if (mode === XCHACHA_MODE)
    return Buffer.from(xchacha20poly1305(key, Buffer.concat([counter, Buffer.alloc(20)]), aad).encrypt(plaintext));
  const cipher = crypto.createCipheriv('aes-256-gcm', key, Buffer.concat([counter, Buffer.alloc(8)]));
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function open(mode: EncryptionMode, key: Buffer, counter: Buffer, aad: Buffer, sealed: Buffer): Buffer {
  if (mode === XCHACHA_MODE)
    return Buffer.from(xchacha20poly1305(key, Buffer.concat([counter, Buffer.alloc(20)]), aad).decrypt(sealed));
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.concat([counter, Buffer.alloc(8)]));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
}

/**
 * Encrypts one payload the way Discord's voice servers send audio to a bot in the rtpsize modes: a
 * 12-byte RTP header with the X bit (plus CSRCs if any), a 4-byte extension header (0xBEDE, length 1)
 * as additional data, then the encrypted extension body (one RFC 6464 audio-level element), the
 * payload and any padding, the 16-byte tag, and the 4-byte nonce counter. Bots must skip the
 * decrypted extension body and padding: @discordjs/voice does, and so must a hand-written receiver.
 */
export function encryptForBot(
  payload: Buffer,
  fields: RtpFields,
  nonce: number,
  secretKey: Buffer,
  mode: EncryptionMode = AES_GCM_MODE,
  extras: RtpExtras = {},
): Buffer {
  const csrcs = extras.csrcs ?? [];
  if (csrcs.length > 15) throw new RangeError('RTP carries at most 15 CSRCs');
  const padding = extras.padding ?? 0;
  if (!Number.isInteger(padding) || padding < 0 || padding > 255)
    throw new RangeError(`RTP padding ${padding} is not 0-255 bytes`);
  const header = Buffer.alloc(12 + 4 * csrcs.length + 4);
  header[0] = 0x80 | (padding > 0 ? 0x20 : 0) | 0x10 | csrcs.length; // version 2, padding, extension, CC
  header[1] = OPUS_PAYLOAD_TYPE;
  header.writeUInt16BE(fields.sequence & 0xffff, 2);
  header.writeUInt32BE(fields.timestamp >>> 0, 4);
  header.writeUInt32BE(fields.ssrc >>> 0, 8);
  csrcs.forEach((csrc, i) => header.writeUInt32BE(csrc >>> 0, 12 + 4 * i));
  const extensionAt = 12 + 4 * csrcs.length;
  header.writeUInt16BE(0xbede, extensionAt);
  header.writeUInt16BE(1, extensionAt + 2); // one 32-bit word of extension body
  // ID 1 (audio level), length 0 (=1 byte), level 0x7f | voice bit; then padding.
  const extensionBody = Buffer.from([0x10, 0xff, 0x00, 0x00]);
  const paddingBytes = Buffer.alloc(padding);
  if (padding > 0) paddingBytes[padding - 1] = padding;
  const counter = Buffer.alloc(NONCE_BYTES);
  counter.writeUInt32BE(nonce >>> 0, 0);
  return Buffer.concat([
    header,
    seal(mode, secretKey, counter, header, Buffer.concat([extensionBody, payload, paddingBytes])),
    counter,
  ]);
}

/**
 * Decrypts a packet a bot sent (either rtpsize mode) per RFC 3550: the unencrypted header (12 bytes,
 * CSRCs, and the 4-byte extension header if X is set) is the additional data; an encrypted extension
 * body and padding are stripped. Returns an Error (not thrown) for anything malformed or failing
 * authentication.
 */
export function decryptFromBot(
  packet: Buffer,
  secretKey: Buffer,
  mode: EncryptionMode = AES_GCM_MODE,
): DecryptedRtp | Error {
  if (packet.length < 12 + TAG_BYTES + NONCE_BYTES) return new Error(`RTP packet too short (${packet.length} bytes)`);
  const first = packet[0] ?? 0;
  if (first >> 6 !== 2) return new Error(`RTP version ${first >> 6}, expected 2`);
  if (((packet[1] ?? 0) & 0x7f) !== OPUS_PAYLOAD_TYPE)
    return new Error(`RTP payload type ${(packet[1] ?? 0) & 0x7f}, expected ${OPUS_PAYLOAD_TYPE}`);
  const hasExtension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  let headerBytes = 12 + 4 * csrcCount;
  if (hasExtension) headerBytes += 4;
  if (packet.length < headerBytes + TAG_BYTES + NONCE_BYTES) return new Error('RTP packet shorter than its header');
  const header = packet.subarray(0, headerBytes);
  const counter = packet.subarray(packet.length - NONCE_BYTES);
  let plain: Buffer;
  try {
    plain = open(mode, secretKey, counter, header, packet.subarray(headerBytes, packet.length - NONCE_BYTES));
  } catch (error) {
    return new Error(`RTP decryption failed: ${(error as Error).message}`);
  }
  let padding = 0;
  if (first & 0x20) {
    padding = plain[plain.length - 1] ?? 0;
    if (padding === 0 || padding > plain.length)
      return new Error(`RTP padding count ${padding} does not fit a ${plain.length}-byte payload`);
    plain = plain.subarray(0, plain.length - padding);
  }
  if (hasExtension) plain = plain.subarray(4 * header.readUInt16BE(headerBytes - 2));
  return {
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    nonce: counter.readUInt32BE(0),
    csrcs: Array.from({ length: csrcCount }, (_, i) => packet.readUInt32BE(12 + 4 * i)),
    padding,
    opus: Buffer.from(plain),
  };
}

/** Whether a UDP datagram is an IP discovery request (type 1, length 70, 74 bytes). */
export function isDiscoveryRequest(message: Buffer): boolean {
  return message.length === 74 && message.readUInt16BE(0) === 1 && message.readUInt16BE(2) === 70;
}

/** The IP discovery answer: type 2, length 70, ssrc, the address NUL-terminated from byte 8, port in the last 2 bytes. */
export function discoveryResponse(ssrc: number, address: string, port: number): Buffer {
  const response = Buffer.alloc(74);
  response.writeUInt16BE(2, 0);
  response.writeUInt16BE(70, 2);
  response.writeUInt32BE(ssrc >>> 0, 4);
  response.write(address, 8, 'utf8');
  response.writeUInt16BE(port, 72);
  return response;
}

/** A random non-zero 32-bit SSRC. */
export function randomSsrc(): number {
  return (crypto.randomBytes(4).readUInt32BE(0) || 1) >>> 0;
}

/** Whether a frame ends with DAVE's magic marker (0xFAFA) after a plausible supplemental-data size. */
export function looksDaveEncrypted(frame: Buffer): boolean {
  if (frame.length < 12 || frame[frame.length - 1] !== 0xfa || frame[frame.length - 2] !== 0xfa) return false;
  const supplemental = frame[frame.length - 3] ?? 0;
  return supplemental >= 12 && supplemental <= frame.length;
}
