/**
 * Ogg page demuxer (RFC 3533): turns a byte stream into the packets of its first logical stream.
 * Written by hand because it is ~100 lines and lets us report exactly where a file is broken.
 */
import { fail, ok, type Result } from '../types';

/** Packets of one logical stream, plus the last granule position seen (for end trimming). */
export interface OggPackets {
  packets: Uint8Array[];
  /** Granule position of the last page that ended a packet, or -1 if none. */
  lastGranule: number;
}

const CRC_TABLE = (() => {
  // Ogg uses the non-reflected CRC-32 with polynomial 0x04c11db7 and zero initial value.
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** CRC of a page with its checksum field (bytes 22..25) taken as zero. */
export function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    const byte = i >= 22 && i < 26 ? 0 : page[i]!;
    crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  }
  return crc;
}

/** True when the bytes start with an Ogg capture pattern. */
export function isOgg(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x4f && bytes[1] === 0x67 && bytes[2] === 0x67 && bytes[3] === 0x53;
}

/**
 * Split `bytes` into the packets of the first logical stream. Pages of other streams (e.g. a video
 * track multiplexed in) are skipped. `maxPackets` bounds the work on hostile input.
 */
export function demuxOgg(bytes: Uint8Array, maxPackets: number): Result<OggPackets> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  let serial: number | null = null;
  let lastGranule = -1;
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 27) return fail('corrupt', `Ogg page header at byte ${pos} is cut off (file truncated?)`);
    if (bytes[pos] !== 0x4f || bytes[pos + 1] !== 0x67 || bytes[pos + 2] !== 0x67 || bytes[pos + 3] !== 0x53) {
      return fail('corrupt', `expected an Ogg page at byte ${pos}, found other data`);
    }
    if (bytes[pos + 4] !== 0) return fail('corrupt', `Ogg page at byte ${pos} has unknown version ${bytes[pos + 4]}`);
    const headerType = bytes[pos + 5]!;
    // Granule positions of Opus streams stay far below 2^53, so a double holds them exactly.
    const granule = view.getUint32(pos + 6, true) + view.getInt32(pos + 10, true) * 2 ** 32;
    const pageSerial = view.getUint32(pos + 14, true);
    const storedCrc = view.getUint32(pos + 22, true);
    const segments = bytes[pos + 26]!;
    const headerLength = 27 + segments;
    if (bytes.length - pos < headerLength)
      return fail('corrupt', `Ogg page at byte ${pos} is cut off (file truncated?)`);
    let bodyLength = 0;
    for (let s = 0; s < segments; s++) bodyLength += bytes[pos + 27 + s]!;
    const pageEnd = pos + headerLength + bodyLength;
    if (pageEnd > bytes.length) return fail('corrupt', `Ogg page at byte ${pos} is cut off (file truncated?)`);
    if (oggCrc(bytes.subarray(pos, pageEnd)) !== storedCrc) {
      return fail('corrupt', `Ogg page at byte ${pos} fails its checksum (damaged file)`);
    }
    if (serial === null) serial = pageSerial;
    if (pageSerial === serial) {
      let bodyPos = pos + headerLength;
      let endedPacket = false;
      // A continued packet with nothing pending means its start was lost (e.g. a recording joined
      // mid-stream): drop that fragment rather than decode half a packet.
      let skipFragment = (headerType & 0x01) !== 0 && pending.length === 0;
      for (let s = 0; s < segments; s++) {
        const lace = bytes[pos + 27 + s]!;
        if (!skipFragment) pending.push(bytes.subarray(bodyPos, bodyPos + lace));
        bodyPos += lace;
        if (lace < 255) {
          if (!skipFragment) {
            packets.push(concat(pending));
            endedPacket = true;
            if (packets.length > maxPackets)
              return fail('too_long', `the Ogg stream has more than ${maxPackets} packets`);
          }
          pending = [];
          skipFragment = false;
        }
      }
      if (endedPacket && granule >= 0) lastGranule = granule;
    }
    pos = pageEnd;
  }
  if (serial === null) return fail('corrupt', 'the Ogg file contains no pages');
  return ok({ packets, lastGranule });
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
