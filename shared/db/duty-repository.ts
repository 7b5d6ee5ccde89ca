import { GetCommand, QueryCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DutyStatus } from '../domain/duty/duty-status.js';
import { type DutyRecord, DutyRecordSchema } from '../schemas/duties.js';
import type { TableRef } from './client.js';
import { isConditionFailure } from './errors.js';
import {
  dutyIndexKeys,
  dutyKey,
  openDutiesPk,
  planDutiesPk,
  planDutiesSkPrefix,
  unitDutiesPk,
  unitDutiesSkPrefix,
} from './keys.js';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from './pagination.js';
import { INDEX_BY_PARENT, INDEX_BY_UNIT, INDEX_OPEN_BY_DUE } from './table.js';

/** The fields of a duty that the plan's progress counts need. */
export interface DutyTally {
  unitId: string;
  phaseKey: string;
  status: DutyStatus;
  dueAt: string;
}

export type UpdateOutcome = { ok: true; duty: DutyRecord } | { ok: false; reason: 'stale' };

export interface DutyRepository {
  get(id: string): Promise<DutyRecord | undefined>;
  /** Pattern D3: a plan's duties, optionally of one status. */
  listByPlan(
    planId: string,
    filter: { status?: DutyStatus | undefined },
    page: PageRequest,
  ): Promise<Page<DutyRecord>>;
  /** Pattern D2: a unit's duties, optionally in one plan and of one status. */
  listByUnit(
    unitId: string,
    filter: { planId?: string | undefined; status?: DutyStatus | undefined; dueBefore?: string | undefined },
    page: PageRequest,
  ): Promise<Page<DutyRecord>>;
  /** Pattern D4: a plan's open duties due before an instant, earliest first. */
  listOpenDueBefore(planId: string, before: string, page: PageRequest): Promise<Page<DutyRecord>>;
  /** Streams the plan's duties, a page at a time, projected to the fields counts need. */
  tallies(planId: string): AsyncGenerator<DutyTally[]>;
  /**
   * Replaces a duty with `next` if it is still at `expectedVersion` with `expectedStatus`.
   * `next.version` must be `expectedVersion + 1`; index keys follow the new status and due time.
   */
  replace(next: DutyRecord, expected: { version: number; status: DutyStatus }): Promise<UpdateOutcome>;
}

const DUTY_INDEX_ATTRIBUTES = {
  byUnit: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
  byPlan: ['pk', 'sk', 'gsi2pk', 'gsi2sk'],
  open: ['pk', 'sk', 'gsi3pk', 'gsi3sk'],
} as const;

export function dutyRepository({ doc, tableName }: TableRef): DutyRepository {
  async function page(input: QueryCommandInput): Promise<Page<DutyRecord>> {
    const out = await doc.send(new QueryCommand(input));
    return {
      items: (out.Items ?? []).map((i) => DutyRecordSchema.parse(i)),
      nextCursor: encodeCursor(out.LastEvaluatedKey),
    };
  }

  return {
    async get(id) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: dutyKey(id), ConsistentRead: true }),
      );
      return out.Item ? DutyRecordSchema.parse(out.Item) : undefined;
    },

    listByPlan(planId, { status }, { limit, cursor }) {
      const pk = planDutiesPk(planId);
      return page({
        TableName: tableName,
        IndexName: INDEX_BY_PARENT.name,
        KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': planDutiesSkPrefix(status) },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, {
          attributes: DUTY_INDEX_ATTRIBUTES.byPlan,
          partition: { gsi2pk: pk },
        }),
      });
    },

    listByUnit(unitId, { planId, status, dueBefore }, { limit, cursor }) {
      const pk = unitDutiesPk(unitId);
      const prefix = unitDutiesSkPrefix(planId, status);
      // With plan and status fixed, the sort key continues with the due time, so "due before"
      // is a range on the key, not a filter.
      const byDue = dueBefore !== undefined && planId !== undefined && status !== undefined;
      return page({
        TableName: tableName,
        IndexName: INDEX_BY_UNIT.name,
        KeyConditionExpression: byDue
          ? 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to'
          : 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
        ExpressionAttributeValues: byDue
          ? { ':pk': pk, ':from': prefix, ':to': `${prefix}${dueBefore}` }
          : { ':pk': pk, ':prefix': prefix },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, {
          attributes: DUTY_INDEX_ATTRIBUTES.byUnit,
          partition: { gsi1pk: pk },
        }),
      });
    },

    listOpenDueBefore(planId, before, { limit, cursor }) {
      const pk = openDutiesPk(planId);
      return page({
        TableName: tableName,
        IndexName: INDEX_OPEN_BY_DUE.name,
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :before',
        ExpressionAttributeValues: { ':pk': pk, ':before': before },
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, {
          attributes: DUTY_INDEX_ATTRIBUTES.open,
          partition: { gsi3pk: pk },
        }),
      });
    },

    async *tallies(planId) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: INDEX_BY_PARENT.name,
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': planDutiesPk(planId) },
            ProjectionExpression: 'unitId, phaseKey, #status, dueAt',
            ExpressionAttributeNames: { '#status': 'status' },
            ExclusiveStartKey: startKey,
          }),
        );
        yield (out.Items ?? []) as DutyTally[];
        startKey = out.LastEvaluatedKey;
      } while (startKey !== undefined);
    },

    async replace(next, expected) {
      const { id: _id, ...fields } = next;
      const keys = dutyIndexKeys(next);
      const set: Record<string, unknown> = { ...fields, ...keys };
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {
        ':expectedVersion': expected.version,
        ':expectedStatus': expected.status,
      };
      const assignments = Object.entries(set).map(([name, value], i) => {
        names[`#f${i}`] = name;
        values[`:v${i}`] = value;
        return `#f${i} = :v${i}`;
      });
      // A duty that is no longer open leaves the sparse open-by-due index.
      const removals = 'gsi3pk' in keys ? '' : ' REMOVE gsi3pk, gsi3sk';
      names['#version'] = 'version';
      names['#status'] = 'status';
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: dutyKey(next.id),
            UpdateExpression: `SET ${assignments.join(', ')}${removals}`,
            ConditionExpression:
              'attribute_exists(pk) AND #version = :expectedVersion AND #status = :expectedStatus',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return { ok: true, duty: next };
      } catch (err) {
        if (isConditionFailure(err)) return { ok: false, reason: 'stale' };
        throw err;
      }
    },
  };
}
