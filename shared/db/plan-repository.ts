import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { contributionOf, mergeDeltas } from '../domain/plan/counters.js';
import type { PhaseClosure } from '../domain/plan/phase-gate.js';
import { ConflictError, NotFoundError, PhaseClosedError } from '../errors.js';
import { errorField, writeLog } from '../log.js';
import type { DutyRecord } from '../schemas/duties.js';
import { type Finding, FindingSchema } from '../schemas/findings.js';
import { type Plan, PlanSchema } from '../schemas/plans.js';
import { type Task, TaskSchema } from '../schemas/tasks.js';
import { type AuditEvent, auditPut } from './audit.js';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import {
  COUNTED_SINCE,
  counterRepository,
  type PendingCounts,
  pendingAttribute,
  pendingOf,
  SIGN_OFF_KEYED_SINCE,
} from './counter-repository.js';
import { dutyReplaceUpdate } from './duty-repository.js';
import { cancellationReasons, isConditionFailure } from './errors.js';
import {
  dutyIndexKeys,
  dutyKey,
  FINDING_SK_PREFIX,
  PLAN_DIRECTORY_PK,
  planDirectoryKeys,
  planKey,
  sweepPk,
  TASK_SK_PREFIX,
  taskKey,
} from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { parentPage, queryAll, queryPage } from './query.js';
import type { TransactItem } from './transact.js';
import { writeWithAudit } from './transact.js';

/** The plan's settings an office changes after creating it, each under optimistic locking. */
export type PlanSettingField = 'scoringRules' | 'lightSettings';

export interface PlanRepository {
  create(plan: Plan, audit: AuditEvent): Promise<void>;
  get(id: string): Promise<Plan | undefined>;
  /**
   * The plan, the counter deltas parked on it, and whether its counters are whole (one read): what
   * the plan view starts from. A plan stored before counters existed is not counted until its first
   * recount (the sweep runs it).
   */
  getWithPending(id: string): Promise<{ plan: Plan; pending: PendingCounts[]; counted: boolean } | undefined>;
  /** Newest first. */
  list(page: PageRequest): Promise<Page<Plan>>;
  /** Writes the task and one duty per responsible unit all together, or nothing. */
  createTaskWithDuties(
    task: Task,
    duties: DutyRecord[],
    audit: AuditEvent,
    extra?: TransactItem[],
    /** The responsible units' names, kept with the counters so the plan view needs no lookup. */
    unitNames?: ReadonlyMap<string, string>,
  ): Promise<void>;
  /**
   * Pattern T1, one page, optionally narrowed in the same Query by a filter (title contains `q`, one
   * phase, one unit as lead or co-unit): a filtered page may hold fewer than `limit` tasks and still
   * have a next page.
   */
  listTasks(planId: string, page: PageRequest, filter?: TaskFilter): Promise<Page<Task>>;
  getTask(planId: string, taskId: string): Promise<Task | undefined>;
  /**
   * The task's place (1, 2, …) in the plan's task list (pattern T1's order): the 督办单's number.
   * A COUNT Query of the keys up to it: read units grow with the tasks before it, nothing returned.
   */
  taskNumber(planId: string, taskId: string): Promise<number>;
  /** Pattern P1 for many ids at once (BatchGetItem): the plans that exist, keyed by id. */
  getMany(ids: readonly string[]): Promise<Map<string, Plan>>;
  /**
   * How many times work (a task, an occurrence) has been created in the phase: a close reads it
   * before it counts the phase's open duties, and closes only if it has not moved since.
   */
  phaseWork(planId: string, phaseKey: string): Promise<number>;
  /**
   * Closes the phase (`closure`) or reopens it (`null`) if the plan is still at `expected.version`
   * and, for a close, no work was created in the phase since `expected.work` was read; false if
   * either moved on (nothing written).
   */
  setPhaseClosure(
    planId: string,
    phaseKey: string,
    closure: PhaseClosure | null,
    expected: { version: number; work: number },
    audit: AuditEvent,
  ): Promise<boolean>;
  /**
   * Sets one of the plan's settings (量化考评规则, 亮灯设置) if it is still at `expectedVersion`, with
   * its audit event; false if the plan moved on (nothing written).
   */
  setSetting<K extends PlanSettingField>(
    planId: string,
    field: K,
    value: NonNullable<Plan[K]>,
    expectedVersion: number,
    audit: AuditEvent,
  ): Promise<boolean>;
  /** Pattern F1: a plan's findings, oldest first. */
  listFindings(planId: string): Promise<Finding[]>;
  /**
   * Writes one occurrence's duties together; false if they already exist (an earlier or concurrent
   * top-up wrote them: duty ids are fixed by task, unit and occurrence, so it is safe to repeat).
   */
  createOccurrence(duties: DutyRecord[], audit: AuditEvent): Promise<boolean>;
  /**
   * 转办: the parent duty becomes `parent.next` (its `handedTo` grown) if it is still open at the
   * version read, and the children are written with it, each only if absent (ids fixed by task,
   * unit and parent), the phase's gate and counters moved like any creation of work, and the
   * events recorded — all in one transaction. False when a condition failed (the parent moved on,
   * a child exists, the phase closed): nothing written.
   */
  createHandedDuties(
    parent: { next: DutyRecord; read: DutyRecord },
    children: DutyRecord[],
    audits: AuditEvent[],
    unitNames: ReadonlyMap<string, string>,
  ): Promise<boolean>;
  /** Moves a recurring task's horizon on, if no one else has since `expectedUntil`. */
  advanceOccurrences(
    task: Task,
    expectedUntil: string | null,
    next: { occurrencesUntil: string; nextMaterializeAt: string | null },
  ): Promise<boolean>;
}

