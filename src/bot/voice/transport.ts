/**
 * Transport decryption of received voice packets, in both modes Discord offers. AES-256-GCM comes
 * from node:crypto; XChaCha20-Poly1305 from @noble/ciphers (audited, pure JS), never hand-written.
 */
import crypto from 'node:crypto';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { AUTH_TAG_BYTES, NONCE_COUNTER_BYTES, type RtpHeader } from './rtp';

export const AES_GCM_MODE = 'aead_aes256_gcm_rtpsize';
export const XCHACHA_MODE = 'aead_xchacha20_poly1305_rtpsize';
export type TransportMode = typeof AES_GCM_MODE | typeof XCHACHA_MODE;

export function isTransportMode(mode: unknown): mode is TransportMode {
  return mode === AES_GCM_MODE || mode === XCHACHA_MODE;
}

/** Decrypts packets of one voice session (one key, one mode). */
export interface TransportDecryptor {
  readonly mode: TransportMode;
  /** The packet's plaintext (extension body + payload + padding), or null if it fails authentication. */
  decrypt(packet: Buffer, header: RtpHeader): Buffer | null;
}

/**
 * A decryptor for `mode` with the session's 32-byte key. The nonce is the packet's trailing 4-byte
 * counter, zero-extended to the mode's nonce size (12 bytes for AES-GCM, 24 for XChaCha20).
 */
export function createTransportDecryptor(mode: TransportMode, secretKey: Uint8Array): TransportDecryptor {
  const key = Buffer.from(secretKey);
  if (key.length !== 32) throw new RangeError(`voice secret key has ${key.length} bytes, expected 32`);
  if (mode === AES_GCM_MODE) {
    const nonce = Buffer.alloc(12);
    return {
      mode,
      decrypt(packet, header) {
        const tagAt = packet.length - NONCE_COUNTER_BYTES - AUTH_TAG_BYTES;
        packet.copy(nonce, 0, packet.length - NONCE_COUNTER_BYTES);
        try {
          const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonce);
          decipher.setAAD(packet.subarray(0, header.headerBytes));
          decipher.setAuthTag(packet.subarray(tagAt, tagAt + AUTH_TAG_BYTES));
          const body = decipher.update(packet.subarray(header.headerBytes, tagAt));
          const rest = decipher.final();
          return rest.length === 0 ? body : Buffer.concat([body, rest]);
        } catch {
          return null;
        }
      },
    };
  }
  const nonce = new Uint8Array(24);
  return {
    mode,
    decrypt(packet, header) {
      nonce.set(packet.subarray(packet.length - NONCE_COUNTER_BYTES), 0);
      try {
        const cipher = xchacha20poly1305(key, nonce, packet.subarray(0, header.headerBytes));
        const plain = cipher.decrypt(packet.subarray(header.headerBytes, packet.length - NONCE_COUNTER_BYTES));
        return Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
      } catch {
        return null;
      }
    },
  };
}
