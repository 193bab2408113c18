import fs from 'node:fs';
import vm from 'node:vm';
import type { Mp3Encoder as Mp3EncoderType } from '@breezystack/lamejs';

// lamejs's CommonJS entry is a browser IIFE that only defines a global, and jest does not transform its
// ES module build: evaluate the IIFE in a sandbox and take the global it defines.
const { Mp3Encoder } = vm.runInNewContext(
  `${fs.readFileSync(require.resolve('@breezystack/lamejs'), 'utf8')};lamejs`,
) as {
  Mp3Encoder: typeof Mp3EncoderType;
};

/**
 * Encode mono PCM as CBR MP3 with lamejs (pure JS, test-only), so tests make their own MP3s instead of
 * shipping fixtures. Float samples are in [-1, 1] and clipped; 16-bit samples are used as they are.
 */
export function encodeMp3(samples: Int16Array | Float32Array, rate: number, kbps: number): Uint8Array {
  const pcm =
    samples instanceof Int16Array
      ? samples
      : Int16Array.from(samples, (x) => Math.round(Math.max(-1, Math.min(1, x)) * 32767));
  const encoder = new Mp3Encoder(1, rate, kbps);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < pcm.length; i += 1152)
    parts.push(Uint8Array.from(encoder.encodeBuffer(pcm.subarray(i, i + 1152))));
  parts.push(Uint8Array.from(encoder.flush()));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Bytes of one silent MPEG-1 Layer III frame, mono, 44.1 kHz, 32 kb/s: 1152 samples in 104 bytes. */
export const SILENT_FRAME_BYTES = 104;
export const SILENT_FRAME_SECONDS = 1152 / 44100;

/**
 * Silent MP3 built by hand, the way a hostile file packs half an hour into a few megabytes: headers
 * FF FB 10 C4 (MPEG-1 Layer III, no CRC, 32 kb/s, 44.1 kHz, no padding, mono) followed by all-zero
 * side information (no main data, so each frame decodes to 1152 samples of silence). With
 * `infoFrames`, a LAME-style "Info" frame declaring that many frames comes first (it can lie).
 */
export function silentMp3(seconds: number, opts: { infoFrames?: number } = {}): Uint8Array {
  const frames = Math.ceil(seconds / SILENT_FRAME_SECONDS);
  const withInfo = opts.infoFrames !== undefined;
  const out = new Uint8Array((frames + (withInfo ? 1 : 0)) * SILENT_FRAME_BYTES);
  for (let at = 0; at < out.length; at += SILENT_FRAME_BYTES) out.set([0xff, 0xfb, 0x10, 0xc4], at);
  if (withInfo) {
    // The tag follows the header and the 17 bytes of mono MPEG-1 side information.
    out.set([0x49, 0x6e, 0x66, 0x6f, 0, 0, 0, 1], 21);
    new DataView(out.buffer).setUint32(29, opts.infoFrames!, false);
  }
  return out;
}
