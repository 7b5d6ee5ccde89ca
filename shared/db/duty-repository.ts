import { isDeepStrictEqual } from 'node:util';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DutyStatus } from '../domain/duty/duty-status.js';
import type { DutyLightFields } from '../domain/duty/light.js';
import { type CountedDuty, changeDelta } from '../domain/plan/counters.js';
import { type DutyRecord, DutyRecordSchema } from '../schemas/duties.js';
import { type Task, TaskSchema } from '../schemas/tasks.js';
import type { AuditEvent } from './audit.js';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import { counterUpdate } from './counter-repository.js';
import { isConditionFailure } from './errors.js';
import {
  dutyIndexKeys,
  dutyKey,
  openDutiesPk,
  planDutiesPk,
  planDutiesSkPrefix,
  signOffKeys,
  sweepPk,
  sweepUpTo,
  unitDutiesPk,
  unitDutiesSkPrefix,
} from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { type QueryItems, queryPage, queryPages } from './query.js';
import { withRetry } from './retry.js';
import {
  INDEX_BY_PARENT,
  INDEX_BY_TASK,
  INDEX_BY_UNIT,
  INDEX_OPEN_BY_DUE,
  INDEX_SWEEP_BY_NEXT_ACTION,
} from './table.js';
import { type TransactItem, writeWithAudit } from './transact.js';

/** The fields of a duty that the plan's progress counts need. */
export interface DutyTally {
  id: string;
  unitId: string;
  phaseKey: string;
  status: DutyStatus;
  dueAt: string;
  /** Absent on duties stored before kinds existed: those are plain tasks. */
  kind?: DutyRecord['kind'];
  /** Read by the recount (what the counters follow); absent from the overdue listing. */
  returns?: number;
  submission?: { submittedAt: string } | null;
  acceptedAt?: string | null;
  receipt?: DutyRecord['receipt'] | undefined;
}

/** An open duty as the light rule and the overdue count read it. */
export type OpenLightTally = DutyLightFields & { unitId: string; phaseKey: string };

const OPEN_LIGHT_FIELDS = [
  'unitId',
  'phaseKey',
  'status',
  'dueAt',
  'roundStartedAt',
  'progress',
  'milestones',
  'progressRequired',
  'progressReports',
] as const;

/** Key order of a duty listing: by due time within a status, earliest first (`asc`) or latest. */
export type DueOrder = 'asc' | 'desc';

export type UpdateOutcome = { ok: true; duty: DutyRecord } | { ok: false; reason: 'stale' };

