import crypto from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import { decryptFromBot, discoveryResponse, encryptForBot, isDiscoveryRequest } from './voice/rtp';
import { makeSelfSignedCertificate } from './util/certificate';
import { oid, unsignedInteger } from './util/der';

const KEY = Buffer.alloc(32, 7);

/** What @discordjs/voice sends: 12-byte header (no extension) as AAD, AES-GCM, tag, 4-byte nonce. */
function likeDiscordjsVoice(opus: Buffer, sequence: number, timestamp: number, ssrc: number, nonce: number): Buffer {
  const header = Buffer.alloc(12);
  header[0] = 0x80;
  header[1] = 120;
  header.writeUInt16BE(sequence, 2);
  header.writeUInt32BE(timestamp, 4);
  header.writeUInt32BE(ssrc, 8);
  const nonceBuffer = Buffer.alloc(12);
  nonceBuffer.writeUInt32BE(nonce, 0);
  const cipher = crypto.createCipheriv('aes-256-gcm', KEY, nonceBuffer);
  cipher.setAAD(header);
  return Buffer.concat([header, cipher.update(opus), cipher.final(), cipher.getAuthTag(), nonceBuffer.subarray(0, 4)]);
}

describe('RTP transport encryption (aead_aes256_gcm_rtpsize)', () => {
  test('decrypts a packet built the way @discordjs/voice builds them', () => {
    const packet = likeDiscordjsVoice(Buffer.from([0xfc, 1, 2, 3]), 65535, 4_000_000_000, 0xdeadbeef, 9);
    expect(decryptFromBot(packet, KEY)).toEqual({
      sequence: 65535,
      timestamp: 4_000_000_000,
      ssrc: 0xdeadbeef,
      nonce: 9,
      csrcs: [],
      padding: 0,
      opus: Buffer.from([0xfc, 1, 2, 3]),
    });
  });

  test('packets to the bot carry the 0xBEDE extension: header 16 bytes unencrypted, extension body encrypted and skipped', () => {
    const packet = encryptForBot(Buffer.from([0xfc, 9, 9]), { sequence: 5, timestamp: 960, ssrc: 42 }, 3, KEY);
    expect(packet[0]).toBe(0x90);
    expect(packet.readUInt16BE(12)).toBe(0xbede);
    expect(packet.readUInt16BE(14)).toBe(1);
    // 16 header + (4 extension body + 3 opus) + 16 tag + 4 nonce
    expect(packet.length).toBe(16 + 7 + 16 + 4);
    expect(packet.readUInt32BE(packet.length - 4)).toBe(3);
    expect(decryptFromBot(packet, KEY)).toMatchObject({
      sequence: 5,
      timestamp: 960,
      ssrc: 42,
      opus: Buffer.from([0xfc, 9, 9]),
    });
  });

  test('wrong key, flipped bit, truncated, wrong version or payload type: an Error value, never a throw', () => {
    const packet = encryptForBot(Buffer.from([1, 2, 3]), { sequence: 1, timestamp: 1, ssrc: 1 }, 1, KEY);
    expect(decryptFromBot(packet, Buffer.alloc(32, 8))).toBeInstanceOf(Error);
    const flipped = Buffer.from(packet);
    flipped[18] = (flipped[18] ?? 0) ^ 1;
    expect((decryptFromBot(flipped, KEY) as Error).message).toMatch(/decryption failed/);
    expect((decryptFromBot(packet.subarray(0, 20), KEY) as Error).message).toMatch(/too short/);
    const version1 = Buffer.from(packet);
    version1[0] = 0x50;
    expect((decryptFromBot(version1, KEY) as Error).message).toMatch(/version 1/);
    const otherType = Buffer.from(packet);
    otherType[1] = 96;
    expect((decryptFromBot(otherType, KEY) as Error).message).toMatch(/payload type 96/);
  });

  test('IP discovery answer has the layout @discordjs/voice parses', () => {
    const request = Buffer.alloc(74);
    request.writeUInt16BE(1, 0);
    request.writeUInt16BE(70, 2);
    expect(isDiscoveryRequest(request)).toBe(true);
    expect(isDiscoveryRequest(request.subarray(0, 73))).toBe(false);
    const answer = discoveryResponse(77, '127.0.0.1', 50123);
    expect(answer.readUInt16BE(0)).toBe(2);
    expect(answer.readUInt32BE(4)).toBe(77);
    expect(answer.subarray(8, answer.indexOf(0, 8)).toString()).toBe('127.0.0.1');
    expect(answer.readUInt16BE(answer.length - 2)).toBe(50123);
  });
});

describe('self-signed certificate', () => {
  test('DER primitives: OID and INTEGER encodings match the standard examples', () => {
    expect(oid('1.2.840.10045.4.3.2').toString('hex')).toBe('06082a8648ce3d040302');
    expect(unsignedInteger(Buffer.from([0x80])).toString('hex')).toBe('02020080');
    expect(unsignedInteger(Buffer.from([0, 0, 5])).toString('hex')).toBe('020105');
  });

  test('is a valid, self-verifying X.509 for IP 127.0.0.1', () => {
    const { certPem, keyPem } = makeSelfSignedCertificate();
    const cert = new X509Certificate(certPem);
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(crypto.createPrivateKey(keyPem))).toBe(true);
    expect(cert.ca).toBe(true);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });
});