/** The plan attribute counting the work created in a phase (a top-level number: ADD creates it). */
const phaseWorkAttribute = (phaseKey: string) => `phaseWork#${phaseKey}`;

/**
 * The phase gate in every transaction that creates work in a phase: the plan exists, the phase is
 * not closed, and the phase's work counter moves on, so a close that counted the phase's duties
 * before this commit fails its condition instead of closing over them.
 */
const phaseGateUpdate = (
  tableName: string,
  planId: string,
  phaseKey: string,
  pending: PendingCounts | null,
): TransactItem => ({
  Update: {
    TableName: tableName,
    Key: planKey(planId),
    // The creation's counter deltas ride on the same update (see counter-repository.ts).
    UpdateExpression: pending === null ? 'ADD #work :one' : 'ADD #work :one SET #pending = :pending',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(phaseClosures.#phase)',
    ExpressionAttributeNames: {
      '#work': phaseWorkAttribute(phaseKey),
      '#phase': phaseKey,
      ...(pending === null ? {} : { '#pending': pendingAttribute(pending.id) }),
    },
    ExpressionAttributeValues: { ':one': 1, ...(pending === null ? {} : { ':pending': pending.deltas }) },
  },
});

/**
 * What creating these duties adds to the counters, parked under `id`, with the units' names where
 * the caller knows them; null when there are none.
 */
const pendingFor = (
  id: string,
  duties: readonly DutyRecord[],
  unitNames: ReadonlyMap<string, string> = new Map(),
): PendingCounts | null =>
  duties.length === 0
    ? null
    : {
        id,
        deltas: mergeDeltas(
          duties.map((d) => {
            const name = unitNames.get(d.unitId);
            return { ...contributionOf(d), ...(name === undefined ? {} : { unitName: name }) };
          }),
        ),
      };

/** A transaction cancelled only because another one held an item: it wrote nothing; try again. */
const isTransactionConflict = (err: unknown) => {
  const reasons = cancellationReasons(err) ?? [];
  return reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed');
};

/** A task item; a recurring task with occurrences still to create sits in the sweep index. */
const taskItem = (task: Task) => ({
  ...taskKey(task.planId, task.id),
  entity: 'Task',
  ...task,
  ...(task.nextMaterializeAt === null
    ? {}
    : { gsi4pk: sweepPk(task.planId), gsi4sk: `${task.nextMaterializeAt}#TASK#${task.id}` }),
});

/** The stored form of a duty: its own fields plus the keys that place it in every index. */
/** What the task ledger narrows a plan's tasks by; every part optional. */
export interface TaskFilter {
  /** Part of the title. */
  q?: string | undefined;
  phaseKey?: string | undefined;
  /** Lead or co-unit. */
  unitId?: string | undefined;
}

/** The T1 Query's FilterExpression for `filter` (undefined when nothing narrows it). */
function taskFilterExpression(filter: TaskFilter): {
  expression: string | undefined;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const parts: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  if (filter.q !== undefined && filter.q !== '') {
    parts.push('contains(#title, :q)');
    names['#title'] = 'title';
    values[':q'] = filter.q;
  }
  if (filter.phaseKey !== undefined) {
    parts.push('#phase = :phase');
    names['#phase'] = 'phaseKey';
    values[':phase'] = filter.phaseKey;
  }
  if (filter.unitId !== undefined) {
    parts.push('(#lead = :unit OR contains(#co, :unit))');
    names['#lead'] = 'leadUnitId';
    names['#co'] = 'coUnitIds';
    values[':unit'] = filter.unitId;
  }
  return { expression: parts.length === 0 ? undefined : parts.join(' AND '), names, values };
}

export const dutyItem = (d: DutyRecord) => ({ ...dutyKey(d.id), ...dutyIndexKeys(d), entity: 'Duty', ...d });

/** A plan as stored: its own key and its place in the plan directory (P1, P2). */
export const planItem = (plan: Plan) => ({
  ...planKey(plan.id),
  ...planDirectoryKeys(plan.id, plan.createdAt),
  entity: 'Plan',
  ...plan,
  // Counted from its first duty on (see counter-repository.ts).
  [COUNTED_SINCE]: plan.createdAt,
  // Its duties carry their sign-off keys (D6) from the first on.
  [SIGN_OFF_KEYED_SINCE]: plan.createdAt,
});

export function planRepository(ref: TableRef): PlanRepository {
  const { doc, tableName } = ref;
  const counters = counterRepository(ref);

  /**
   * Applies a creation's parked deltas now that it is committed. A failure here loses nothing: the
   * deltas stay on the plan, readers add them, and the next sweep applies them.
   */
  async function settle(planId: string, pending: PendingCounts | null): Promise<void> {
    if (pending === null) return;
    try {
      await counters.applyPending(planId, pending);
    } catch (err) {
      writeLog({
        level: 'warn',
        message: 'counters left pending',
        planId,
        pendingId: pending.id,
        error: errorField(err),
      });
    }
  }

  async function getPlan(id: string): Promise<Plan | undefined> {
    const out = await doc.send(
      new GetCommand({ TableName: tableName, Key: planKey(id), ConsistentRead: true }),
    );
    return out.Item ? PlanSchema.parse(out.Item) : undefined;
  }

  return {
    async create(plan, audit) {
      const put = {
        Put: { TableName: tableName, Item: planItem(plan), ConditionExpression: 'attribute_not_exists(pk)' },
      };
      if (!(await writeWithAudit(ref, [put], audit))) {
        throw new ConflictError('plan_exists', `工作方案编号已存在:${plan.id}`);
      }
    },

    get: getPlan,

    async getWithPending(id) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: planKey(id), ConsistentRead: true }),
      );
      return out.Item
        ? {
            plan: PlanSchema.parse(out.Item),
            pending: pendingOf(out.Item),
            counted: typeof out.Item[COUNTED_SINCE] === 'string',
          }
        : undefined;
    },

    async getMany(ids) {
      const items = await batchGet(ref, ids.map(planKey));
      return new Map(items.map((item) => [item.id as string, PlanSchema.parse(item)]));
    },

    list(page) {
      return parentPage(ref, PLAN_DIRECTORY_PK, page, (i) => PlanSchema.parse(i), { newestFirst: true });
    },

    async createTaskWithDuties(task, duties, audit, extra = [], unitNames = new Map()) {
      // One transaction: a task is never visible without all its duties, and a retry after a
      // timeout cannot leave half of them (ids are fresh, so a retried request makes a new task).
      const pending = pendingFor(task.id, duties, unitNames);
      const send = () =>
        doc.send(
          new TransactWriteCommand({
            TransactItems: [
              phaseGateUpdate(tableName, task.planId, task.phaseKey, pending),
              {
                Put: {
                  TableName: tableName,
                  Item: taskItem(task),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...duties.map((d) => ({
                Put: {
                  TableName: tableName,
                  Item: dutyItem(d),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
              ...extra,
              auditPut(ref, audit),
            ],
          }),
        );
      try {
        // Tasks created at once in one plan all touch its item (the gate): one may be cancelled
        // for the other's sake, having written nothing.
        for (let attempt = 1; ; attempt++) {
          try {
            await send();
            break;
          } catch (err) {
            if (attempt >= 5 || !isTransactionConflict(err)) throw err;
            await new Promise((r) => setTimeout(r, 20 * attempt * (0.5 + Math.random())));
          }
        }
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons?.[0] === 'ConditionalCheckFailed') {
          if ((await getPlan(task.planId)) === undefined) throw new NotFoundError('工作方案', task.planId);
          throw new PhaseClosedError(task.phaseKey);
        }
        if (reasons?.includes('ConditionalCheckFailed')) {
          throw new ConflictError('task_exists', `任务编号已存在:${task.id}`);
        }
        throw err;
      }
      await settle(task.planId, pending);
    },

    async createOccurrence(duties, audit) {
      const [first] = duties;
      if (first === undefined) return false;
      // Named by the occurrence's first duty (ids are fixed by task, unit and occurrence).
      const pending = pendingFor(first.id, duties);
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              // A closed phase gets no new occurrences: this one is skipped like an existing one.
              phaseGateUpdate(tableName, first.planId, first.phaseKey, pending),
              ...duties.map((d) => ({
                Put: {
                  TableName: tableName,
                  Item: dutyItem(d),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
              auditPut(ref, audit),
            ],
          }),
        );
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons?.includes('ConditionalCheckFailed') || reasons?.includes('TransactionConflict'))
          return false;
        throw err;
      }
      await settle(first.planId, pending);
      return true;
    },

    async createHandedDuties(parent, children, audits, unitNames) {
      const [first] = children;
      if (first === undefined) return false;
      const pending = pendingFor(`handoff-${parent.next.id}-v${parent.next.version}`, children, unitNames);
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: dutyReplaceUpdate(
                  tableName,
                  parent.next,
                  { ...parent.read, status: 'open', read: parent.read },
                  'keep',
                ),
              },
              phaseGateUpdate(tableName, first.planId, first.phaseKey, pending),
              ...children.map((d) => ({
                Put: {
                  TableName: tableName,
                  Item: dutyItem(d),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
              ...audits.map((a) => auditPut(ref, a)),
            ],
          }),
        );
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons?.includes('ConditionalCheckFailed') || reasons?.includes('TransactionConflict'))
          return false;
        throw err;
      }
      await settle(first.planId, pending);
      return true;
    },

    async advanceOccurrences(task, expectedUntil, next) {
      const keep = next.nextMaterializeAt !== null;
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: taskKey(task.planId, task.id),
            UpdateExpression: keep
              ? 'SET occurrencesUntil = :until, nextMaterializeAt = :next, gsi4pk = :g4pk, gsi4sk = :g4sk'
              : 'SET occurrencesUntil = :until, nextMaterializeAt = :next REMOVE gsi4pk, gsi4sk',
            ConditionExpression:
              expectedUntil === null
                ? 'attribute_exists(pk) AND (attribute_not_exists(occurrencesUntil) OR occurrencesUntil = :null)'
                : 'occurrencesUntil = :expected',
            ExpressionAttributeValues: {
              ':until': next.occurrencesUntil,
              ':next': next.nextMaterializeAt,
              ...(keep
                ? { ':g4pk': sweepPk(task.planId), ':g4sk': `${next.nextMaterializeAt}#TASK#${task.id}` }
                : {}),
              ...(expectedUntil === null ? { ':null': null } : { ':expected': expectedUntil }),
            },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },

    async phaseWork(planId, phaseKey) {
      const out = await doc.send(
        new GetCommand({
          TableName: tableName,
          Key: planKey(planId),
          ProjectionExpression: '#work',
          ExpressionAttributeNames: { '#work': phaseWorkAttribute(phaseKey) },
          ConsistentRead: true,
        }),
      );
      const work = out.Item?.[phaseWorkAttribute(phaseKey)];
      return typeof work === 'number' ? work : 0;
    },

    async setPhaseClosure(planId, phaseKey, closure, expected, audit) {
      // An update of the two fields, not a Put of the plan: the phases' work counters stay.
      const names = { '#version': 'version', '#phase': phaseKey, '#work': phaseWorkAttribute(phaseKey) };
      const update =
        closure === null
          ? {
              UpdateExpression: 'REMOVE phaseClosures.#phase SET #version = :next',
              ConditionExpression: '#version = :expected AND attribute_exists(phaseClosures.#phase)',
              ExpressionAttributeNames: { '#version': 'version', '#phase': phaseKey },
              ExpressionAttributeValues: { ':expected': expected.version, ':next': expected.version + 1 },
            }
          : {
              UpdateExpression: 'SET phaseClosures.#phase = :closure, #version = :next',
              ConditionExpression:
                '#version = :expected AND attribute_not_exists(phaseClosures.#phase) AND ' +
                (expected.work === 0 ? 'attribute_not_exists(#work)' : '#work = :work'),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: {
                ':expected': expected.version,
                ':next': expected.version + 1,
                ':closure': closure,
                ...(expected.work === 0 ? {} : { ':work': expected.work }),
              },
            };
      return writeWithAudit(
        ref,
        [{ Update: { TableName: tableName, Key: planKey(planId), ...update } }],
        audit,
      );
    },

    async setSetting(planId, field, value, expectedVersion, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Update: {
              TableName: tableName,
              Key: planKey(planId),
              UpdateExpression: 'SET #rules = :rules, #version = :next',
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#rules': field, '#version': 'version' },
              ExpressionAttributeValues: {
                ':rules': value,
                ':expected': expectedVersion,
                ':next': expectedVersion + 1,
              },
            },
          },
        ],
        audit,
      );
    },

    async listFindings(planId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': planKey(planId).pk, ':prefix': FINDING_SK_PREFIX },
        ConsistentRead: true,
      });
      return items.map((i) => FindingSchema.parse(i));
    },

    async taskNumber(planId, taskId) {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :task',
            ExpressionAttributeValues: {
              ':pk': taskKey(planId, taskId).pk,
              ':first': TASK_SK_PREFIX,
              ':task': taskKey(planId, taskId).sk,
            },
            Select: 'COUNT',
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        count += out.Count ?? 0;
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return count;
    },

    async getTask(planId, taskId) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: taskKey(planId, taskId), ConsistentRead: true }),
      );
      return out.Item ? TaskSchema.parse(out.Item) : undefined;
    },

    listTasks(planId, page, filter = {}) {
      const pk = planKey(planId).pk;
      const { expression, names, values } = taskFilterExpression(filter);
      return queryPage(
        doc,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :task)',
          ExpressionAttributeValues: { ':pk': pk, ':task': TASK_SK_PREFIX, ...values },
          ...(expression === undefined
            ? {}
            : { FilterExpression: expression, ExpressionAttributeNames: names }),
          ConsistentRead: true,
        },
        page,
        { attributes: ['pk', 'sk'], partition: { pk } },
        (i) => TaskSchema.parse(i),
      );
    },
  };
}
