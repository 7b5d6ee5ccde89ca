/**
 * The key of children's identifying fields in AWS (shared/privacy/field-cipher.ts): a data key
 * made by AWS KMS once, kept in the table only as KMS wrapped it (pattern FK1 in shared/db/keys.ts),
 * and unwrapped by KMS at each cold start. The plaintext key lives in the function's memory only:
 * whoever reads the table (a backup, an export, a misdirected Scan) holds ciphertext sealed under a
 * key that only a caller allowed kms:Decrypt on the KMS key can open.
 *
 * First start: no stored key, so GenerateDataKey (AES_256) and one conditional PutItem. Two first
 * starts racing both generate; one put wins, the other reads the winner's key, unwraps it and drops
 * its own, so every function seals with the same key. Every later start: one GetItem, one Decrypt.
 *
 * The key id that ciphertexts carry is derived from the wrapped blob (`kms-<12 hex>`): the same
 * stored key gives the same id in every function, and a new key (after a re-key) a new one.
 */
import { createHash } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { FieldKeyRepository } from '../db/field-key-repository.js';
import { type FieldKeys, fieldKeys, KEY_BYTES } from './field-cipher.js';

/**
 * Bound into every wrap and unwrap: the data key opens only for this purpose, so a blob of another
 * application under the same KMS key cannot be passed off as it, nor it as theirs.
 */
export const FIELD_KEY_ENCRYPTION_CONTEXT = { purpose: 'duban:field-key' } as const;

export interface KmsFieldKeysDeps {
  kms: KMSClient;
  /** The KMS key (id, ARN or alias) that wraps the data key: DUBAN_FIELD_KMS_KEY_ID. */
  kmsKeyId: string;
  store: FieldKeyRepository;
  clock?: () => Date;
}

/** Reads (or, at the very first start, makes and stores) the data key and unwraps it. */
export async function loadKmsFieldKeys(deps: KmsFieldKeysDeps): Promise<FieldKeys> {
  const stored = await deps.store.get();
  if (stored !== undefined) return keysOf(stored.wrapped, await unwrap(deps, stored.wrapped));

  const made = await deps.kms.send(
    new GenerateDataKeyCommand({
      KeyId: deps.kmsKeyId,
      KeySpec: 'AES_256',
      EncryptionContext: { ...FIELD_KEY_ENCRYPTION_CONTEXT },
    }),
  );
  if (made.Plaintext === undefined || made.CiphertextBlob === undefined)
    throw new Error('KMS GenerateDataKey answered without a key');
  const won = await deps.store.putIfAbsent({
    wrapped: made.CiphertextBlob,
    kmsKeyId: made.KeyId ?? deps.kmsKeyId,
    createdAt: (deps.clock?.() ?? new Date()).toISOString(),
  });
  if (won) return keysOf(made.CiphertextBlob, made.Plaintext);

  // Another start stored its key first: use that one, so nothing is ever sealed with ours.
  made.Plaintext.fill(0);
  const winner = await deps.store.get();
  if (winner === undefined) throw new Error('The stored field key vanished after a refused put');
  return keysOf(winner.wrapped, await unwrap(deps, winner.wrapped));
}

async function unwrap(deps: KmsFieldKeysDeps, wrapped: Uint8Array): Promise<Uint8Array> {
  try {
    const { Plaintext } = await deps.kms.send(
      new DecryptCommand({
        CiphertextBlob: wrapped,
        // Named, so a blob wrapped by any other KMS key is refused rather than opened.
        KeyId: deps.kmsKeyId,
        EncryptionContext: { ...FIELD_KEY_ENCRYPTION_CONTEXT },
      }),
    );
    if (Plaintext === undefined) throw new Error('KMS Decrypt answered without a key');
    return Plaintext;
  } catch (err) {
    throw new Error(
      `The stored field key (FIELDKEY/CURRENT) does not open with KMS key ${deps.kmsKeyId}: ` +
        `${(err as Error).name}: ${(err as Error).message}. Sealed case fields need the key that wrapped it; ` +
        'never delete the item or the KMS key.',
      { cause: err },
    );
  }
}

/** The key id every function derives alike from the stored blob. */
export function kmsFieldKeyId(wrapped: Uint8Array): string {
  return `kms-${createHash('sha256').update(wrapped).digest('hex').slice(0, 12)}`;
}

function keysOf(wrapped: Uint8Array, key: Uint8Array): FieldKeys {
  if (key.length !== KEY_BYTES) throw new Error(`The field data key must be ${KEY_BYTES} bytes`);
  return fieldKeys({ id: kmsFieldKeyId(wrapped), key });
}
