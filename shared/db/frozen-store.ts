/**
 * Frozen documents (a 督办通报, a 台账 snapshot): a head item and the content as gzipped JSON cut
 * into parts, under one partition (R1: pk=REPORT#<id>, sk HEAD and PART#<nnnn>), written once in one
 * transaction with the audit event of their making, and checked against their SHA-256 when read.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { z } from '../schemas/common.js';
import { type AuditEvent, auditPut } from './audit.js';
import type { TableRef } from './client.js';
import { cancellationReasons } from './errors.js';
import { REPORT_HEAD_SK, reportHeadKey, reportPartKey } from './keys.js';
import { queryPages } from './query.js';

/**
 * Content is gzipped JSON cut into parts of this many bytes: far under DynamoDB's 400 KB item
 * limit, with room for the keys.
 */
export const REPORT_PART_BYTES = 256 * 1024;
/** Head and parts go in one transaction, which carries at most 4 MB; the content stays below this. */
export const REPORT_MAX_STORED_BYTES = 3_500_000;

export type CreateOutcome = 'created' | 'exists';

const StorageSchema = z.object({
  parts: z.number().int().min(1),
  bytes: z.number().int(),
  storedBytes: z.number().int(),
  sha256: z.string(),
});

const PartSchema = z.object({ sk: z.string(), data: z.instanceof(Uint8Array) });

const MAX_CONFLICT_RETRIES = 5;

/**
 * Writes the head (its attributes beside the key), every content part and the audit event in one
 * transaction, unless a document with this id exists: the head's condition makes the first writer
 * win; a later or concurrent one writes nothing (no audit event either) and gets 'exists'.
 */
export async function putFrozen(
  ref: TableRef,
  id: string,
  head: Record<string, unknown>,
  content: unknown,
  audit: AuditEvent,
): Promise<CreateOutcome> {
  const { doc, tableName } = ref;
  const json = Buffer.from(JSON.stringify(content), 'utf8');
  const stored = gzipSync(json);
  if (stored.length > REPORT_MAX_STORED_BYTES) {
    throw new Error(`Report ${id} is ${stored.length} bytes compressed, over ${REPORT_MAX_STORED_BYTES}`);
  }
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < stored.length; offset += REPORT_PART_BYTES) {
    parts.push(stored.subarray(offset, offset + REPORT_PART_BYTES));
  }
  const storage = {
    parts: parts.length,
    bytes: json.length,
    storedBytes: stored.length,
    sha256: createHash('sha256').update(json).digest('hex'),
  };
  const command = new TransactWriteCommand({
    TransactItems: [
      {
        Put: {
          TableName: tableName,
          Item: { ...reportHeadKey(id), ...head, storage },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...parts.map((data, i) => ({
        Put: {
          TableName: tableName,
          Item: { ...reportPartKey(id, i), entity: 'ReportPart', reportId: id, data },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
      auditPut(ref, audit),
    ],
  });
  for (let attempt = 0; ; attempt++) {
    try {
      await doc.send(command);
      return 'created';
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons === undefined) throw err;
      if (reasons.includes('ConditionalCheckFailed')) return 'exists';
      // Another writer's transaction on the same items is in flight: once it lands, ours finds
      // the head and stops; if it failed, ours goes through.
      if (!reasons.includes('TransactionConflict') || attempt >= MAX_CONFLICT_RETRIES) throw err;
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt * (0.5 + Math.random())));
      if (await headExists(ref, id)) return 'exists';
    }
  }
}

async function headExists(ref: TableRef, id: string): Promise<boolean> {
  const out = await ref.doc.send(
    new GetCommand({ TableName: ref.tableName, Key: reportHeadKey(id), ConsistentRead: true }),
  );
  return out.Item !== undefined;
}

/** Head and content (parsed JSON) of a frozen document, or undefined; a damaged one throws. */
export async function getFrozen(
  ref: TableRef,
  id: string,
): Promise<{ head: Record<string, unknown>; content: unknown } | undefined> {
  let head: Record<string, unknown> | undefined;
  const parts: Uint8Array[] = [];
  for await (const items of queryPages(ref.doc, {
    TableName: ref.tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': reportHeadKey(id).pk },
    ConsistentRead: true,
  })) {
    // 'HEAD' sorts before 'PART#0000', and parts in their order.
    for (const item of items) {
      if (item.sk === REPORT_HEAD_SK) head = item;
      else parts.push(PartSchema.parse(item).data);
    }
  }
  if (head === undefined) return undefined;
  const storage = StorageSchema.parse(head.storage);
  if (parts.length !== storage.parts) {
    throw new Error(`Report ${id} has ${parts.length} of ${storage.parts} parts`);
  }
  const json = gunzipSync(Buffer.concat(parts));
  if (createHash('sha256').update(json).digest('hex') !== storage.sha256) {
    throw new Error(`Report ${id} content does not match its checksum`);
  }
  return { head, content: JSON.parse(json.toString('utf8')) };
}
