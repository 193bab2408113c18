import crypto from 'node:crypto';

/** Discord's Opus payload type. */
export const OPUS_PAYLOAD_TYPE = 120;
/** The Opus frame Discord clients send when they stop talking. */
export const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);
/** The only transport encryption the stand-in speaks (Node's AES-256-GCM; needs no native module). */
export const ENCRYPTION_MODE = 'aead_aes256_gcm_rtpsize';
const TAG_BYTES = 16;
const NONCE_BYTES = 4;

/** Fields of one RTP packet. */
export interface RtpFields {
  sequence: number;
  timestamp: number;
  ssrc: number;
}

/** A decrypted RTP packet: header fields and the Opus payload. */
export interface DecryptedRtp extends RtpFields {
  opus: Buffer;
  /** The 32-bit nonce counter the sender used (must increase per sender). */
  nonce: number;
}

/**
 * Encrypts one Opus frame the way Discord's voice servers send audio to a bot in
 * `aead_aes256_gcm_rtpsize`: a 12-byte RTP header with the X bit, a 4-byte extension header (0xBEDE,
 * length 1) as additional data, then the encrypted extension body (one RFC 6464 audio-level element)
 * and Opus frame, the 16-byte tag, and the 4-byte nonce counter (also the first 4 bytes of the 12-byte
 * GCM nonce). Bots must skip the decrypted extension body: @discordjs/voice does, and so must any
 * hand-written receiver under test.
 */
export function encryptForBot(opus: Buffer, fields: RtpFields, nonce: number, secretKey: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header[0] = 0x90; // version 2, extension bit
  header[1] = OPUS_PAYLOAD_TYPE;
  header.writeUInt16BE(fields.sequence & 0xffff, 2);
  header.writeUInt32BE(fields.timestamp >>> 0, 4);
  header.writeUInt32BE(fields.ssrc >>> 0, 8);
  header.writeUInt16BE(0xbede, 12);
  header.writeUInt16BE(1, 14); // one 32-bit word of extension body
  // ID 1 (audio level), length 0 (=1 byte), level 0x7f | voice bit; then padding.
  const extensionBody = Buffer.from([0x10, 0xff, 0x00, 0x00]);
  const nonceBytes = Buffer.alloc(NONCE_BYTES);
  nonceBytes.writeUInt32BE(nonce >>> 0, 0);
  const iv = Buffer.concat([nonceBytes, Buffer.alloc(8)]);
  const cipher = crypto.createCipheriv('aes-256-gcm', secretKey, iv);
  cipher.setAAD(header);
  const encrypted = Buffer.concat([cipher.update(Buffer.concat([extensionBody, opus])), cipher.final()]);
  return Buffer.concat([header, encrypted, cipher.getAuthTag(), nonceBytes]);
}

/**
 * Decrypts a packet a bot sent (`aead_aes256_gcm_rtpsize`): the unencrypted header (12 bytes, CSRCs,
 * and the 4-byte extension header if X is set) is the additional data; an encrypted extension body is
 * stripped. Returns an Error (not thrown) for anything malformed or failing authentication.
 */
export function decryptFromBot(packet: Buffer, secretKey: Buffer): DecryptedRtp | Error {
  if (packet.length < 12 + TAG_BYTES + NONCE_BYTES) return new Error(`RTP packet too short (${packet.length} bytes)`);
  const first = packet[0] ?? 0;
  if (first >> 6 !== 2) return new Error(`RTP version ${first >> 6}, expected 2`);
  if (((packet[1] ?? 0) & 0x7f) !== OPUS_PAYLOAD_TYPE) return new Error(`RTP payload type ${(packet[1] ?? 0) & 0x7f}, expected ${OPUS_PAYLOAD_TYPE}`);
  const hasExtension = (first & 0x10) !== 0;
  let headerBytes = 12 + 4 * (first & 0x0f);
  if (hasExtension) headerBytes += 4;
  if (packet.length < headerBytes + TAG_BYTES + NONCE_BYTES) return new Error('RTP packet shorter than its header');
  const header = packet.subarray(0, headerBytes);
  const nonceBytes = packet.subarray(packet.length - NONCE_BYTES);
  const tag = packet.subarray(packet.length - NONCE_BYTES - TAG_BYTES, packet.length - NONCE_BYTES);
  const encrypted = packet.subarray(headerBytes, packet.length - NONCE_BYTES - TAG_BYTES);
  let plain: Buffer;
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', secretKey, Buffer.concat([nonceBytes, Buffer.alloc(8)]));
    decipher.setAAD(header);
    decipher.setAuthTag(tag);
    plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  } catch (error) {
    return new Error(`RTP decryption failed: ${(error as Error).message}`);
  }
  if (hasExtension) plain = plain.subarray(4 * header.readUInt16BE(headerBytes - 2));
  return {
    sequence: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    nonce: nonceBytes.readUInt32BE(0),
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
