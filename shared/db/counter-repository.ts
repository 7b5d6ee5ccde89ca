/**
 * Storage of a plan's counters (pattern K1) and of the deltas a creation parks on the plan item
 * (pattern K2). See shared/domain/plan/counters.ts for what is counted.
 *
 * Why counters cannot drift:
 * - A status change (submit, accept, return, an approved extension of a self-check) writes its
 *   counter Update in the same TransactWriteItems as the duty's conditional Update: both or neither.
 * - A creation (a task, an occurrence of a recurring task) may hold 97 duties, and with the plan's
 *   gate, the task and the audit event that is a full transaction: no room for 97 counter items.
 *   So the plan item's gate Update, already in that transaction, also sets one attribute
 *   `pendingCounts#<id>` holding the creation's deltas. Right after, one transaction ADDs them to
 *   the counter items and REMOVEs the attribute on the condition that it is still there: applied
 *   at most once. If the request dies in between, the next sweep applies what it finds (at least
 *   once); until then readers add the pending deltas to what they read. (A view that reads the
 *   counters and the plan in the very moment the deltas are applied may count that creation twice
 *   or not at all, for that one read; what is stored is exact.)
 * - ADD commutes, so a submit may land on a counter before its duty's creation deltas do.
 * The recount (`npm run recount`) rebuilds the figures from the duties and writes the difference:
 * the repair for a table written by an older version, or by hand.
 */
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  COUNTER_FIELDS,
  type CounterDelta,
  type CounterField,
  type UnitPhaseCounts,
} from '../domain/plan/counters.js';
import { type AuditEvent, auditPut } from './audit.js';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import { cancellationReasons, isConditionFailure } from './errors.js';
import { planKey } from './keys.js';
import { queryPages } from './query.js';
import type { TransactItem } from './transact.js';

export const countsPk = (planId: string) => `COUNTS#${planId}`;
export const counterKey = (planId: string, unitId: string, phaseKey: string) => ({
  pk: countsPk(planId),
  sk: `CELL#${unitId}#${phaseKey}`,
});

/**
 * The plan item's attribute saying since when its counters are whole: set when the plan is created,
 * or by its first recount for a plan stored before counters existed.
 */
export const COUNTED_SINCE = 'countedSince';

/**
 * The plan item's attribute saying since when every submitted duty of a sign-off chain carries its
 * D6 keys (keys.ts `signOffKeys`): set when the plan is created, or by the first upkeep (or recount)
 * that re-keyed the duties of a plan stored before the sign-off index.
 */
export const SIGN_OFF_KEYED_SINCE = 'signOffKeyedSince';

/** The plan item's attribute holding one creation's deltas until they are applied. */
export const PENDING_PREFIX = 'pendingCounts#';
export const pendingAttribute = (id: string) => `${PENDING_PREFIX}${id}`;

/** A creation's deltas, parked on the plan item. */
export interface PendingCounts {
  id: string;
  deltas: CounterDelta[];
}

/** At most this many cells per transaction: 100 items, one of them the plan item. */
export const MAX_CELLS_PER_APPLY = 99;

/**
 * The Update of one counter item by a delta, to go into the transaction of the change it counts.
 * The cell's names are set with it (the same values every time), so a reader needs nothing else.
 */
export function counterUpdate(tableName: string, planId: string, delta: CounterDelta): TransactItem {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':planId': planId,
    ':unitId': delta.unitId,
    ':phaseKey': delta.phaseKey,
    ':entity': 'Counts',
  };
  const adds = Object.entries(delta.add).map(([field, n], i) => {
    names[`#a${i}`] = field;
    values[`:a${i}`] = n;
    return `#a${i} :a${i}`;
  });
  const sets = ['entity = :entity', 'planId = :planId', 'unitId = :unitId', 'phaseKey = :phaseKey'];
  if (delta.selfCheckDueAt !== undefined) {
    sets.push('selfCheckDueAt = :due');
    values[':due'] = delta.selfCheckDueAt;
  }
  if (delta.unitName !== undefined) {
    sets.push('unitName = :unitName');
    values[':unitName'] = delta.unitName;
  }
  return {
    Update: {
      TableName: tableName,
      Key: counterKey(planId, delta.unitId, delta.phaseKey),
      UpdateExpression: `SET ${sets.join(', ')}${adds.length > 0 ? ` ADD ${adds.join(', ')}` : ''}`,
      ...(adds.length > 0 ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    },
  };
}

/** The pending deltas parked on a plan item (as stored, unparsed). */
export function pendingOf(item: Record<string, unknown>): PendingCounts[] {
  const found: PendingCounts[] = [];
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(PENDING_PREFIX)) continue;
    found.push({ id: name.slice(PENDING_PREFIX.length), deltas: value as CounterDelta[] });
  }
  return found;
}

const toCounts = (item: Record<string, unknown>): UnitPhaseCounts => {
  const fields = Object.fromEntries(
    COUNTER_FIELDS.map((f) => [f, typeof item[f] === 'number' ? (item[f] as number) : 0]),
  ) as Record<CounterField, number>;
  return {
    unitId: String(item.unitId),
    phaseKey: String(item.phaseKey),
    fields,
    selfCheckDueAt: typeof item.selfCheckDueAt === 'string' ? item.selfCheckDueAt : null,
    unitName: typeof item.unitName === 'string' ? item.unitName : null,
  };
};

