/**
 * RTP as Discord's voice servers send it to a bot in the `*_rtpsize` transport modes (RFC 3550 plus
 * Discord's layout): the fixed 12-byte header, `CC` CSRCs and, when X is set, the 4-byte extension
 * header travel in the clear and are the AEAD's additional data; the extension body, the payload and
 * any padding are encrypted; the 16-byte tag and a 4-byte nonce counter end the packet.
 */

/** Discord's Opus payload type. */
export const OPUS_PAYLOAD_TYPE = 120;
export const AUTH_TAG_BYTES = 16;
export const NONCE_COUNTER_BYTES = 4;
/** The Opus frame a Discord client sends when it stops talking (five of them, then nothing). */
export const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);

/** The clear part of one received packet. */
export interface RtpHeader {
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** P: the decrypted payload ends with padding whose last byte is its length. */
  padding: boolean;
  /** Bytes of clear header (the AEAD additional data): 12 + 4·CC (+ 4 with an extension). */
  headerBytes: number;
  /** Bytes of encrypted extension body at the start of the plaintext (4 · the header's length field). */
  extensionBodyBytes: number;
}

/** Why a datagram is not a packet we can use. */
export type RtpRejection = 'short' | 'not_rtp' | 'not_opus';

/** Reads the clear header of a received audio packet, or says why it is not one. */
export function parseRtpHeader(packet: Uint8Array): RtpHeader | RtpRejection {
  if (packet.length < 12 + AUTH_TAG_BYTES + NONCE_COUNTER_BYTES) return 'short';
  const first = packet[0]!;
  if (first >> 6 !== 2) return 'not_rtp';
  if ((packet[1]! & 0x7f) !== OPUS_PAYLOAD_TYPE) return 'not_opus';
  const csrcCount = first & 0x0f;
  const hasExtension = (first & 0x10) !== 0;
  let headerBytes = 12 + 4 * csrcCount;
  let extensionBodyBytes = 0;
  if (hasExtension) {
    if (packet.length < headerBytes + 4) return 'short';
    extensionBodyBytes = 4 * ((packet[headerBytes + 2]! << 8) | packet[headerBytes + 3]!);
    headerBytes += 4;
  }
  if (packet.length < headerBytes + AUTH_TAG_BYTES + NONCE_COUNTER_BYTES) return 'short';
  return {
    sequence: (packet[2]! << 8) | packet[3]!,
    timestamp: ((packet[4]! << 24) | (packet[5]! << 16) | (packet[6]! << 8) | packet[7]!) >>> 0,
    ssrc: ((packet[8]! << 24) | (packet[9]! << 16) | (packet[10]! << 8) | packet[11]!) >>> 0,
    padding: (first & 0x20) !== 0,
    headerBytes,
    extensionBodyBytes,
  };
}

/**
 * The media payload inside a decrypted packet body: the extension body skipped, padding removed.
 * `null` when the lengths contradict each other (a malformed packet); an empty buffer for a
 * padding-only packet.
 */
export function payloadOf(plaintext: Buffer, header: RtpHeader): Buffer | null {
  let end = plaintext.length;
  if (header.padding) {
    if (end === 0) return null;
    const pad = plaintext[end - 1]!;
    if (pad === 0 || pad > end - header.extensionBodyBytes) return null;
    end -= pad;
  }
  if (header.extensionBodyBytes > end) return null;
  return plaintext.subarray(header.extensionBodyBytes, end);
}

/** Whether an Opus payload is a silence frame (`f8 ff fe`). */
export function isSilenceFrame(payload: Uint8Array): boolean {
  return payload.length === 3 && payload[0] === 0xf8 && payload[1] === 0xff && payload[2] === 0xfe;
}

/**
 * Whether a frame ends with DAVE's magic marker `FA FA`, i.e. is (or claims to be) end-to-end
 * encrypted. Such a frame must never reach an Opus decoder undecrypted.
 */
export function hasDaveMarker(payload: Uint8Array): boolean {
  const n = payload.length;
  return n >= 2 && payload[n - 1] === 0xfa && payload[n - 2] === 0xfa;
}
