import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DEFAULT_STEP_DEADLINES, PERSUASION_STEPS } from '../domain/dropout/case-ladder.js';
import { ROSTER_KINDS } from '../domain/dropout/roster-rows.js';
import type { AuditEvent } from './audit.js';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import { cancellationReasons } from './errors.js';
import {
  CASE_ERASE_PK,
  CASE_STEP_SK_PREFIX,
  CASE_SWEEP_PK,
  COUNTY_CASES_PK,
  caseChainClassAttr,
  caseChainKey,
  caseIndexKeys,
  caseKey,
  caseRosterKey,
  caseSettingsKey,
  caseStepKey,
  caseSweepKeys,
  schoolCasesPk,
  townshipCasesPk,
} from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { queryAll, queryPage, queryPages } from './query.js';
import { writeIfCondition } from './retry.js';
import { INDEX_BY_PARENT, INDEX_BY_UNIT, INDEX_OPEN_BY_DUE, INDEX_SWEEP_BY_NEXT_ACTION } from './table.js';
import { writeWithAudit } from './transact.js';

const STEP_KEYS = PERSUASION_STEPS.map((s) => s.key) as [
  (typeof PERSUASION_STEPS)[number]['key'],
  ...(typeof PERSUASION_STEPS)[number]['key'][],
];
const person = z.object({ name: z.string(), phone: z.string() });

/**
 * A case as stored. The identifying fields are only in `sealed`, each an AES-256-GCM ciphertext
 * bound to this case and field (shared/privacy/field-cipher.ts); `masked` holds what lists show.
 */
export const CaseRecordSchema = z.object({
  id: z.string(),
  schoolUnitId: z.string(),
  townshipUnitId: z.string(),
  /** Null when not given (no roster holds it). */
  gender: z.enum(['male', 'female']).nullable(),
  age: z.number().int().nullable(),
  grade: z.string(),
  className: z.string(),
  groups: z.object({
    registeredPoor: z.boolean(),
    monitored: z.boolean(),
    disabled: z.boolean(),
    homeTeaching: z.boolean(),
  }),
  teacher: person,
  leader: person,
  firstDayAbsent: z.string(),
  /** The roster row (三类花名册) the case was recorded from; absent or null when typed. */
  rosterRow: z
    .object({ semesterId: z.string(), entryId: z.string(), kind: z.enum(ROSTER_KINDS) })
    .nullable()
    .optional(),
  returnedOn: z.string().nullable(),
  returnEvidence: z.string().nullable(),
  registryUpdatedOn: z.string().nullable(),
  /** The date each persuasion step was first done: what the ladder's next step counts from. */
  stepsDone: z.partialRecord(z.enum(STEP_KEYS), z.string()),
  /** Null once erased at the end of retention (`erasedOn`). */
  sealed: z
    .object({
      childName: z.string(),
      guardianName: z.string(),
      guardianPhone: z.string(),
      birthYearMonth: z.string().nullable(),
      registryNumber: z.string().nullable(),
      village: z.string().nullable(),
    })
    .nullable(),
  masked: z.object({
    childName: z.string(),
    guardianPhone: z.string(),
    registryNumber: z.string().nullable(),
  }),
  createdAt: z.string(),
  createdBy: z.string(),
  version: z.number().int(),
  /**
   * The day the sweep reads the case next (K5), computed with every write of the case; null once
   * nothing is left to come. Absent on a case stored before the sweep walked cases: never read.
   */
  nextEscalationOn: z.string().nullable().optional(),
  /** The day the identifying fields were erased (retention); absent or null while kept. */
  erasedOn: z.string().nullable().optional(),
});
export type CaseRecord = z.infer<typeof CaseRecordSchema>;

/** A persuasion step as stored; `sealedResult` is the result's ciphertext (it names the family). */
export const CaseStepRecordSchema = z.object({
  id: z.string(),
  caseId: z.string(),
  kind: z.enum(STEP_KEYS),
  date: z.string(),
  by: z.string(),
  method: z.string(),
  /** Empty once the case's identifying fields are erased. */
  sealedResult: z.string(),
  evidence: z.array(z.string()),
  recordedAt: z.string(),
  recordedBy: z.string(),
});
export type CaseStepRecord = z.infer<typeof CaseStepRecordSchema>;

/** The office's 控辍保学 settings (K6): step deadlines and the retention period. */
export const CaseSettingsSchema = z.object({
  stepDeadlines: z.record(z.enum(STEP_KEYS), z.number().int()),
  /** School years kept after the one a case closed in: 1 = to the end of the following school year. */
  retentionSchoolYears: z.number().int(),
  version: z.number().int(),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable(),
});
export type CaseSettings = z.infer<typeof CaseSettingsSchema>;

