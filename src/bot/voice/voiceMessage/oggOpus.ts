/**
 * A minimal Ogg Opus writer (RFC 7845 on RFC 3533): an OpusHead page, an OpusTags page, then audio
 * pages of whole 20 ms packets. Granule positions count 48 kHz samples including the pre-skip; the last
 * page's granule marks where the real audio ends so players drop the encoder's padding.
 */
import { oggCrc } from '../../../ml/audio/ogg';

/** CRC of a whole page whose checksum field is zero (Ogg's CRC-32; shared with the demuxer). */
export const oggPageCrc = oggCrc;

const FLAG_BOS = 0x02;
const FLAG_EOS = 0x04;

/** One Ogg page holding whole packets (each packet's lacing ends on this page). */
export function oggPage(
  packets: readonly Uint8Array[],
  granule: bigint,
  serial: number,
  sequence: number,
  flags: number,
): Uint8Array {
  const lacing: number[] = [];
  let bodyLength = 0;
  for (const packet of packets) {
    // A packet of n bytes is floor(n/255) segments of 255 plus one shorter (possibly 0) segment.
    for (let left = packet.length; ; left -= 255) {
      lacing.push(Math.min(left, 255));
      if (left < 255) break;
    }
    bodyLength += packet.length;
  }
  if (lacing.length > 255) throw new RangeError(`too many segments for one Ogg page (${lacing.length})`);
  const page = new Uint8Array(27 + lacing.length + bodyLength);
  const view = new DataView(page.buffer);
  page.set([0x4f, 0x67, 0x67, 0x53], 0); // "OggS"
  page[4] = 0; // stream structure version
  page[5] = flags;
  view.setBigInt64(6, granule, true);
  view.setUint32(14, serial, true);
  view.setUint32(18, sequence, true);
  // bytes 22–25: CRC, filled in below over the page with this field zero
  page[26] = lacing.length;
  page.set(lacing, 27);
  let at = 27 + lacing.length;
  for (const packet of packets) {
    page.set(packet, at);
    at += packet.length;
  }
  view.setUint32(22, oggPageCrc(page), true);
  return page;
}

/** The OpusHead identification header for a mono or stereo stream. */
export function opusHead(channels: number, preSkip: number, inputSampleRate: number): Uint8Array {
  const head = new Uint8Array(19);
  const view = new DataView(head.buffer);
  head.set(new TextEncoder().encode('OpusHead'), 0);
  head[8] = 1; // version
  head[9] = channels;
  view.setUint16(10, preSkip, true);
  view.setUint32(12, inputSampleRate, true);
  view.setInt16(16, 0, true); // output gain
  head[18] = 0; // channel mapping family 0: mono or stereo
  return head;
}

/** The OpusTags comment header with a vendor string and no comments. */
export function opusTags(vendor: string): Uint8Array {
  const vendorBytes = new TextEncoder().encode(vendor);
  const tags = new Uint8Array(8 + 4 + vendorBytes.length + 4);
  const view = new DataView(tags.buffer);
  tags.set(new TextEncoder().encode('OpusTags'), 0);
  view.setUint32(8, vendorBytes.length, true);
  tags.set(vendorBytes, 12);
  view.setUint32(12 + vendorBytes.length, 0, true);
  return tags;
}

/** Packets per audio page: 50 × 20 ms = 1 s, well under the 255-segment limit for voice bitrates. */
const PACKETS_PER_PAGE = 50;

/**
 * Mux Opus packets of `frameSize` samples (at 48 kHz) into an Ogg Opus file. `totalSamples` is the
 * real audio length; the final granule is preSkip + totalSamples.
 */
export function muxOggOpus(
  packets: readonly Uint8Array[],
  options: {
    channels: number;
    preSkip: number;
    frameSize: number;
    totalSamples: number;
    serial: number;
    vendor: string;
  },
): Uint8Array {
  const pages: Uint8Array[] = [];
  let sequence = 0;
  pages.push(oggPage([opusHead(options.channels, options.preSkip, 48000)], 0n, options.serial, sequence++, FLAG_BOS));
  pages.push(oggPage([opusTags(options.vendor)], 0n, options.serial, sequence++, 0));
  const endGranule = BigInt(options.preSkip + options.totalSamples);
  for (let start = 0; start < packets.length; start += PACKETS_PER_PAGE) {
    const group = packets.slice(start, start + PACKETS_PER_PAGE);
    const last = start + PACKETS_PER_PAGE >= packets.length;
    const decoded = BigInt((start + group.length) * options.frameSize);
    const granule = last ? endGranule : decoded < endGranule ? decoded : endGranule;
    pages.push(oggPage(group, granule, options.serial, sequence++, last ? FLAG_EOS : 0));
  }
  const total = pages.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const page of pages) {
    out.set(page, at);
    at += page.length;
  }
  return out;
}
