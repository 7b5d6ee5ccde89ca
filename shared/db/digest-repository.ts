import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import { digestKey } from './keys.js';
import { withRetry, writeIfCondition } from './retry.js';

/** A unit's morning digest of one day as first composed: what every run that day posts. */
export interface StoredDigest {
  unitId: string;
  /** The local date (`YYYY-MM-DD`). */
  date: string;
  /** Null when there was nothing to tell the unit: nothing is posted. */
  title: string | null;
  markdown: string | null;
  composedAt: string;
  /** Every channel of the unit had its final result (已推送 / 失败) at the last run. */
  done: boolean;
}

export interface DigestRepository {
  /** Pattern G1 for many units (BatchGetItem): the digests of `date` already written, by unit. */
  getMany(unitIds: readonly string[], date: string): Promise<Map<string, StoredDigest>>;
  /**
   * Writes the unit's digest of the day once (a conditional write on its fixed key); when another
   * run wrote it first, that one is returned, so every run posts the same message.
   */
  create(digest: StoredDigest): Promise<StoredDigest>;
  markDone(unitId: string, date: string): Promise<void>;
}

const toDigest = (item: Record<string, unknown>): StoredDigest => ({
  unitId: item.unitId as string,
  date: item.date as string,
  title: (item.title as string | null | undefined) ?? null,
  markdown: (item.markdown as string | null | undefined) ?? null,
  composedAt: item.composedAt as string,
  done: item.done === true,
});

export function digestRepository(ref: TableRef): DigestRepository {
  const { doc, tableName } = ref;
  return {
    async getMany(unitIds, date) {
      const items = await batchGet(
        ref,
        unitIds.map((u) => digestKey(u, date)),
      );
      return new Map(items.map((item) => [item.unitId as string, toDigest(item)]));
    },

    async create(digest) {
      // UpdateItem, not PutItem: the delivery function may only update items under NOTICE#.
      const written = await writeIfCondition(() =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: digestKey(digest.unitId, digest.date),
            UpdateExpression:
              'SET entity = :entity, unitId = :unit, #date = :date, title = :title, markdown = :markdown, composedAt = :at, done = :done',
            ConditionExpression: 'attribute_not_exists(pk)',
            ExpressionAttributeNames: { '#date': 'date' },
            ExpressionAttributeValues: {
              ':entity': 'Digest',
              ':unit': digest.unitId,
              ':date': digest.date,
              ':title': digest.title,
              ':markdown': digest.markdown,
              ':at': digest.composedAt,
              ':done': digest.done,
            },
          }),
        ),
      );
      if (written) return digest;
      const out = await withRetry(() =>
        doc.send(
          new GetCommand({
            TableName: tableName,
            Key: digestKey(digest.unitId, digest.date),
            ConsistentRead: true,
          }),
        ),
      );
      return out.Item === undefined ? digest : toDigest(out.Item);
    },

    async markDone(unitId, date) {
      await writeIfCondition(() =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: digestKey(unitId, date),
            UpdateExpression: 'SET done = :done',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':done': true },
          }),
        ),
      );
    },
  };
}
