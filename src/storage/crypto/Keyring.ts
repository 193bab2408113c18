import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { StoreError } from '../StoreError';

/** AES-256-GCM: 32-byte keys, 12-byte nonces, 16-byte tags. */
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of every sealed value, so the format can change later without guessing. */
const FORMAT_V1 = 1;

/**
 * Turns the configured master key text into its 32 bytes: 64 hex digits or base64 (standard or URL-safe).
 * Throws a plain Error naming the rule (never the value) when it is neither.
 */
export function parseMasterKey(text: string): Buffer {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new Error('must be 32 bytes written as 64 hex digits or 44 base64 characters');
}

/** A fresh random master key as base64, for `ATTUNE_MASTER_KEY` or the embedded default's key file. */
export function generateMasterKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** A person's unwrapped data key, with the pseudonym its ciphertexts are bound to. */
export interface DataKey {
  readonly pseudonym: string;
  readonly key: Buffer;
}

/**
 * Everything the store does with the master key. Nothing derived from it is written anywhere except
 * `keyCheck` (a one-way hash) and wrapped data keys.
 *
 * - **Pseudonyms.** Rows are keyed by HMAC-SHA256(id key, Discord id), never the id itself, so a deleted
 *   row that lingers in a database page, the WAL or a backup does not name the person.
 * - **Data keys.** Each person gets a random AES-256 key, stored wrapped (AES-256-GCM) under a key
 *   derived from the master key. Their features, sample metadata, raw media and model are sealed under
 *   it. `/forget` deletes the wrapped key with the rows, so any copy of their ciphertext left behind is
 *   unreadable.
 * - **Binding.** Every ciphertext's associated data names the pseudonym and what it is ("sample",
 *   "model", ...), so a sealed value copied to another person's row or another column fails to open.
 */
export class Keyring {
  private readonly wrappingKey: Buffer;
  private readonly idKey: Buffer;
  /** SHA-256 of a key derived for this purpose only: tells a wrong master key from a right one. */
  readonly keyCheck: string;

  constructor(masterKey: Uint8Array) {
    if (masterKey.length !== KEY_BYTES) throw new Error(`The master key must be ${KEY_BYTES} bytes.`);
    const derive = (info: string): Buffer =>
      Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), `attune ${info} v1`, KEY_BYTES));
    this.wrappingKey = derive('key wrapping');
    this.idKey = derive('person pseudonym');
    this.keyCheck = createHash('sha256').update(derive('key check')).digest('hex');
  }

  /** The stored form of a Discord id: 64 hex characters, the same in every process with this master key. */
  pseudonym(personId: string): string {
    return createHmac('sha256', this.idKey).update(personId, 'utf8').digest('hex');
  }

  /** A new random data key for a person, and its wrapped form for the database. */
  newDataKey(pseudonym: string): { dataKey: DataKey; wrapped: Buffer } {
    const key = randomBytes(KEY_BYTES);
    return { dataKey: { pseudonym, key }, wrapped: seal(this.wrappingKey, key, `key:${pseudonym}`) };
  }

  /** Unwraps a stored data key; a StoreError `key_unreadable` if it was wrapped under another master key. */
  unwrap(pseudonym: string, wrapped: Uint8Array): DataKey {
    return { pseudonym, key: open(this.wrappingKey, wrapped, `key:${pseudonym}`) };
  }

  /** True when `check` (from the database) was made by this master key. */
  matches(check: string): boolean {
    const a = Buffer.from(check, 'utf8');
    const b = Buffer.from(this.keyCheck, 'utf8');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** Seals `plaintext` under a person's data key; `what` names the column, bound into the tag. */
export function sealFor(dataKey: DataKey, what: string, plaintext: Uint8Array | string): Buffer {
  return seal(
    dataKey.key,
    typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext,
    `${what}:${dataKey.pseudonym}`,
  );
}

/** Opens a value sealed by {@link sealFor}. */
export function openFor(dataKey: DataKey, what: string, sealed: Uint8Array): Buffer {
  return open(dataKey.key, sealed, `${what}:${dataKey.pseudonym}`);
}

/** version (1) | nonce (12) | tag (16) | ciphertext. */
function seal(key: Buffer, plaintext: Uint8Array, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), body]);
}

function open(key: Buffer, sealed: Uint8Array, aad: string): Buffer {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== FORMAT_V1) {
    throw new StoreError('key_unreadable', 'A stored value is not in a format this Attune can read.');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(1, 1 + IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw new StoreError(
      'key_unreadable',
      'A stored value failed its integrity check (wrong master key, or the data was altered).',
      { cause: error },
    );
  }
}