export const DEFAULT_CASE_SETTINGS: CaseSettings = {
  stepDeadlines: DEFAULT_STEP_DEADLINES,
  retentionSchoolYears: 1,
  version: 0,
  updatedAt: null,
  updatedBy: null,
};

/** Which listing: a school's (K2), a township's (K3) or the county's (K4). */
export type CaseScope =
  | { by: 'school'; unitId: string }
  | { by: 'township'; unitId: string }
  | { by: 'county' };

/** A part of the listing's order: a key range (a stage of open cases) or a prefix (returned). */
export type CaseRange = { between: [string, string] } | { prefix: string } | null;

export interface CaseListFilter {
  /** Only cases in this township (a school's listing read by a township). */
  townshipUnitId?: string | undefined;
  /** Only cases with this special-group flag set. */
  group?: keyof CaseRecord['groups'] | undefined;
}

/** K9: a school's remembered 包保 people. */
export interface CaseChain {
  leader: CasePerson | null;
  /** The teacher of one class, if asked for a class and one is remembered. */
  teacher: CasePerson | null;
}
type CasePerson = z.infer<typeof person>;

export interface CaseRepository {
  /**
   * Files a new case with its audit event, remembers its 包保 people for the school (K9) and, for a
   * case from a roster row, marks the row's open case (K10); false if the id exists or the roster
   * row has an open case already (nothing written).
   */
  create(record: CaseRecord, audit: AuditEvent): Promise<boolean>;
  /** K9: one GetItem. */
  chainOf(schoolUnitId: string, klass: { grade: string; className: string } | undefined): Promise<CaseChain>;
  /** K10: the id of the open case recorded from this roster row, if any. */
  openCaseOfRoster(semesterId: string, entryId: string): Promise<string | undefined>;
  /** K10 for many rows of one semester (a pick list): entry id → open case id, one BatchGetItem per 100. */
  openCasesOfRoster(semesterId: string, entryIds: readonly string[]): Promise<Map<string, string>>;
  get(caseId: string): Promise<CaseRecord | undefined>;
  /** A case's steps, in the order recorded. */
  steps(caseId: string): Promise<CaseStepRecord[]>;
  /**
   * Writes a changed case (and a new step, if any, filed under the case's new version so steps keep
   * the order they were recorded in) with its audit event, only if the case is still at
   * `expectedVersion`; false otherwise, nothing written.
   */
  update(
    next: CaseRecord,
    expectedVersion: number,
    audit: AuditEvent,
    step?: CaseStepRecord,
    /** The return: the roster row's open-case mark (K10) goes in the same transaction. */
    closesRosterRow?: boolean,
  ): Promise<boolean>;
  /** A whole view's audit event, alone (the read changes nothing else). */
  recordView(audit: AuditEvent): Promise<void>;
  list(
    scope: CaseScope,
    range: CaseRange,
    filter: CaseListFilter,
    page: PageRequest,
  ): Promise<Page<CaseRecord>>;
  /** Every case of one part of a listing (K2–K4), in its order: a Query by key, never a scan. */
  listAll(scope: CaseScope, range: CaseRange): Promise<CaseRecord[]>;
  /** K5: open cases whose next escalation day is `today` or before, a page at a time. */
  dueForSweep(today: string): AsyncGenerator<CaseRecord[]>;
  /**
   * Moves a case's K5 day from `from` to `to` (null: off the index), only if the case is still at
   * `version` with that day; false otherwise (a change of the case wrote its own day). Index upkeep,
   * not a change of the case: no new version, no audit event.
   */
  moveEscalationDay(caseId: string, version: number, from: string, to: string | null): Promise<boolean>;
  /** K6: the office's settings, the defaults until it sets them. */
  settings(): Promise<CaseSettings>;
  /** Writes the settings with their audit event if still at `next.version - 1`; false otherwise. */
  putSettings(next: CaseSettings, audit: AuditEvent): Promise<boolean>;
  /** K7: returned cases not yet erased whose return date is `lastReturnedOn` or before, a page at a time. */
  dueForErasure(lastReturnedOn: string): AsyncGenerator<CaseRecord[]>;
  /**
   * Erases a case's identifying fields: its steps' results blanked, then the case written (off K7)
   * with its audit event, only if still at `expectedVersion`. Idempotent: a step already blank stays.
   */
  erase(next: CaseRecord, expectedVersion: number, audit: AuditEvent): Promise<boolean>;
}

