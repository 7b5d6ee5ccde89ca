import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client.js';
import { FIELD_KEY_KEY } from './keys.js';
import { writeIfCondition } from './retry.js';

/** Pattern FK1's item: the data key of children's identifying fields, wrapped by a KMS key. */
export interface StoredFieldKey {
  /** The data key as KMS encrypted it (CiphertextBlob); only KMS can open it. */
  wrapped: Uint8Array;
  /** The KMS key that wrapped it (its ARN, as GenerateDataKey answered). */
  kmsKeyId: string;
  createdAt: string;
}

export interface FieldKeyRepository {
  /** The stored key, read consistently, or undefined before the first start. */
  get(): Promise<StoredFieldKey | undefined>;
  /**
   * Stores the key if none is stored yet (one conditional PutItem). False when another start got
   * there first: the caller then reads and uses that one, never its own.
   */
  putIfAbsent(key: StoredFieldKey): Promise<boolean>;
}

export function fieldKeyRepository(table: TableRef): FieldKeyRepository {
  return {
    async get() {
      const { Item } = await table.doc.send(
        new GetCommand({ TableName: table.tableName, Key: FIELD_KEY_KEY, ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      return {
        wrapped: Item.wrapped as Uint8Array,
        kmsKeyId: String(Item.kmsKeyId),
        createdAt: String(Item.createdAt),
      };
    },

    async putIfAbsent(key) {
      return writeIfCondition(() =>
        table.doc.send(
          new PutCommand({
            TableName: table.tableName,
            Item: { ...FIELD_KEY_KEY, entity: 'FieldKey', ...key },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },
  };
}
