/**
 * Test signal generators and in-memory file writers (WAV, Ogg Opus, MP3). Everything is built
 * from signals we synthesise, so expected values are known exactly.
 */
import OpusScript from 'opusscript';
import { oggCrc } from '../../../src/ml/audio/ogg';

/** A harmonic tone: `harmonics` partials with 1/k amplitudes, peak-normalised to `amplitude`. */
export function harmonicTone(f0: number, seconds: number, rate: number, amplitude = 0.5, harmonics = 5): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  let peak = 0;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 1; k <= harmonics; k++) if (k * f0 < rate / 2) v += Math.sin((2 * Math.PI * k * f0 * i) / rate) / k;
    out[i] = v;
    peak = Math.max(peak, Math.abs(v));
  }
  for (let i = 0; i < n; i++) out[i] = (out[i]! / peak) * amplitude;
  return out;
}

export function sine(freq: number, seconds: number, rate: number, amplitude: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * freq * i) / rate),
  );
}

/** Deterministic low-level noise (LCG), so "silence" tests are not pure zeros. */
export function noise(seconds: number, rate: number, amplitude: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: Math.round(seconds * rate) }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * amplitude;
  });
}

export function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export interface WavSpec {
  rate: number;
  /** Sample format. */
  format: 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32';
  /** Extra chunks written before `fmt `/`data` and after `data`. */
  chunksBefore?: Array<{ id: string; body: Uint8Array }>;
  chunksAfter?: Array<{ id: string; body: Uint8Array }>;
  extensible?: boolean;
}

/** Write channels (equal length) as a RIFF/WAVE file. */
export function writeWav(channels: Float32Array[], spec: WavSpec): Uint8Array {
  const bits = { pcm8: 8, pcm16: 16, pcm24: 24, pcm32: 32, float32: 32 }[spec.format];
  const bytesPer = bits / 8;
  const frames = channels[0]!.length;
  const data = new Uint8Array(frames * channels.length * bytesPer);
  const dv = new DataView(data.buffer);
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels.length; c++) {
      const x = Math.max(-1, Math.min(1, channels[c]![f]!));
      const at = (f * channels.length + c) * bytesPer;
      switch (spec.format) {
        case 'pcm8':
          dv.setUint8(at, Math.round(x * 127) + 128);
          break;
        case 'pcm16':
          dv.setInt16(at, Math.round(x * 32767), true);
          break;
        case 'pcm24': {
          const v = Math.round(x * 8388607);
          dv.setUint8(at, v & 0xff);
          dv.setUint8(at + 1, (v >> 8) & 0xff);
          dv.setInt8(at + 2, v >> 16);
          break;
        }
        case 'pcm32':
          dv.setInt32(at, Math.round(x * 2147483647), true);
          break;
        case 'float32':
          dv.setFloat32(at, x, true);
          break;
      }
    }
  }
  const formatTag = spec.format === 'float32' ? 3 : 1;
  const fmt = new Uint8Array(spec.extensible ? 40 : 16);
  const fv = new DataView(fmt.buffer);
  fv.setUint16(0, spec.extensible ? 0xfffe : formatTag, true);
  fv.setUint16(2, channels.length, true);
  fv.setUint32(4, spec.rate, true);
  fv.setUint32(8, spec.rate * channels.length * bytesPer, true);
  fv.setUint16(12, channels.length * bytesPer, true);
  fv.setUint16(14, bits, true);
  if (spec.extensible) {
    fv.setUint16(16, 22, true);
    fv.setUint16(18, bits, true);
    fv.setUint16(24, formatTag, true); // SubFormat GUID starts with the format tag.
  }
  const chunks = [
    ...(spec.chunksBefore ?? []),
    { id: 'fmt ', body: fmt },
    { id: 'data', body: data },
    ...(spec.chunksAfter ?? []),
  ];
  return riff(chunks);
}

