import { type Result, fail, ok } from '../../../src/ml/types';

/** An Ogg Opus stream's header fields and its Opus packets (RFC 7845). */
export interface OggOpusStream {
  channels: number;
  /** Samples (at 48 kHz) to drop from the decoder's output start. */
  preSkip: number;
  inputSampleRate: number;
  /** Output gain in dB (Q7.8 in the header). */
  outputGainDb: number;
  /** Audio packets, in order (headers excluded). */
  packets: Buffer[];
  /** Granule position of the last page: total 48 kHz samples including pre-skip, or -1 if unknown. */
  finalGranule: number;
}

/** Larger than any voice clip a test should feed the stand-in. */
export const MAX_OGG_BYTES = 50 * 1024 * 1024;

const CRC_TABLE = (() => {
  // Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial 0.
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function oggCrc(page: Buffer): number {
  let crc = 0;
  for (let i = 0; i < page.length; i++) {
    // Bytes 22..25 hold the CRC itself and count as zero.
    const byte = i >= 22 && i < 26 ? 0 : (page[i] as number);
    crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] as number)) >>> 0;
  }
  return crc;
}

/**
 * Splits an Ogg Opus file into its Opus packets. Follows the first logical stream, checks every page's
 * CRC, reassembles packets across pages (lacing values of 255 continue a packet). Bad input is a
 * typed failure: empty, oversized, not Ogg, not Opus, truncated or CRC mismatch.
 */
export function parseOggOpus(bytes: Buffer): Result<OggOpusStream> {
  if (bytes.length === 0) return fail('empty', 'The Ogg file is empty.');
  if (bytes.length > MAX_OGG_BYTES)
    return fail('too_large', `The Ogg file is ${bytes.length} bytes; the limit is ${MAX_OGG_BYTES}.`);
  if (bytes.subarray(0, 4).toString('latin1') !== 'OggS')
    return fail('unsupported_format', 'Not an Ogg file (no "OggS" capture pattern at the start).');
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let serial: number | undefined;
  let finalGranule = -1;
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 27) return fail('corrupt', `Truncated Ogg page header at byte ${offset}.`);
    if (bytes.subarray(offset, offset + 4).toString('latin1') !== 'OggS')
      return fail('corrupt', `Lost Ogg page sync at byte ${offset}.`);
    if (bytes[offset + 4] !== 0)
      return fail('unsupported_format', `Ogg stream structure version ${String(bytes[offset + 4])} is not 0.`);
    const segmentCount = bytes[offset + 26] as number;
    const tableEnd = offset + 27 + segmentCount;
    if (tableEnd > bytes.length) return fail('corrupt', `Truncated Ogg segment table at byte ${offset}.`);
    const lacing = bytes.subarray(offset + 27, tableEnd);
    const bodyLength = lacing.reduce((sum, value) => sum + value, 0);
    const pageEnd = tableEnd + bodyLength;
    if (pageEnd > bytes.length)
      return fail(
        'corrupt',
        `Truncated Ogg page at byte ${offset} (needs ${pageEnd - offset} bytes, has ${bytes.length - offset}).`,
      );
    const page = bytes.subarray(offset, pageEnd);
    if (oggCrc(page) !== page.readUInt32LE(22))
      return fail('corrupt', `Ogg page at byte ${offset} fails its CRC check.`);
    const pageSerial = page.readUInt32LE(14);
    serial ??= pageSerial;
    if (pageSerial === serial) {
      const granuleLow = page.readUInt32LE(6);
      const granuleHigh = page.readInt32LE(10);
      // -1 (all ones) means "no packet ends on this page".
      if (!(granuleLow === 0xffffffff && granuleHigh === -1)) finalGranule = granuleHigh * 2 ** 32 + granuleLow;
      let cursor = tableEnd;
      for (const value of lacing) {
        pending.push(bytes.subarray(cursor, cursor + value));
        cursor += value;
        if (value < 255) {
          packets.push(Buffer.concat(pending));
          pending = [];
        }
      }
    }
    offset = pageEnd;
  }
  const head = packets[0];
  if (!head || head.length < 19 || head.subarray(0, 8).toString('latin1') !== 'OpusHead')
    return fail('unsupported_format', 'The Ogg stream is not Opus (no OpusHead packet).');
  const channels = head[9] as number;
  if (channels < 1 || channels > 2)
    return fail('unsupported_format', `Opus with ${channels} channels is not supported (1 or 2).`);
  if (packets[1]?.subarray(0, 8).toString('latin1') !== 'OpusTags')
    return fail('corrupt', 'The Opus stream lacks its OpusTags header.');
  return ok({
    channels,
    preSkip: head.readUInt16LE(10),
    inputSampleRate: head.readUInt32LE(12),
    outputGainDb: head.readInt16LE(16) / 256,
    packets: packets.slice(2).filter((p) => p.length > 0),
    finalGranule,
  });
}
