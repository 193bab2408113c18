import OpusScript from 'opusscript';
import { decodeOpusPackets } from '../../../src/bot/voice/decodeOpus';

/** 20 ms stereo frames of a 440 Hz tone at half scale, encoded as Discord would send them. */
function tonePackets(frames: number): Buffer[] {
  const enc = new OpusScript(48000, 2, OpusScript.Application.AUDIO);
  const out: Buffer[] = [];
  for (let f = 0; f < frames; f++) {
    const pcm = Buffer.alloc(960 * 4);
    for (let i = 0; i < 960; i++) {
      const v = Math.round(16384 * Math.sin((2 * Math.PI * 440 * (f * 960 + i)) / 48000));
      pcm.writeInt16LE(v, i * 4);
      pcm.writeInt16LE(v, i * 4 + 2);
    }
    out.push(Buffer.from(enc.encode(pcm, 960)));
  }
  enc.delete();
  return out;
}

describe('decodeOpusPackets', () => {
  it('decodes 50 packets to one second of mono 48 kHz at the tone level', () => {
    const pcm = decodeOpusPackets(tonePackets(50));
    expect(pcm.sampleRate).toBe(48000);
    expect(pcm.samples.length).toBe(48000);
    const tail = pcm.samples.subarray(9600);
    const rms = Math.sqrt(tail.reduce((s, x) => s + x * x, 0) / tail.length);
    expect(rms).toBeGreaterThan(0.3); // 0.5 amplitude sine → 0.354
    expect(rms).toBeLessThan(0.4);
  });

  it('turns a damaged packet into 20 ms of silence instead of failing', () => {
    const packets = tonePackets(3);
    const pcm = decodeOpusPackets([packets[0], Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]), packets[1]]);
    expect(pcm.samples.length).toBe(3 * 960);
  });

  it('decodes Discord silence frames and an empty clip', () => {
    const silence = decodeOpusPackets([Buffer.from([0xf8, 0xff, 0xfe])]);
    expect(silence.samples.length).toBe(960);
    expect(silence.samples.every((s) => s === 0)).toBe(true);
    expect(decodeOpusPackets([]).samples.length).toBe(0);
  });
});