/** Assemble RIFF/WAVE from chunks, padding odd sizes. */
export function riff(chunks: Array<{ id: string; body: Uint8Array }>): Uint8Array {
  const size = 4 + chunks.reduce((n, c) => n + 8 + c.body.length + (c.body.length & 1), 0);
  const out = new Uint8Array(8 + size);
  const v = new DataView(out.buffer);
  out.set(ascii('RIFF'), 0);
  v.setUint32(4, size, true);
  out.set(ascii('WAVE'), 8);
  let o = 12;
  for (const c of chunks) {
    out.set(ascii(c.id), o);
    v.setUint32(o + 4, c.body.length, true);
    out.set(c.body, o + 8);
    o += 8 + c.body.length + (c.body.length & 1);
  }
  return out;
}

export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/** Build Ogg pages (one packet per page, which is valid and simple) with correct CRCs. */
export function oggPages(packets: Uint8Array[], granules: number[], serial = 0x1234): Uint8Array {
  const pages: Uint8Array[] = [];
  packets.forEach((packet, i) => {
    const lacing: number[] = [];
    let left = packet.length;
    while (left >= 255) {
      lacing.push(255);
      left -= 255;
    }
    lacing.push(left);
    const page = new Uint8Array(27 + lacing.length + packet.length);
    const v = new DataView(page.buffer);
    page.set(ascii('OggS'), 0);
    page[5] = (i === 0 ? 0x02 : 0) | (i === packets.length - 1 ? 0x04 : 0);
    v.setUint32(6, granules[i]! >>> 0, true);
    v.setUint32(10, Math.floor(granules[i]! / 2 ** 32), true);
    v.setUint32(14, serial, true);
    v.setUint32(18, i, true);
    page[26] = lacing.length;
    page.set(lacing, 27);
    page.set(packet, 27 + lacing.length);
    v.setUint32(22, oggCrc(page), true);
    pages.push(page);
  });
  const out = new Uint8Array(pages.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of pages) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** OpusHead for a mono 48 kHz stream. */
export function opusHead(preSkip = 312, channels = 1, gainQ8 = 0): Uint8Array {
  const head = new Uint8Array(19);
  const v = new DataView(head.buffer);
  head.set(ascii('OpusHead'), 0);
  head[8] = 1;
  head[9] = channels;
  v.setUint16(10, preSkip, true);
  v.setUint32(12, 48000, true);
  v.setInt16(16, gainQ8, true);
  return head;
}

/**
 * Encode 48 kHz samples as Ogg Opus with opusscript (20 ms frames). A second channel makes a
 * stereo stream (interleaved, mapping family 0).
 */
export function encodeOggOpus(samples48k: Float32Array, preSkip = 312, right?: Float32Array): Uint8Array {
  const channels = right ? 2 : 1;
  const encoder = new OpusScript(48000, channels, OpusScript.Application.AUDIO);
  try {
    const frame = 960;
    const packets: Uint8Array[] = [opusHead(preSkip, channels), ascii('OpusTags\x00\x00\x00\x00\x00\x00\x00\x00')];
    const granules: number[] = [0, 0];
    // Pad so the encoder's look-ahead (pre-skip) and the last partial frame are flushed.
    const pad = new Float32Array(preSkip + frame);
    const left = concat(samples48k, pad);
    const second = right ? concat(right, pad) : left;
    for (let start = 0; start + frame <= left.length; start += frame) {
      const pcm = new Int16Array(frame * channels);
      for (let i = 0; i < frame; i++) {
        pcm[i * channels] = Math.round(Math.max(-1, Math.min(1, left[start + i]!)) * 32767);
        if (right) pcm[i * 2 + 1] = Math.round(Math.max(-1, Math.min(1, second[start + i]!)) * 32767);
      }
      packets.push(new Uint8Array(encoder.encode(Buffer.from(pcm.buffer), frame)));
      granules.push(Math.min(start + frame, samples48k.length + preSkip));
    }
    return oggPages(packets, granules);
  } finally {
    encoder.delete();
  }
}

/** RMS level in dBFS. */
export function rmsDb(samples: Float32Array): number {
  let s = 0;
  for (const x of samples) s += x * x;
  return 10 * Math.log10(s / samples.length);
}
