/**
 * Encryption of identifying fields at rest (a child's name, guardian's phone, registry number),
 * with a key of their own — not the table's: whoever can read the table (a backup, an export of
 * the engine's folder, a misdirected Scan) still reads only ciphertext.
 *
 * AES-256-GCM with a random 96-bit IV per value. The record and field it belongs to are bound in
 * as associated data, so a ciphertext copied into another child's record or another field does
 * not decrypt. Each ciphertext names its key, so keys can rotate: new values use the current key,
 * old ones still open with theirs.
 *
 * Where the key comes from is a port: a key file in the data folder locally
 * (infra/local), a data key unwrapped by AWS KMS in the stack.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { UnavailableError } from '../errors.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export interface FieldKeys {
  /** The key new values are encrypted with. */
  current: { id: string; key: Uint8Array };
  /** Any key a stored value may name (the current one included), or undefined if unknown. */
  byId(id: string): Uint8Array | undefined;
}

export interface FieldCipher {
  /** `field` names the record and field, e.g. `case:<caseId>:guardianPhone`. */
  encrypt(plaintext: string, field: string): string;
  /** @throws Error when the value was altered, moved to another field, or its key is unknown. */
  decrypt(ciphertext: string, field: string): string;
}

/** Keys by id: the current one plus older ones kept to read what they wrote. */
export function fieldKeys(
  current: { id: string; key: Uint8Array },
  older: readonly { id: string; key: Uint8Array }[] = [],
): FieldKeys {
  for (const k of [current, ...older]) {
    if (k.key.length !== KEY_BYTES) throw new RangeError(`Field key ${k.id} must be ${KEY_BYTES} bytes`);
    if (!/^[A-Za-z0-9_-]+$/.test(k.id))
      throw new RangeError(`Field key id ${JSON.stringify(k.id)} must be [A-Za-z0-9_-]`);
  }
  const all = new Map([current, ...older].map((k) => [k.id, k.key]));
  return { current, byId: (id) => all.get(id) };
}

export function createFieldCipher(keys: FieldKeys): FieldCipher {
  return {
    encrypt(plaintext, field) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys.current.key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(field, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}:${keys.current.id}:${iv.toString('base64url')}:${body.toString('base64url')}`;
    },
    decrypt(ciphertext, field) {
      const [version, keyId = '', iv = '', body = ''] = ciphertext.split(':');
      if (version !== VERSION) throw new Error('Not an encrypted field value');
      const key = keys.byId(keyId);
      if (key === undefined) throw new Error(`Unknown field key ${keyId}`);
      const bytes = Buffer.from(body, 'base64url');
      if (bytes.length < TAG_BYTES) throw new Error('Encrypted field value is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(field, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}

/** Where a service gets its cipher: given, loaded at first use (the KMS key in AWS), or not set up. */
export type CipherSource = FieldCipher | (() => Promise<FieldCipher>) | undefined;

/**
 * The cipher of a source, loaded once per process at first use; a failed load is tried again by
 * the next call. Without a source, each call refuses with `unavailable` (503) and the message.
 */
export function cipherLoader(source: CipherSource, unavailable: string): () => Promise<FieldCipher> {
  let loading: Promise<FieldCipher> | undefined;
  return async () => {
    if (source === undefined) throw new UnavailableError(unavailable);
    if (typeof source !== 'function') return source;
    loading ??= source().catch((err: unknown) => {
      loading = undefined;
      throw err;
    });
    return loading;
  };
}