const INDEX_OF = {
  school: { index: INDEX_BY_UNIT, pk: 'gsi1pk', sk: 'gsi1sk' },
  township: { index: INDEX_BY_PARENT, pk: 'gsi2pk', sk: 'gsi2sk' },
  county: { index: INDEX_OPEN_BY_DUE, pk: 'gsi3pk', sk: 'gsi3sk' },
} as const;

export function caseRepository(ref: TableRef): CaseRepository {
  const { doc, tableName } = ref;

  /** K2–K4: one listing's Query, a stage as a key range, the filters after it. */
  function listingQuery(scope: CaseScope, range: CaseRange, filter: CaseListFilter) {
    const at = INDEX_OF[scope.by];
    const pkValue =
      scope.by === 'school'
        ? schoolCasesPk(scope.unitId)
        : scope.by === 'township'
          ? townshipCasesPk(scope.unitId)
          : COUNTY_CASES_PK;
    const names: Record<string, string> = { '#pk': at.pk };
    const values: Record<string, unknown> = { ':pk': pkValue };
    let key = '#pk = :pk';
    if (range !== null) names['#sk'] = at.sk;
    if (range !== null && 'between' in range) {
      key += ' AND #sk BETWEEN :lo AND :hi';
      values[':lo'] = range.between[0];
      values[':hi'] = range.between[1];
    } else if (range !== null) {
      key += ' AND begins_with(#sk, :prefix)';
      values[':prefix'] = range.prefix;
    }
    const filters: string[] = [];
    if (filter.townshipUnitId !== undefined) {
      filters.push('townshipUnitId = :township');
      values[':township'] = filter.townshipUnitId;
    }
    if (filter.group !== undefined) {
      filters.push('#groups.#group = :yes');
      names['#groups'] = 'groups';
      names['#group'] = filter.group;
      values[':yes'] = true;
    }
    const input = {
      TableName: tableName,
      IndexName: at.index.name,
      KeyConditionExpression: key,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
    };
    return { input, at, pkValue };
  }
  const item = (r: CaseRecord) => ({ ...caseKey(r.id), ...caseIndexKeys(r), entity: 'Case', ...r });
  const parse = (i: Record<string, unknown>) => CaseRecordSchema.parse(i);

  /** A new case, its K9 chain and its K10 mark, in one transaction (see `create`). */
  function createOnce(
    record: CaseRecord,
    row: NonNullable<CaseRecord['rosterRow']> | null,
    audit: AuditEvent,
  ) {
    return writeWithAudit(
      ref,
      [
        {
          Put: {
            TableName: tableName,
            Item: item(record),
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: caseChainKey(record.schoolUnitId),
            UpdateExpression: 'SET entity = :entity, leader = :leader, #class = :teacher, updatedAt = :at',
            ExpressionAttributeNames: { '#class': caseChainClassAttr(record.grade, record.className) },
            ExpressionAttributeValues: {
              ':entity': 'CaseChain',
              ':leader': record.leader,
              ':teacher': record.teacher,
              ':at': record.createdAt,
            },
          },
        },
        ...(row === null
          ? []
          : [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...caseRosterKey(row.semesterId, row.entryId),
                    entity: 'CaseRosterRow',
                    entryId: row.entryId,
                    caseId: record.id,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ]),
      ],
      audit,
    );
  }

  return {
    async create(record, audit) {
      const row = record.rosterRow ?? null;
      // The school's K9 item is shared by its clerks' creations: another may hold it a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          return await createOnce(record, row, audit);
        } catch (err) {
          if (attempt >= 5 || !cancellationReasons(err)?.includes('TransactionConflict')) throw err;
          await new Promise((r) => setTimeout(r, 20 * attempt * (0.5 + Math.random())));
        }
      }
    },

    async chainOf(schoolUnitId, klass) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: caseChainKey(schoolUnitId), ConsistentRead: true }),
      );
      const found = out.Item ?? {};
      const teacher =
        klass === undefined ? undefined : found[caseChainClassAttr(klass.grade, klass.className)];
      return {
        leader: person
          .nullable()
          .catch(null)
          .parse(found.leader ?? null),
        teacher: person
          .nullable()
          .catch(null)
          .parse(teacher ?? null),
      };
    },

    async openCasesOfRoster(semesterId, entryIds) {
      const items = await batchGet(
        ref,
        entryIds.map((e) => caseRosterKey(semesterId, e)),
      );
      return new Map(items.map((i) => [String(i.entryId), String(i.caseId)]));
    },

    async openCaseOfRoster(semesterId, entryId) {
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: caseRosterKey(semesterId, entryId),
          ConsistentRead: true,
        }),
      );
      return out.Item === undefined ? undefined : String(out.Item.caseId);
    },

    async get(caseId) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: caseKey(caseId), ConsistentRead: true }),
      );
      return out.Item === undefined ? undefined : parse(out.Item);
    },

    async steps(caseId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :step)',
        ExpressionAttributeValues: { ':pk': caseKey(caseId).pk, ':step': CASE_STEP_SK_PREFIX },
        ConsistentRead: true,
      });
      return items.map((i) => CaseStepRecordSchema.parse(i));
    },

    update(next, expectedVersion, audit, step, closesRosterRow) {
      const row = closesRosterRow === true ? (next.rosterRow ?? null) : null;
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: item(next),
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': expectedVersion },
            },
          },
          ...(step === undefined
            ? []
            : [
                {
                  Put: {
                    TableName: tableName,
                    Item: {
                      ...caseStepKey(step.caseId, next.version),
                      entity: 'CaseStep',
                      ...step,
                    },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ]),
          ...(row === null
            ? []
            : [
                {
                  Delete: {
                    TableName: tableName,
                    Key: caseRosterKey(row.semesterId, row.entryId),
                    ConditionExpression: 'attribute_not_exists(pk) OR caseId = :case',
                    ExpressionAttributeValues: { ':case': next.id },
                  },
                },
              ]),
        ],
        audit,
      );
    },

    async recordView(audit) {
      await writeWithAudit(ref, [], audit);
    },

    async *dueForSweep(today) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_SWEEP_BY_NEXT_ACTION.name,
        KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk <= :upTo',
        ExpressionAttributeValues: { ':pk': CASE_SWEEP_PK, ':upTo': `${today}#~` },
        Limit: 200,
      })) {
        yield items.map(parse);
      }
    },

    async moveEscalationDay(caseId, version, from, to) {
      const move =
        to === null
          ? { update: 'SET nextEscalationOn = :to REMOVE gsi4pk, gsi4sk', values: { ':to': null } }
          : {
              update: 'SET nextEscalationOn = :to, gsi4pk = :g4pk, gsi4sk = :g4sk',
              values: {
                ':to': to,
                ':g4pk': caseSweepKeys(to, caseId).gsi4pk,
                ':g4sk': caseSweepKeys(to, caseId).gsi4sk,
              },
            };
      return writeIfCondition(() =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: caseKey(caseId),
            UpdateExpression: move.update,
            ConditionExpression: 'version = :v AND nextEscalationOn = :from',
            ExpressionAttributeValues: { ':v': version, ':from': from, ...move.values },
          }),
        ),
      );
    },

    list(scope, range, filter, page) {
      const { input, at, pkValue } = listingQuery(scope, range, filter);
      return queryPage(
        doc,
        input,
        page,
        { attributes: ['pk', 'sk', at.pk, at.sk], partition: { [at.pk]: pkValue } },
        parse,
      );
    },

    async settings() {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: caseSettingsKey(), ConsistentRead: true }),
      );
      if (out.Item === undefined) return DEFAULT_CASE_SETTINGS;
      const stored = CaseSettingsSchema.parse(out.Item);
      // A step added since the office saved falls back to its default.
      return { ...stored, stepDeadlines: { ...DEFAULT_STEP_DEADLINES, ...stored.stepDeadlines } };
    },

    putSettings(next, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: { ...caseSettingsKey(), entity: 'CaseSettings', ...next },
              ...(next.version === 1
                ? { ConditionExpression: 'attribute_not_exists(pk)' }
                : {
                    ConditionExpression: 'version = :v',
                    ExpressionAttributeValues: { ':v': next.version - 1 },
                  }),
            },
          },
        ],
        audit,
      );
    },

    async *dueForErasure(lastReturnedOn) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_SWEEP_BY_NEXT_ACTION.name,
        KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk <= :upTo',
        ExpressionAttributeValues: { ':pk': CASE_ERASE_PK, ':upTo': `${lastReturnedOn}#~` },
        Limit: 200,
      })) {
        yield items.map(parse);
      }
    },

    async erase(next, expectedVersion, audit) {
      // Each step's result first (idempotent); the case last, so a crash between leaves it on K7.
      const steps = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :step)',
        ExpressionAttributeValues: { ':pk': caseKey(next.id).pk, ':step': CASE_STEP_SK_PREFIX },
        ProjectionExpression: 'pk, sk',
        ConsistentRead: true,
      });
      for (const step of steps) {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { pk: step.pk, sk: step.sk },
            UpdateExpression: 'SET sealedResult = :blank',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':blank': '' },
          }),
        );
      }
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: item(next),
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': expectedVersion },
            },
          },
        ],
        audit,
      );
    },

    async listAll(scope, range) {
      return (await queryAll(doc, listingQuery(scope, range, {}).input)).map(parse);
    },
  };
}
