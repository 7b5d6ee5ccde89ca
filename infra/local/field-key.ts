import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type FieldKeys, fieldKeys, KEY_BYTES } from '../../shared/privacy/field-cipher.js';
import { MEMORY } from './dev-secret.js';

export const FIELD_KEY_FILE = 'field-key';

/**
 * The local key of children's identifying fields (shared/privacy/field-cipher.ts): 32 random bytes
 * in `<dataDir>/field-key`, mode 0600, made at the first start and never rewritten — losing it
 * loses every sealed field, so a file that is not a key stops the start instead of being replaced.
 * With DUBAN_DATA_DIR=memory the data lives only as long as the process, and so does its key.
 * The key id is derived from the key, so ciphertexts name the key that made them.
 */
export function loadFieldKeys(dataDir: string): FieldKeys {
  if (dataDir === MEMORY) return keysOf(randomBytes(KEY_BYTES));
  const file = join(dataDir, FIELD_KEY_FILE);
  try {
    // 'wx': two starts racing on a fresh folder cannot both write; the loser reads the winner's key.
    writeFileSync(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `${file} 不是有效的密钥(应为 ${KEY_BYTES} 字节的 base64)。${file} is not a ${KEY_BYTES}-byte base64 key; ` +
        'restore it from a backup (a new key cannot open what the old one sealed).',
    );
  }
  return keysOf(key);
}

function keysOf(key: Uint8Array): FieldKeys {
  const id = `local-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
  return fieldKeys({ id, key });
}
