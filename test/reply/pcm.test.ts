import { encodeWav } from '../../src/reply';

describe('encodeWav', () => {
  it('writes a 44-byte header and the samples', () => {
    const wav = Buffer.from(encodeWav(Int16Array.from([0, 1000, -1000]), 22050));
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(36 + 6);
    expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(22050);
    expect(wav.readUInt32LE(40)).toBe(6);
    expect(wav.readInt16LE(46)).toBe(1000);
    expect(wav.length).toBe(50);
  });
});
