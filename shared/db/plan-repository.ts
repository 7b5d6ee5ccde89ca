import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../errors.js';
import type { DutyRecord } from '../schemas/duties.js';
import { type Finding, FindingSchema } from '../schemas/findings.js';
import { type Plan, PlanSchema } from '../schemas/plans.js';
import { type Task, TaskSchema } from '../schemas/tasks.js';
import { type AuditEvent, auditPut } from './audit.js';
import type { TableRef } from './client.js';
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

export interface PlanRepository {
  create(plan: Plan, audit: AuditEvent): Promise<void>;
  get(id: string): Promise<Plan | undefined>;
  /** Newest first. */
  list(page: PageRequest): Promise<Page<Plan>>;
  /** Writes the task and one duty per responsible unit all together, or nothing. */
  createTaskWithDuties(
    task: Task,
    duties: DutyRecord[],
    audit: AuditEvent,
    extra?: TransactItem[],
  ): Promise<void>;
  listTasks(planId: string, page: PageRequest): Promise<Page<Task>>;
  getTask(planId: string, taskId: string): Promise<Task | undefined>;
  /** Replaces the plan (phase closures) if it is still at `expectedVersion`; false if it moved on. */
  update(plan: Plan, expectedVersion: number, audit: AuditEvent): Promise<boolean>;
  /** Pattern F1: a plan's findings, oldest first. */
  listFindings(planId: string): Promise<Finding[]>;
  /**
   * Writes one occurrence's duties together; false if they already exist (an earlier or concurrent
   * top-up wrote them: duty ids are fixed by task, unit and occurrence, so it is safe to repeat).
   */
  createOccurrence(duties: DutyRecord[], audit: AuditEvent): Promise<boolean>;
  /** Moves a recurring task's horizon on, if no one else has since `expectedUntil`. */
  advanceOccurrences(
    task: Task,
    expectedUntil: string | null,
    next: { occurrencesUntil: string; nextMaterializeAt: string | null },
  ): Promise<boolean>;
}

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
export const dutyItem = (d: DutyRecord) => ({ ...dutyKey(d.id), ...dutyIndexKeys(d), entity: 'Duty', ...d });

/** A plan as stored: its own key and its place in the plan directory (P1, P2). */
const planItem = (plan: Plan) => ({
  ...planKey(plan.id),
  ...planDirectoryKeys(plan.id, plan.createdAt),
  entity: 'Plan',
  ...plan,
});

export function planRepository(ref: TableRef): PlanRepository {
  const { doc, tableName } = ref;
  return {
    async create(plan, audit) {
      const put = {
        Put: { TableName: tableName, Item: planItem(plan), ConditionExpression: 'attribute_not_exists(pk)' },
      };
      if (!(await writeWithAudit(ref, [put], audit))) {
        throw new ConflictError('plan_exists', `工作方案编号已存在:${plan.id}`);
      }
    },

    async get(id) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: planKey(id), ConsistentRead: true }),
      );
      return out.Item ? PlanSchema.parse(out.Item) : undefined;
    },

    list(page) {
      return parentPage(ref, PLAN_DIRECTORY_PK, page, (i) => PlanSchema.parse(i), { newestFirst: true });
    },

    async createTaskWithDuties(task, duties, audit, extra = []) {
      // One transaction: a task is never visible without all its duties, and a retry after a
      // timeout cannot leave half of them (ids are fresh, so a retried request makes a new task).
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: tableName,
                  Key: planKey(task.planId),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
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
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons?.[0] === 'ConditionalCheckFailed') throw new NotFoundError('工作方案', task.planId);
        if (reasons?.includes('ConditionalCheckFailed')) {
          throw new ConflictError('task_exists', `任务编号已存在:${task.id}`);
        }
        throw err;
      }
    },

    async createOccurrence(duties, audit) {
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
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
        return true;
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons?.includes('ConditionalCheckFailed') || reasons?.includes('TransactionConflict'))
          return false;
        throw err;
      }
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

    async update(plan, expectedVersion, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: planItem(plan),
              ConditionExpression: '#version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: { ':expected': expectedVersion },
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

    async getTask(planId, taskId) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: taskKey(planId, taskId), ConsistentRead: true }),
      );
      return out.Item ? TaskSchema.parse(out.Item) : undefined;
    },

    listTasks(planId, page) {
      const pk = planKey(planId).pk;
      return queryPage(
        doc,
        {
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :task)',
          ExpressionAttributeValues: { ':pk': pk, ':task': TASK_SK_PREFIX },
          ConsistentRead: true,
        },
        page,
        { attributes: ['pk', 'sk'], partition: { pk } },
        (i) => TaskSchema.parse(i),
      );
    },
  };
}