export interface CounterRepository {
  /** K1: every counter item of the plan, read consistently (the base table, not an index). */
  read(planId: string): Promise<{ cells: UnitPhaseCounts[]; itemsRead: number }>;
  /** K1 for one unit: its counter items in the plan, one per phase (sk begins_with CELL#<unitId>#). */
  readUnit(planId: string, unitId: string): Promise<UnitPhaseCounts[]>;
  /** The (unit, phase) items of the units given, by key in batches (BatchGetItem): those that exist. */
  readCells(
    planId: string,
    unitIds: readonly string[],
    phaseKeys: readonly string[],
  ): Promise<UnitPhaseCounts[]>;
  /**
   * The plan item's pending deltas (K2), whether its counters are whole (COUNTED_SINCE) and whether
   * its submitted duties carry their sign-off keys (SIGN_OFF_KEYED_SINCE).
   */
  planState(planId: string): Promise<{ pending: PendingCounts[]; counted: boolean; signOffKeyed: boolean }>;
  /**
   * Applies one parked creation's deltas and removes them from the plan, in one transaction;
   * 'gone' when someone else applied them first (nothing written).
   */
  applyPending(planId: string, pending: PendingCounts): Promise<'applied' | 'gone'>;
  /** Marks the plan's counters whole from `at` on (after its first recount); false if already marked. */
  markCounted(planId: string, at: string): Promise<boolean>;
  /** Marks the plan's submitted duties keyed for sign-off from `at` on; false if already marked. */
  markSignOffKeyed(planId: string, at: string): Promise<boolean>;
  /**
   * ADDs corrections (the recount's), at most 99 cells a transaction; the first carries the audit
   * event that records them all.
   */
  add(planId: string, deltas: readonly CounterDelta[], audit: AuditEvent): Promise<void>;
}

export function counterRepository(ref: TableRef): CounterRepository {
  const { doc, tableName } = ref;

  /** Sets one of the plan item's "whole since" markers, once. */
  async function markSince(planId: string, attribute: string, at: string): Promise<boolean> {
    try {
      await doc.send(
        new UpdateCommand({
          TableName: tableName,
          Key: planKey(planId),
          UpdateExpression: 'SET #since = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#since)',
          ExpressionAttributeNames: { '#since': attribute },
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  return {
    async read(planId) {
      const cells: UnitPhaseCounts[] = [];
      for await (const items of queryPages(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': countsPk(planId) },
        ConsistentRead: true,
      })) {
        for (const item of items) cells.push(toCounts(item));
      }
      return { cells, itemsRead: cells.length };
    },

    async readUnit(planId, unitId) {
      const cells: UnitPhaseCounts[] = [];
      for await (const items of queryPages(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :unit)',
        ExpressionAttributeValues: { ':pk': countsPk(planId), ':unit': `CELL#${unitId}#` },
        ConsistentRead: true,
      })) {
        for (const item of items) cells.push(toCounts(item));
      }
      return cells;
    },

    async readCells(planId, unitIds, phaseKeys) {
      const keys = unitIds.flatMap((u) => phaseKeys.map((ph) => counterKey(planId, u, ph)));
      return (await batchGet(ref, keys)).map(toCounts);
    },

    async planState(planId) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: planKey(planId), ConsistentRead: true }),
      );
      return out.Item === undefined
        ? { pending: [], counted: false, signOffKeyed: false }
        : {
            pending: pendingOf(out.Item),
            counted: typeof out.Item[COUNTED_SINCE] === 'string',
            signOffKeyed: typeof out.Item[SIGN_OFF_KEYED_SINCE] === 'string',
          };
    },

    async applyPending(planId, pending) {
      if (pending.deltas.length > MAX_CELLS_PER_APPLY) {
        throw new Error(
          `A creation may move at most ${MAX_CELLS_PER_APPLY} counters, not ${pending.deltas.length}`,
        );
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await doc.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: tableName,
                    Key: planKey(planId),
                    UpdateExpression: 'REMOVE #pending',
                    ConditionExpression: 'attribute_exists(#pending)',
                    ExpressionAttributeNames: { '#pending': pendingAttribute(pending.id) },
                  },
                },
                ...pending.deltas.map((d) => counterUpdate(tableName, planId, d)),
              ],
            }),
          );
          return 'applied';
        } catch (err) {
          const reasons = cancellationReasons(err);
          if (reasons?.[0] === 'ConditionalCheckFailed') return 'gone';
          // The plan item is shared by every creation in the plan: another may hold it a moment.
          if (attempt >= 5 || !reasons?.includes('TransactionConflict')) throw err;
          await new Promise((r) => setTimeout(r, 20 * attempt * (0.5 + Math.random())));
        }
      }
    },

    markCounted: (planId, at) => markSince(planId, COUNTED_SINCE, at),
    markSignOffKeyed: (planId, at) => markSince(planId, SIGN_OFF_KEYED_SINCE, at),

    async add(planId, deltas, audit) {
      for (let i = 0; i < deltas.length; i += MAX_CELLS_PER_APPLY) {
        const chunk = deltas
          .slice(i, i + MAX_CELLS_PER_APPLY)
          .map((d) => counterUpdate(tableName, planId, d));
        await doc.send(
          new TransactWriteCommand({ TransactItems: i === 0 ? [...chunk, auditPut(ref, audit)] : chunk }),
        );
      }
    },
  };
}