export interface DutyRepository {
  get(id: string): Promise<DutyRecord | undefined>;
  /** Pattern D3: a plan's duties, optionally of one status. */
  listByPlan(
    planId: string,
    filter: { status?: DutyStatus | undefined; order?: DueOrder | undefined },
    page: PageRequest,
  ): Promise<Page<DutyRecord>>;
  /** Pattern D2: a unit's duties, optionally in one plan and of one status. */
  listByUnit(
    unitId: string,
    filter: {
      planId?: string | undefined;
      status?: DutyStatus | undefined;
      dueBefore?: string | undefined;
      order?: DueOrder | undefined;
    },
    page: PageRequest,
  ): Promise<Page<DutyRecord>>;
  /** A task's open duties (at most `limit`), through its units' listings in the plan, every page read. */
  listByTask(
    task: { id: string; planId: string; leadUnitId: string; coUnitIds: string[] },
    page: { limit: number },
  ): Promise<DutyRecord[]>;
  /**
   * Pattern D7: every duty of a task, each unit's and each occurrence's, from the byTask index (one
   * Query, every page). Eventually consistent like any index read: for pages, not for decisions.
   */
  ofTask(taskId: string): Promise<DutyRecord[]>;
  /** The duties of one task (one occurrence of it) for the given units, through each unit's D2 listing. */
  dutiesOfTask(
    task: { id: string; planId: string; unitIds: readonly string[] },
    occurrenceKey: string | null,
  ): Promise<DutyRecord[]>;
  /** Pattern D4: a plan's open duties due before an instant, earliest first. */
  listOpenDueBefore(planId: string, before: string, page: PageRequest): Promise<Page<DutyRecord>>;
  /** Streams the plan's duties, a page at a time, projected to the fields counts need. */
  tallies(planId: string): AsyncGenerator<DutyTally[]>;
  /**
   * Pattern D2 with plan and status in the key: a unit's open duties in a plan, every page, projected
   * to what the light (and the overdue count) needs, not parsed: the 下级任务 summary's read.
   */
  openLightTallies(unitId: string, planId: string): AsyncGenerator<OpenLightTally[]>;
  /**
   * Pattern D4: the plan's open duties due before `before`, a page at a time, projected to what
   * progress needs: with the counters, all that a plan view reads that depends on the clock.
   */
  overdueTallies(planId: string, before: string): AsyncGenerator<DutyTally[]>;
  /**
   * Replaces a duty with `next` if it is still at `expected`'s version and status (`expected` is
   * the duty as read, or as the caller requires it). `next.version` must be `expected.version + 1`;
   * index keys follow the new status and due time; the plan's counters move by the difference in
   * the same transaction. Given `expected.read` (the duty as read at that version), only what
   * differs from it is written.
   * With `ladder: 'keep'` (a submit) the sweep's fields are left as stored; 'reset' (a new round)
   * writes them from `next`.
   */
  replace(
    next: DutyRecord,
    expected: ExpectedDuty,
    audit: AuditEvent,
    ladder?: 'keep' | 'reset',
    /** Other writes that must happen with this one or not at all (conditions included). */
    extra?: TransactItem[],
  ): Promise<UpdateOutcome>;
  /**
   * Puts a duty's D5 keys where `duty` (as read) says the sweep must next look (its ladder, or an
   * unsigned 签收's deadline), if it is still open at that version, round and level: the sweep's
   * repair of a wake-up left early by a signature. False when the duty has moved (left as it is).
   */
  resweep(duty: DutyRecord): Promise<boolean>;
  /** Pattern D5: what the sweep must act on by `now` (duties and recurring tasks), a page at a time. */
  dueForSweep(planId: string, now: string): AsyncGenerator<SweepItem[]>;
  /** Pattern D1 for many ids at once (BatchGetItem): the duties that exist, keyed by id. */
  getMany(ids: readonly string[]): Promise<Map<string, DutyRecord>>;
  /**
   * Pattern D2 across plans: a unit's duties of the given statuses in every plan, one Query a page
   * (1 MB) at a time. The key groups a unit's duties by plan before status, so the statuses are a
   * filter: every duty of the unit is read, only those asked for come back.
   */
  acrossPlans(unitId: string, statuses: readonly DutyStatus[]): AsyncGenerator<DutyRecord[]>;
  /**
   * Pattern D6: the duties in one sign-off partition (whose sort key begins with `prefix`, when
   * given), a page at a time.
   */
  inSignOff(pk: string, prefix?: string): AsyncGenerator<DutyRecord[]>;
  /**
   * Writes D6's keys on each of the plan's submitted duties that lacks them or holds others (one
   * stored before the sign-off index, or by hand): one conditional Update each, on the version and
   * status read, so a duty that changed meanwhile is left to that change, which wrote its own keys.
   * Idempotent; index upkeep, not a change of the duty, so no version and no audit event.
   */
  rekeySignOff(planId: string): Promise<{ read: number; rekeyed: number }>;
}

/** Conditional Updates in flight at once while a plan's submitted duties are re-keyed. */
const REKEYS_IN_FLIGHT = 8;

/**
 * What a replace requires of the stored duty (its version and status) and what the counters follow
 * of it; `read`, the duty as read there, narrows the write.
 */
export type ExpectedDuty = CountedDuty & {
  version: number;
  read?: DutyRecord | undefined;
};

export type SweepItem = { entity: 'Duty'; duty: DutyRecord } | { entity: 'Task'; task: Task };

/** Fields only the sweep writes (besides a ladder reset on a new round). */
const LADDER_FIELDS = ['nextLevelIndex', 'nextActionAt', 'lastNoticeLevel', 'receiptNoticedAt'] as const;
/** What the sweep moves without a new version: never left out of a write for matching a read copy. */
const SWEEP_MOVES = new Set<string>([...LADDER_FIELDS, 'gsi4pk', 'gsi4sk']);

const DUTY_INDEX_ATTRIBUTES = {
  byUnit: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
  byPlan: ['pk', 'sk', 'gsi2pk', 'gsi2sk'],
  open: ['pk', 'sk', 'gsi3pk', 'gsi3sk'],
} as const;

