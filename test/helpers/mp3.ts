import fs from 'node:fs';
import vm from 'node:vm';
import type { Mp3Encoder as Mp3EncoderType } from '@breezystack/lamejs';

// lamejs's CommonJS entry is a browser IIFE that only defines a global, and jest does not transform its
// ES module build: evaluate the IIFE in a sandbox and take the global it defines.
const { Mp3Encoder } = vm.runInNewContext(`${fs.readFileSync(require.resolve('@breezystack/lamejs'), 'utf8')};lamejs`) as {
  Mp3Encoder: typeof Mp3EncoderType;
};

/**
 * Encode mono PCM as CBR MP3 with lamejs (pure JS, test-only), so tests make their own MP3s instead of
 * shipping fixtures. Float samples are in [-1, 1] and clipped; 16-bit samples are used as they are.
 */
export function encodeMp3(samples: Int16Array | Float32Array, rate: number, kbps: number): Uint8Array {
  const pcm = samples instanceof Int16Array ? samples : Int16Array.from(samples, (x) => Math.round(Math.max(-1, Math.min(1, x)) * 32767));
  const encoder = new Mp3Encoder(1, rate, kbps);
  const parts: Uint8Array[] = [];
  for (let i = 0; i < pcm.length; i += 1152) parts.push(Uint8Array.from(encoder.encodeBuffer(pcm.subarray(i, i + 1152))));
  parts.push(Uint8Array.from(encoder.flush()));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
