import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { ROSTER_KINDS } from '../domain/dropout/roster-rows.js';
import type { AuditEvent } from './audit.js';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import { cancellationReasons } from './errors.js';
import {
  countyLedgerPk,
  ROSTER_ENTRY_SK_PREFIX,
  rosterEntryKey,
  rosterImportKey,
  rosterLedgerKeys,
  rosterPk,
  SEMESTER_DIRECTORY_PK,
  schoolLedgerPk,
  semesterDirectoryKeys,
  semesterKey,
  townshipLedgerPk,
} from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { parentPage, queryAll, queryPage, queryPages } from './query.js';
import { INDEX_BY_PARENT, INDEX_BY_UNIT, INDEX_OPEN_BY_DUE } from './table.js';
import { writeWithAudit } from './transact.js';

/** A semester (学期) as stored: its dates, and the filing duty's plan, phase, due time and schools. */
export const SemesterRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  startDate: z.string(),
  endDate: z.string().nullable(),
  planId: z.string(),
  phaseKey: z.string(),
  rosterDueAt: z.string(),
  schoolUnitIds: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type SemesterRecord = z.infer<typeof SemesterRecordSchema>;

/**
 * One child of a school's roster as stored. The identifying fields are only in `sealed` (the field
 * cipher, bound to this entry and field); `masked` is what the ledger shows.
 */
export const RosterEntryRecordSchema = z.object({
  id: z.string(),
  semesterId: z.string(),
  schoolUnitId: z.string(),
  townshipUnitId: z.string().nullable(),
  kind: z.enum(ROSTER_KINDS),
  grade: z.string(),
  className: z.string(),
  residenceTownship: z.string(),
  verifiedElsewhere: z.boolean(),
  sealed: z.object({
    childName: z.string(),
    guardianName: z.string(),
    guardianPhone: z.string(),
    residenceVillage: z.string().nullable(),
    registryNumber: z.string().nullable(),
  }),
  masked: z.object({
    childName: z.string(),
    guardianName: z.string(),
    guardianPhone: z.string(),
    registryNumber: z.string().nullable(),
  }),
  sha256: z.string(),
  row: z.number().int(),
  importedAt: z.string(),
  importedBy: z.string(),
});
export type RosterEntryRecord = z.infer<typeof RosterEntryRecordSchema>;

/** A school's committed roster file: written once per file, with its audit event. */
export interface RosterImportRecord {
  semesterId: string;
  schoolUnitId: string;
  sha256: string;
  fileName: string | null;
  rows: number;
  entryIds: string[];
  committedAt: string;
  committedBy: string;
}

/** Which part of the ledger: a school's (RS2), a township's (RS3) or the county's (RS4). */
export type LedgerScope =
  | { by: 'school'; unitId: string }
  | { by: 'township'; unitId: string }
  | { by: 'county' };

export interface RosterRepository {
  /** Files a semester with its audit event; false if the id exists (nothing written). */
  createSemester(record: SemesterRecord, audit: AuditEvent): Promise<boolean>;
  getSemester(semesterId: string): Promise<SemesterRecord | undefined>;
  listSemesters(page: PageRequest): Promise<Page<SemesterRecord>>;
  getImport(
    semesterId: string,
    schoolUnitId: string,
    sha256: string,
  ): Promise<RosterImportRecord | undefined>;
  /** Records a committed file with its audit event, once: false if it was committed before. */
  recordImport(record: RosterImportRecord, audit: AuditEvent): Promise<boolean>;
  /**
   * Writes the entries not already there (ids are fixed by file and row), each conditional: a
   * repeat or a concurrent commit of the same file writes each entry once. Answers how many it wrote.
   */
  putEntries(entries: readonly RosterEntryRecord[]): Promise<number>;
  /** RS1: the key facts (id, roster, file) of every child the school filed for the semester. */
  entriesOf(
    semesterId: string,
    schoolUnitId: string,
  ): Promise<Pick<RosterEntryRecord, 'id' | 'kind' | 'sha256' | 'semesterId' | 'schoolUnitId'>[]>;
  /** Deletes these children's entries (replaced by a later file): ids are fixed by file and row, so a repeat deletes nothing more. */
  deleteEntries(
    entries: readonly Pick<RosterEntryRecord, 'id' | 'kind' | 'semesterId' | 'schoolUnitId'>[],
  ): Promise<void>;
  /** RS2–RS4: one page of the ledger, in key order (township, school, roster). */
  ledger(semesterId: string, scope: LedgerScope, page: PageRequest): Promise<Page<RosterEntryRecord>>;
  /** The same ledger, every page (an export), a page at a time. */
  ledgerPages(semesterId: string, scope: LedgerScope): AsyncGenerator<RosterEntryRecord[]>;
  /** An export's (or a whole view's) audit event, alone. */
  recordView(audit: AuditEvent): Promise<void>;
}

/** TransactWriteItems takes at most 100 items. */
const WRITE_CHUNK = 100;

