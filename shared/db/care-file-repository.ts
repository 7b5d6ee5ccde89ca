import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { AWAY_KINDS, CARE_RECORD_KINDS } from '../domain/care/care-file.js';
import type { AuditEvent } from './audit.js';
import type { TableRef } from './client.js';
import {
  CARE_RECORD_SK_PREFIX,
  COUNTY_CARE_FILES_PK,
  careFileIndexKeys,
  careFileKey,
  careRecordKey,
  PAIR_SK_PREFIX,
  pairKey,
  pairsPk,
  schoolCareFilesPk,
  townshipCareFilesPk,
} from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { queryAll, queryPage } from './query.js';
import { INDEX_BY_PARENT, INDEX_BY_UNIT, INDEX_OPEN_BY_DUE } from './table.js';
import { writeWithAudit } from './transact.js';

/**
 * A care file as stored. The identifying fields are only in `sealed`, each an AES-256-GCM
 * ciphertext bound to this file and field (shared/privacy/field-cipher.ts); `masked` holds what
 * lists show.
 */
export const CareFileRecordSchema = z.object({
  id: z.string(),
  schoolUnitId: z.string(),
  townshipUnitId: z.string(),
  grade: z.string(),
  className: z.string(),
  away: z.enum(AWAY_KINDS),
  guardianRelation: z.string().nullable(),
  sealed: z.object({
    childName: z.string(),
    village: z.string(),
    guardianName: z.string(),
    guardianPhone: z.string(),
  }),
  masked: z.object({ childName: z.string(), guardianPhone: z.string() }),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type CareFileRecord = z.infer<typeof CareFileRecordSchema>;

/** A support record as stored; `sealedContent` is what was done (it names the family). */
export const CareRecordRecordSchema = z.object({
  id: z.string(),
  careFileId: z.string(),
  kind: z.enum(CARE_RECORD_KINDS),
  date: z.string(),
  by: z.string(),
  sealedContent: z.string(),
  recordedAt: z.string(),
  recordedBy: z.string(),
});
export type CareRecordRecord = z.infer<typeof CareRecordRecordSchema>;

/** A teacher–child pair (师生结对) in one plan, with the ids of its two recurring tasks. */
export const PairRecordSchema = z.object({
  child: z.object({ kind: z.enum(['care-file', 'case']), id: z.string() }),
  planId: z.string(),
  teacher: z.object({ name: z.string(), phone: z.string() }),
  weeklyTaskId: z.string(),
  monthlyTaskId: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type PairRecord = z.infer<typeof PairRecordSchema>;

/** Which listing: a school's (CF2), a township's (CF3) or the county's (CF4). */
export type CareFileScope =
  | { by: 'school'; unitId: string; townshipUnitId?: string | undefined }
  | { by: 'township'; unitId: string }
  | { by: 'county' };

export interface CareFileRepository {
  /** Files a new care file with its audit event; false if the id exists. */
  create(record: CareFileRecord, audit: AuditEvent): Promise<boolean>;
  get(careFileId: string): Promise<CareFileRecord | undefined>;
  /** A file's support records, in the order recorded. */
  records(careFileId: string): Promise<CareRecordRecord[]>;
  /** Appends a support record with its audit event; false if its key exists. */
  addRecord(record: CareRecordRecord, audit: AuditEvent): Promise<boolean>;
  /** A whole view's audit event, alone (the read changes nothing else). */
  recordView(audit: AuditEvent): Promise<void>;
  list(scope: CareFileScope, page: PageRequest): Promise<Page<CareFileRecord>>;
  /** A child's pairs, one per plan. */
  pairs(child: PairRecord['child']): Promise<PairRecord[]>;
  /** Writes a pair once with its audit event; false if the child already has one in that plan. */
  createPair(pair: PairRecord, audit: AuditEvent): Promise<boolean>;
}

const INDEX_OF = {
  school: { index: INDEX_BY_UNIT, pk: 'gsi1pk', sk: 'gsi1sk' },
  township: { index: INDEX_BY_PARENT, pk: 'gsi2pk', sk: 'gsi2sk' },
  county: { index: INDEX_OPEN_BY_DUE, pk: 'gsi3pk', sk: 'gsi3sk' },
} as const;

export function careFileRepository(ref: TableRef): CareFileRepository {
  const { doc, tableName } = ref;
  const parse = (i: Record<string, unknown>) => CareFileRecordSchema.parse(i);
  const putOnce = (Item: Record<string, unknown>) => ({
    Put: { TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
  });

  return {
    create(record, audit) {
      return writeWithAudit(
        ref,
        [
          putOnce({
            ...careFileKey(record.id),
            ...careFileIndexKeys(record),
            entity: 'CareFile',
            ...record,
          }),
        ],
        audit,
      );
    },

    async get(careFileId) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: careFileKey(careFileId), ConsistentRead: true }),
      );
      return out.Item === undefined ? undefined : parse(out.Item);
    },

    async records(careFileId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :record)',
        ExpressionAttributeValues: { ':pk': careFileKey(careFileId).pk, ':record': CARE_RECORD_SK_PREFIX },
        ConsistentRead: true,
      });
      return items.map((i) => CareRecordRecordSchema.parse(i));
    },

    addRecord(record, audit) {
      return writeWithAudit(
        ref,
        [
          putOnce({
            ...careRecordKey(record.careFileId, record.recordedAt, record.id),
            entity: 'CareRecord',
            ...record,
          }),
        ],
        audit,
      );
    },

    async recordView(audit) {
      await writeWithAudit(ref, [], audit);
    },

    list(scope, page) {
      const at = INDEX_OF[scope.by];
      const pkValue =
        scope.by === 'school'
          ? schoolCareFilesPk(scope.unitId)
          : scope.by === 'township'
            ? townshipCareFilesPk(scope.unitId)
            : COUNTY_CARE_FILES_PK;
      const narrowed = scope.by === 'school' && scope.townshipUnitId !== undefined;
      return queryPage(
        doc,
        {
          TableName: tableName,
          IndexName: at.index.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': at.pk },
          ExpressionAttributeValues: {
            ':pk': pkValue,
            ...(narrowed ? { ':township': scope.townshipUnitId } : {}),
          },
          ...(narrowed ? { FilterExpression: 'townshipUnitId = :township' } : {}),
        },
        page,
        { attributes: ['pk', 'sk', at.pk, at.sk], partition: { [at.pk]: pkValue } },
        parse,
      );
    },

    async pairs(child) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :pair)',
        ExpressionAttributeValues: { ':pk': pairsPk(child), ':pair': PAIR_SK_PREFIX },
        ConsistentRead: true,
      });
      return items.map((i) => PairRecordSchema.parse(i));
    },

    createPair(pair, audit) {
      return writeWithAudit(
        ref,
        [putOnce({ ...pairKey(pair.child, pair.planId), entity: 'CarePair', ...pair })],
        audit,
      );
    },
  };
}
