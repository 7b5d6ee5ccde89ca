import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from './audit.js';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import { importKey, taskKey } from './keys.js';
import { writeWithAudit } from './transact.js';

/** What is kept of a committed import: the file, who committed it, and the tasks it makes. */
export interface ImportRecord {
  planId: string;
  sha256: string;
  fileName: string | null;
  rows: number;
  taskIds: string[];
  committedAt: string;
  committedBy: string;
}

export interface ImportRepository {
  /**
   * Records a committed import with its audit event, once: false when this file was already
   * committed to the plan (a retry, a second upload), in which case nothing is written.
   */
  record(record: ImportRecord, audit: AuditEvent): Promise<boolean>;
  get(planId: string, sha256: string): Promise<ImportRecord | undefined>;
  /** Which of `taskIds` exist in the plan (pattern T1's items by key, BatchGetItem per 100). */
  existingTasks(planId: string, taskIds: readonly string[]): Promise<Set<string>>;
}

export function importRepository(ref: TableRef): ImportRepository {
  const { doc, tableName } = ref;
  return {
    record(record, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: { ...importKey(record.planId, record.sha256), entity: 'Import', ...record },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        audit,
      );
    },

    async existingTasks(planId, taskIds) {
      const items = await batchGet(
        ref,
        taskIds.map((id) => taskKey(planId, id)),
      );
      return new Set(items.map((item) => item.id as string));
    },

    async get(planId, sha256) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: importKey(planId, sha256), ConsistentRead: true }),
      );
      if (out.Item === undefined) return undefined;
      const { pk: _pk, sk: _sk, entity: _entity, ...rest } = out.Item;
      return rest as ImportRecord;
    },
  };
}