const LEDGER_INDEX = {
  school: { index: INDEX_BY_UNIT, pk: 'gsi1pk', sk: 'gsi1sk' },
  township: { index: INDEX_BY_PARENT, pk: 'gsi2pk', sk: 'gsi2sk' },
  county: { index: INDEX_OPEN_BY_DUE, pk: 'gsi3pk', sk: 'gsi3sk' },
} as const;

export function rosterRepository(ref: TableRef): RosterRepository {
  const { doc, tableName } = ref;
  const parseSemester = (i: Record<string, unknown>) => SemesterRecordSchema.parse(i);
  const parseEntry = (i: Record<string, unknown>) => RosterEntryRecordSchema.parse(i);
  const entryItem = (e: RosterEntryRecord) => ({
    ...rosterEntryKey(e),
    ...rosterLedgerKeys(e),
    entity: 'RosterEntry',
    ...e,
  });

  function ledgerQuery(semesterId: string, scope: LedgerScope) {
    const at = LEDGER_INDEX[scope.by];
    const pkValue =
      scope.by === 'school'
        ? schoolLedgerPk(semesterId, scope.unitId)
        : scope.by === 'township'
          ? townshipLedgerPk(semesterId, scope.unitId)
          : countyLedgerPk(semesterId);
    return {
      at,
      pkValue,
      input: {
        TableName: tableName,
        IndexName: at.index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': at.pk },
        ExpressionAttributeValues: { ':pk': pkValue },
      },
    };
  }

  async function writeChunk(chunk: readonly RosterEntryRecord[]): Promise<number> {
    let pending = chunk;
    for (let attempt = 0; attempt < 3 && pending.length > 0; attempt++) {
      // Those already stored (an earlier commit of the file, a concurrent one) are left as they are.
      const stored = new Set((await batchGet(ref, pending.map(rosterEntryKey))).map((i) => i.id as string));
      pending = pending.filter((e) => !stored.has(e.id));
      if (pending.length === 0) return 0;
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: pending.map((e) => ({
              Put: {
                TableName: tableName,
                Item: entryItem(e),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            })),
          }),
        );
        return pending.length;
      } catch (err) {
        if (!cancellationReasons(err)?.includes('ConditionalCheckFailed')) throw err;
      }
    }
    if (pending.length > 0) throw new Error('roster entries kept colliding with a concurrent commit');
    return 0;
  }

  return {
    createSemester(record, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: {
                ...semesterKey(record.id),
                ...semesterDirectoryKeys(record.id, record.startDate),
                entity: 'Semester',
                ...record,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        audit,
      );
    },

    async getSemester(semesterId) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: semesterKey(semesterId), ConsistentRead: true }),
      );
      return out.Item === undefined ? undefined : parseSemester(out.Item);
    },

    listSemesters(page) {
      return parentPage(ref, SEMESTER_DIRECTORY_PK, page, parseSemester, { newestFirst: true });
    },

    async getImport(semesterId, schoolUnitId, sha256) {
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: rosterImportKey(semesterId, schoolUnitId, sha256),
          ConsistentRead: true,
        }),
      );
      if (out.Item === undefined) return undefined;
      const { pk: _pk, sk: _sk, entity: _entity, ...rest } = out.Item;
      return rest as RosterImportRecord;
    },

    recordImport(record, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: {
                ...rosterImportKey(record.semesterId, record.schoolUnitId, record.sha256),
                entity: 'RosterImport',
                ...record,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        audit,
      );
    },

    async putEntries(entries) {
      let written = 0;
      for (let i = 0; i < entries.length; i += WRITE_CHUNK) {
        written += await writeChunk(entries.slice(i, i + WRITE_CHUNK));
      }
      return written;
    },

    async entriesOf(semesterId, schoolUnitId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
        ProjectionExpression: 'id, kind, sha256',
        ExpressionAttributeValues: {
          ':pk': rosterPk(semesterId, schoolUnitId),
          ':entry': ROSTER_ENTRY_SK_PREFIX,
        },
        ConsistentRead: true,
      });
      return items.map((i) => ({
        id: String(i.id),
        kind: RosterEntryRecordSchema.shape.kind.parse(i.kind),
        sha256: String(i.sha256),
        semesterId,
        schoolUnitId,
      }));
    },

    async deleteEntries(entries) {
      for (let i = 0; i < entries.length; i += WRITE_CHUNK) {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: entries
              .slice(i, i + WRITE_CHUNK)
              .map((e) => ({ Delete: { TableName: tableName, Key: rosterEntryKey(e) } })),
          }),
        );
      }
    },

    ledger(semesterId, scope, page) {
      const { at, pkValue, input } = ledgerQuery(semesterId, scope);
      return queryPage(
        doc,
        input,
        page,
        { attributes: ['pk', 'sk', at.pk, at.sk], partition: { [at.pk]: pkValue } },
        parseEntry,
      );
    },

    async *ledgerPages(semesterId, scope) {
      for await (const items of queryPages(doc, { ...ledgerQuery(semesterId, scope).input, Limit: 500 })) {
        yield items.map(parseEntry);
      }
    },

    async recordView(audit) {
      await writeWithAudit(ref, [], audit);
    },
  };
}
