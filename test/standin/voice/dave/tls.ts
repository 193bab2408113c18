/**
 * The TLS presentation language as MLS (RFC 9420 §2.1) uses it: big-endian integers and vectors whose
 * length header is a QUIC-style varint (1, 2 or 4 bytes, the top two bits of the first byte saying
 * which: 00, 01, 10). MLS forbids the 8-byte form and non-minimal encodings; so does this reader.
 */

/** A malformed or truncated MLS structure. */
export class TlsDecodeError extends Error {
  override readonly name = 'TlsDecodeError';
}

/** Encodes a vector length header. */
export function encodeVarint(value: number): Buffer {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`varint ${value} is not a non-negative integer`);
  if (value < 0x40) return Buffer.from([value]);
  if (value < 0x4000) return Buffer.from([0x40 | (value >> 8), value & 0xff]);
  if (value < 0x40000000) {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(value, 0);
    bytes[0] = (bytes[0] ?? 0) | 0x80;
    return bytes;
  }
  throw new RangeError(`varint ${value} exceeds MLS's 2^30 - 1 limit`);
}

/** `opaque x<V>`: a varint length then the bytes. */
export function vector(...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([encodeVarint(body.length), body]);
}

export const u8 = (value: number): Buffer => Buffer.from([value & 0xff]);

export function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16BE(value, 0);
  return bytes;
}

export function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0, 0);
  return bytes;
}

export function u64(value: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(value, 0);
  return bytes;
}

/** A cursor over one buffer; every read checks bounds and throws `TlsDecodeError`. */
export class TlsReader {
  offset = 0;

  constructor(readonly bytes: Buffer) {}

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private take(count: number, what: string): Buffer {
    if (count > this.remaining)
      throw new TlsDecodeError(`${what}: needs ${count} bytes at offset ${this.offset}, ${this.remaining} left`);
    const slice = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return slice;
  }

  u8(what = 'u8'): number {
    return this.take(1, what).readUInt8(0);
  }

  u16(what = 'u16'): number {
    return this.take(2, what).readUInt16BE(0);
  }

  u32(what = 'u32'): number {
    return this.take(4, what).readUInt32BE(0);
  }

  u64(what = 'u64'): bigint {
    return this.take(8, what).readBigUInt64BE(0);
  }

  varint(what = 'vector length'): number {
    const first = this.u8(what);
    const prefix = first >> 6;
    if (prefix === 0) return first;
    if (prefix === 1) {
      const value = ((first & 0x3f) << 8) | this.u8(what);
      if (value < 0x40) throw new TlsDecodeError(`${what}: non-minimal 2-byte varint ${value}`);
      return value;
    }
    if (prefix === 2) {
      const rest = this.take(3, what);
      const value = (first & 0x3f) * 0x1000000 + rest.readUIntBE(0, 3);
      if (value < 0x4000) throw new TlsDecodeError(`${what}: non-minimal 4-byte varint ${value}`);
      return value;
    }
    throw new TlsDecodeError(`${what}: 8-byte varints are not allowed in MLS`);
  }

  /** `opaque x<V>`: the body bytes (a view into the buffer). */
  vector(what = 'vector'): Buffer {
    const length = this.varint(`${what} length`);
    return this.take(length, what);
  }

  /** Reads a vector of structures, handing a reader bounded to the vector's body to `item` until it is used up. */
  vectorOf<T>(what: string, item: (reader: TlsReader) => T): T[] {
    const body = new TlsReader(this.vector(what));
    const items: T[] = [];
    while (body.remaining > 0) items.push(item(body));
    return items;
  }

  fixed(count: number, what = 'bytes'): Buffer {
    return this.take(count, what);
  }

  /** Bytes from `start` to the current offset. */
  since(start: number): Buffer {
    return this.bytes.subarray(start, this.offset);
  }

  /** Throws unless everything was read. */
  end(what: string): void {
    if (this.remaining !== 0) throw new TlsDecodeError(`${what}: ${this.remaining} unexpected trailing bytes`);
  }
}
