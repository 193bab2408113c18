/** Test helper: rewrite a PNG's IHDR size (with a valid CRC) to build a "decompression bomb" header. */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as PNG chunks use it (ISO 3309). */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A copy of `png` whose IHDR declares `width` × `height`; the pixel data is left as it was. */
export function withDeclaredSize(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(png);
  const view = new DataView(out.buffer);
  // Signature (8) + IHDR length (4) + "IHDR" (4): width and height follow at 16 and 20.
  if (String.fromCharCode(...out.subarray(12, 16)) !== 'IHDR') throw new Error('not a PNG with IHDR first');
  view.setUint32(16, width);
  view.setUint32(20, height);
  // The CRC covers the chunk type and data (13 bytes), and sits right after the data.
  view.setUint32(29, crc32(out.subarray(12, 29)));
  return out;
}
