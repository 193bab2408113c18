import crypto from 'node:crypto';
import { hasDaveMarker, isSilenceFrame, parseRtpHeader, payloadOf, type RtpHeader } from '../../../src/bot/voice/rtp';
import { AES_GCM_MODE, XCHACHA_MODE, createTransportDecryptor } from '../../../src/bot/voice/transport';
import { buildPacket } from './packets';

const key = crypto.randomBytes(32);
const opus = Buffer.from([0xfc, 0x01, 0x02, 0x03, 0x04, 0x05]);

function open(
  packet: Buffer,
  mode = AES_GCM_MODE as typeof AES_GCM_MODE | typeof XCHACHA_MODE,
): Buffer | null | string {
  const header = parseRtpHeader(packet);
  if (typeof header === 'string') return header;
  const plain = createTransportDecryptor(mode, key).decrypt(packet, header);
  return plain && payloadOf(plain, header);
}

describe('RTP header (RFC 3550, Discord rtpsize layout)', () => {
  test('reads sequence, timestamp and SSRC of a plain header', () => {
    const h = parseRtpHeader(
      buildPacket({ payload: opus, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef }, key),
    ) as RtpHeader;
    expect(h).toMatchObject({
      sequence: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
      padding: false,
      headerBytes: 12,
      extensionBodyBytes: 0,
    });
  });

  test('CSRCs and the extension header are clear; the extension body is counted for the plaintext', () => {
    const h = parseRtpHeader(buildPacket({ payload: opus, csrcs: [1, 2, 3], extensionWords: 2 }, key)) as RtpHeader;
    expect(h.headerBytes).toBe(12 + 12 + 4);
    expect(h.extensionBodyBytes).toBe(8);
  });

  test('rejects what is not Opus RTP', () => {
    expect(parseRtpHeader(Buffer.alloc(20))).toBe('short');
    const v1 = buildPacket({ payload: opus }, key);
    v1[0] = (v1[0]! & 0x3f) | 0x40;
    expect(parseRtpHeader(v1)).toBe('not_rtp');
    expect(parseRtpHeader(buildPacket({ payload: opus, payloadType: 96 }, key))).toBe('not_opus');
    // An extension header that does not fit.
    const cut = Buffer.alloc(12 + 20);
    cut[0] = 0x9f; // X, CC=15: 60 bytes of CSRCs that are not there
    cut[1] = 120;
    expect(parseRtpHeader(cut)).toBe('short');
  });
});

describe.each([AES_GCM_MODE, XCHACHA_MODE] as const)('transport decryption, %s', (mode) => {
  test('recovers the payload with CSRCs, extension body and padding removed', () => {
    for (const spec of [
      {},
      { csrcs: [7] },
      { extensionWords: 1 },
      { padding: 5 },
      { csrcs: [1, 2], extensionWords: 3, padding: 1 },
    ]) {
      expect(open(buildPacket({ payload: opus, ...spec }, key, mode), mode)).toEqual(opus);
    }
  });

  test('a padding-only packet has an empty payload', () => {
    expect(open(buildPacket({ payload: Buffer.alloc(0), padding: 12, extensionWords: 1 }, key, mode), mode)).toEqual(
      Buffer.alloc(0),
    );
  });

  test('a flipped byte anywhere fails authentication (null, not an exception)', () => {
    const packet = buildPacket({ payload: opus, extensionWords: 1 }, key, mode);
    for (const at of [2, 5, 13, 17, packet.length - 10, packet.length - 5]) {
      const bad = Buffer.from(packet);
      bad[at]! ^= 0x01;
      expect(open(bad, mode)).toBeNull();
    }
    expect(open(buildPacket({ payload: opus }, crypto.randomBytes(32), mode), mode)).toBeNull();
  });

  test('a nonce counter is honoured (the same body under another counter fails)', () => {
    const a = buildPacket({ payload: opus, nonce: 5 }, key, mode);
    a.writeUInt32BE(6, a.length - 4);
    expect(open(a, mode)).toBeNull();
  });
});

describe('payloadOf', () => {
  const header = (padding: boolean, extensionBodyBytes = 0): RtpHeader => ({
    sequence: 0,
    timestamp: 0,
    ssrc: 0,
    padding,
    headerBytes: 12,
    extensionBodyBytes,
  });
  test('padding longer than the payload, or zero, is malformed', () => {
    expect(payloadOf(Buffer.from([1, 2, 9]), header(true))).toBeNull();
    expect(payloadOf(Buffer.from([1, 2, 0]), header(true))).toBeNull();
    expect(payloadOf(Buffer.alloc(0), header(true))).toBeNull();
    expect(payloadOf(Buffer.from([1, 2]), header(false, 4))).toBeNull();
  });
});

describe('frame kinds', () => {
  test('silence frames and the DAVE marker', () => {
    expect(isSilenceFrame(Buffer.from([0xf8, 0xff, 0xfe]))).toBe(true);
    expect(isSilenceFrame(Buffer.from([0xf8, 0xff, 0xfe, 0]))).toBe(false);
    expect(hasDaveMarker(Buffer.from([1, 2, 0xfa, 0xfa]))).toBe(true);
    expect(hasDaveMarker(Buffer.from([0xfa]))).toBe(false);
    expect(hasDaveMarker(opus)).toBe(false);
  });
});