/**
 * The conditional Update that replaces a duty with `next` if it is still at `expected`: index keys
 * follow the new status and due time; with `ladder: 'keep'` the sweep's fields are left as stored.
 * With `expected.read`, attributes equal to the read copy's are not written: the write is smaller,
 * and a field another writer sets without a new version (an extension request's
 * pendingExtensionId) is never put back to what this caller read.
 */
export function dutyReplaceUpdate(
  tableName: string,
  next: DutyRecord,
  expected: ExpectedDuty,
  ladder: 'keep' | 'reset',
) {
  const { id: _id, ...fields } = next;
  const keys = dutyIndexKeys(next);
  const set: Record<string, unknown> = { ...fields, ...keys };
  const removals: string[] = [];
  if (ladder === 'keep') {
    // The ladder's fields belong to the sweep: a submit must not write back a stale copy.
    for (const f of LADDER_FIELDS) delete set[f];
    delete set.gsi4pk;
    delete set.gsi4sk;
    // Once a duty is not open nothing more fires (the sweep's writes require it open).
    if (next.status !== 'open') {
      set.nextActionAt = null;
      removals.push('gsi4pk', 'gsi4sk');
    }
  } else if (!('gsi4pk' in keys)) {
    removals.push('gsi4pk', 'gsi4sk');
  }
  // A duty that is no longer open leaves the sparse open-by-due index.
  if (!('gsi3pk' in keys)) removals.push('gsi3pk', 'gsi3sk');
  if (expected.read !== undefined) {
    const was: Record<string, unknown> = { ...expected.read, ...dutyIndexKeys(expected.read) };
    for (const [name, value] of Object.entries(set)) {
      if (!SWEEP_MOVES.has(name) && isDeepStrictEqual(was[name], value)) delete set[name];
    }
  }
  const names: Record<string, string> = { '#version': 'version', '#status': 'status' };
  const values: Record<string, unknown> = {
    ':expectedVersion': expected.version,
    ':expectedStatus': expected.status,
  };
  const assignments = Object.entries(set).map(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:v${i}`] = value;
    return `#f${i} = :v${i}`;
  });
  const remove = removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : '';
  return {
    TableName: tableName,
    Key: dutyKey(next.id),
    UpdateExpression: `SET ${assignments.join(', ')}${remove}`,
    ConditionExpression: 'attribute_exists(pk) AND #version = :expectedVersion AND #status = :expectedStatus',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

export function dutyRepository(ref: TableRef): DutyRepository {
  const { doc, tableName } = ref;
  const parse = (i: Record<string, unknown>) => DutyRecordSchema.parse(i);

  /** Every page of a unit's duties of one task in a plan (optionally of one status). */
  const taskDutiesOfUnit = (
    unitId: string,
    task: { id: string; planId: string },
    status?: DutyStatus,
  ): AsyncGenerator<QueryItems> =>
    queryPages(doc, {
      TableName: tableName,
      IndexName: INDEX_BY_UNIT.name,
      KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
      FilterExpression: 'taskId = :task',
      ExpressionAttributeValues: {
        ':pk': unitDutiesPk(unitId),
        ':prefix': unitDutiesSkPrefix(task.planId, status),
        ':task': task.id,
      },
    });

  return {
    async get(id) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: dutyKey(id), ConsistentRead: true }),
      );
      return out.Item ? DutyRecordSchema.parse(out.Item) : undefined;
    },

    listByPlan(planId, { status, order }, page) {
      const pk = planDutiesPk(planId);
      return queryPage(
        doc,
        {
          TableName: tableName,
          IndexName: INDEX_BY_PARENT.name,
          KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
          ExpressionAttributeValues: { ':pk': pk, ':prefix': planDutiesSkPrefix(status) },
          ScanIndexForward: order !== 'desc',
        },
        page,
        { attributes: DUTY_INDEX_ATTRIBUTES.byPlan, partition: { gsi2pk: pk } },
        parse,
      );
    },

    listByUnit(unitId, { planId, status, dueBefore, order }, page) {
      const pk = unitDutiesPk(unitId);
      const prefix = unitDutiesSkPrefix(planId, status);
      // With plan and status fixed, the sort key continues with the due time, so "due before"
      // is a range on the key, not a filter.
      const byDue = dueBefore !== undefined && planId !== undefined && status !== undefined;
      const acrossPlans = planId === undefined && status !== undefined;
      return queryPage(
        doc,
        {
          TableName: tableName,
          IndexName: INDEX_BY_UNIT.name,
          KeyConditionExpression: byDue
            ? 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to'
            : 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
          ExpressionAttributeValues: {
            ...(byDue
              ? { ':pk': pk, ':from': prefix, ':to': `${prefix}${dueBefore}` }
              : { ':pk': pk, ':prefix': prefix }),
            ...(acrossPlans ? { ':status': status } : {}),
          },
          // Across plans the key is grouped by plan first, so one status is a filter there (a page
          // may then hold fewer than `limit`); within a plan it is part of the key.
          ...(acrossPlans
            ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
            : {}),
          ScanIndexForward: order !== 'desc',
        },
        page,
        { attributes: DUTY_INDEX_ATTRIBUTES.byUnit, partition: { gsi1pk: pk } },
        parse,
      );
    },

    async listByTask(task, { limit }) {
      // Rare (the answer to creating a recurring task): each unit's duties in the plan, filtered,
      // every page of them (a unit's open duties can fill more than one), until `limit` are found.
      const found: DutyRecord[] = [];
      for (const unitId of [task.leadUnitId, ...task.coUnitIds]) {
        for await (const items of taskDutiesOfUnit(unitId, task, 'open')) {
          found.push(...items.map(parse));
          if (found.length >= limit) break;
        }
        if (found.length >= limit) break;
      }
      return found.sort((a, b) => a.dueAt.localeCompare(b.dueAt)).slice(0, limit);
    },

    async ofTask(taskId) {
      const found: DutyRecord[] = [];
      const pages = queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_TASK.name,
        KeyConditionExpression: 'taskId = :task',
        ExpressionAttributeValues: { ':task': taskId },
      });
      for await (const items of pages) found.push(...items.map(parse));
      return found;
    },

    async dutiesOfTask(task, occurrenceKey) {
      const found: DutyRecord[] = [];
      for (const unitId of task.unitIds) {
        for await (const items of taskDutiesOfUnit(unitId, task)) {
          for (const item of items) {
            const duty = parse(item);
            if (duty.occurrenceKey === occurrenceKey) found.push(duty);
          }
        }
      }
      return found;
    },

    listOpenDueBefore(planId, before, page) {
      const pk = openDutiesPk(planId);
      return queryPage(
        doc,
        {
          TableName: tableName,
          IndexName: INDEX_OPEN_BY_DUE.name,
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
          ExpressionAttributeValues: { ':pk': pk, ':before': before },
        },
        page,
        { attributes: DUTY_INDEX_ATTRIBUTES.open, partition: { gsi3pk: pk } },
        parse,
      );
    },

    async *tallies(planId) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_PARENT.name,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': planDutiesPk(planId) },
        ProjectionExpression:
          'id, unitId, phaseKey, #status, dueAt, #kind, #returns, submission.submittedAt, acceptedAt, receipt',
        ExpressionAttributeNames: { '#status': 'status', '#kind': 'kind', '#returns': 'returns' },
      })) {
        yield items as DutyTally[];
      }
    },

    async *openLightTallies(unitId, planId) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_UNIT.name,
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': unitDutiesPk(unitId),
          ':prefix': unitDutiesSkPrefix(planId, 'open'),
        },
        ProjectionExpression: OPEN_LIGHT_FIELDS.map((_, i) => `#f${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(OPEN_LIGHT_FIELDS.map((f, i) => [`#f${i}`, f])),
        Limit: 1000,
      })) {
        yield items as OpenLightTally[];
      }
    },

    async *overdueTallies(planId, before) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_OPEN_BY_DUE.name,
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
        ExpressionAttributeValues: { ':pk': openDutiesPk(planId), ':before': before },
        ProjectionExpression: 'id, unitId, phaseKey, #status, dueAt, #kind',
        ExpressionAttributeNames: { '#status': 'status', '#kind': 'kind' },
      })) {
        yield items as DutyTally[];
      }
    },

    async replace(next, before, audit, ladder = 'keep', extra = []) {
      // The change, its record and its counters are one: none exists without the others.
      const delta = changeDelta(before, next);
      const written = await writeWithAudit(
        ref,
        [
          { Update: dutyReplaceUpdate(tableName, next, before, ladder) },
          ...(delta === null ? [] : [counterUpdate(tableName, next.planId, delta)]),
          ...extra,
        ],
        audit,
      );
      if (!written) return { ok: false, reason: 'stale' };
      // No read-back: the write succeeded at the expected version, so the stored duty is `next`,
      // except that the sweep may have moved the ladder on ('keep'), which ends once not open.
      return {
        ok: true,
        duty: ladder === 'keep' && next.status !== 'open' ? { ...next, nextActionAt: null } : next,
      };
    },

    async resweep(duty) {
      const keys = dutyIndexKeys(duty);
      const set = 'gsi4pk' in keys;
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: dutyKey(duty.id),
            UpdateExpression: set ? 'SET gsi4pk = :g4pk, gsi4sk = :g4sk' : 'REMOVE gsi4pk, gsi4sk',
            ConditionExpression:
              '#status = :open AND #version = :version AND #round = :round AND nextLevelIndex = :index',
            ExpressionAttributeNames: { '#status': 'status', '#version': 'version', '#round': 'round' },
            ExpressionAttributeValues: {
              ':open': 'open',
              ':version': duty.version,
              ':round': duty.round,
              ':index': duty.nextLevelIndex,
              ...(set ? { ':g4pk': keys.gsi4pk, ':g4sk': keys.gsi4sk } : {}),
            },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    async *dueForSweep(planId, now) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_SWEEP_BY_NEXT_ACTION.name,
        KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk <= :upTo',
        ExpressionAttributeValues: { ':pk': sweepPk(planId), ':upTo': sweepUpTo(now) },
        Limit: 200,
      })) {
        const page: SweepItem[] = [];
        for (const item of items) {
          if (item.entity === 'Duty') page.push({ entity: 'Duty', duty: DutyRecordSchema.parse(item) });
          else if (item.entity === 'Task') page.push({ entity: 'Task', task: TaskSchema.parse(item) });
        }
        yield page;
      }
    },

    async getMany(ids) {
      const items = await batchGet(ref, ids.map(dutyKey));
      return new Map(items.map((item) => [item.id as string, parse(item)]));
    },

    async *acrossPlans(unitId, statuses) {
      if (statuses.length === 0) return;
      const wanted = Object.fromEntries(statuses.map((status, i) => [`:s${i}`, status]));
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_UNIT.name,
        KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        FilterExpression: `#status IN (${Object.keys(wanted).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pk': unitDutiesPk(unitId),
          ':prefix': unitDutiesSkPrefix(),
          ...wanted,
        },
      })) {
        yield items.map(parse);
      }
    },

    async *inSignOff(pk, prefix) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_OPEN_BY_DUE.name,
        KeyConditionExpression:
          prefix === undefined ? 'gsi3pk = :pk' : 'gsi3pk = :pk AND begins_with(gsi3sk, :prefix)',
        ExpressionAttributeValues: prefix === undefined ? { ':pk': pk } : { ':pk': pk, ':prefix': prefix },
      })) {
        yield items.map(parse);
      }
    },

    async rekeySignOff(planId) {
      let read = 0;
      let rekeyed = 0;
      const rekey = async (item: Record<string, unknown>): Promise<boolean> => {
        const duty = parse(item);
        const want = signOffKeys(duty);
        if (want?.gsi3pk === item.gsi3pk && want?.gsi3sk === item.gsi3sk) return false;
        try {
          await withRetry(() =>
            doc.send(
              new UpdateCommand({
                TableName: tableName,
                Key: dutyKey(duty.id),
                UpdateExpression:
                  want === null ? 'REMOVE gsi3pk, gsi3sk' : 'SET gsi3pk = :g3pk, gsi3sk = :g3sk',
                ConditionExpression: '#version = :version AND #status = :submitted',
                ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
                ExpressionAttributeValues: {
                  ':version': duty.version,
                  ':submitted': 'submitted',
                  ...(want === null ? {} : { ':g3pk': want.gsi3pk, ':g3sk': want.gsi3sk }),
                },
              }),
            ),
          );
          return true;
        } catch (err) {
          if (isConditionFailure(err)) return false;
          throw err;
        }
      };
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_PARENT.name,
        KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': planDutiesPk(planId),
          ':prefix': planDutiesSkPrefix('submitted'),
        },
      })) {
        read += items.length;
        for (let i = 0; i < items.length; i += REKEYS_IN_FLIGHT) {
          const done = await Promise.all(items.slice(i, i + REKEYS_IN_FLIGHT).map(rekey));
          rekeyed += done.filter(Boolean).length;
        }
      }
      return { read, rekeyed };
    },
  };
}
