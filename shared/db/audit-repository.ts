import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { AuditEventSchema, type AuditEventView } from '../schemas/audit.js';
import { AUDIT_ALL_PK, auditEntityPk } from './audit.js';
import { auditTableOf, type TableRef } from './client.js';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from './pagination.js';
import { AUDIT_INDEX_ALL, AUDIT_INDEX_BY_ACTOR, AUDIT_INDEX_BY_PLAN } from './table.js';

export interface AuditFilter {
  planId?: string | undefined;
  actor?: string | undefined;
  /** ISO instants, inclusive. */
  from?: string | undefined;
  to?: string | undefined;
}

/** Reads only: events are written by the repositories, inside the transaction of each change. */
export interface AuditRepository {
  /** An entity's history, oldest first. */
  forEntity(type: string, id: string, page: PageRequest): Promise<Page<AuditEventView>>;
  /** Events by plan, by actor, or all, newest first, within [from, to]. */
  list(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEventView>>;
  /**
   * The event that assigned `dutyId`: its task's creation (`task.create`) or, for a recurring task,
   * the occurrence's (`task.occurrence`), each listing the duties it created in `after.dutyIds`.
   */
  assignmentOf(taskId: string, dutyId: string): Promise<AuditEventView | undefined>;
}

export function auditRepository(ref: TableRef): AuditRepository {
  const { doc } = ref;
  const TableName = auditTableOf(ref);

  async function page(input: QueryCommandInput): Promise<Page<AuditEventView>> {
    const out = await doc.send(new QueryCommand(input));
    return {
      items: (out.Items ?? []).map((i) => AuditEventSchema.parse(i)),
      nextCursor: encodeCursor(out.LastEvaluatedKey),
    };
  }

  return {
    forEntity(type, id, { limit, cursor }) {
      const pk = auditEntityPk(type, id);
      return page({
        TableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        Limit: limit,
        ConsistentRead: true,
        ExclusiveStartKey: decodeCursor(cursor, { attributes: ['pk', 'sk'], partition: { pk } }),
      });
    },

    async assignmentOf(taskId, dutyId) {
      // A task's own events are few (its creation and one per occurrence created), so this reads
      // one small partition; the filter keeps the one naming the duty.
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName,
            KeyConditionExpression: 'pk = :pk',
            FilterExpression: '#action IN (:create, :occurrence) AND contains(#after.#dutyIds, :duty)',
            ExpressionAttributeNames: { '#action': 'action', '#after': 'after', '#dutyIds': 'dutyIds' },
            ExpressionAttributeValues: {
              ':pk': auditEntityPk('task', taskId),
              ':create': 'task.create',
              ':occurrence': 'task.occurrence',
              ':duty': dutyId,
            },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        const [found] = out.Items ?? [];
        if (found !== undefined) return AuditEventSchema.parse(found);
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return undefined;
    },

    list({ planId, actor, from, to }, { limit, cursor }) {
      // The index is chosen by the most selective filter given; the actor, when it is not the
      // index, filters the plan's events.
      const [index, pkName, pkValue] =
        planId !== undefined
          ? ([AUDIT_INDEX_BY_PLAN, 'gsi1pk', `PLAN#${planId}`] as const)
          : actor !== undefined
            ? ([AUDIT_INDEX_BY_ACTOR, 'gsi2pk', `ACTOR#${actor}`] as const)
            : ([AUDIT_INDEX_ALL, 'gsi3pk', AUDIT_ALL_PK] as const);
      const skName = index.sortKey;
      // Sort keys are "<at>#<id>": '~' sorts after every id character, so "to" includes its instant.
      const range =
        from !== undefined && to !== undefined
          ? { expr: ` AND ${skName} BETWEEN :from AND :to`, values: { ':from': from, ':to': `${to}~` } }
          : from !== undefined
            ? { expr: ` AND ${skName} >= :from`, values: { ':from': from } }
            : to !== undefined
              ? { expr: ` AND ${skName} <= :to`, values: { ':to': `${to}~` } }
              : { expr: '', values: {} };
      const byActorFilter = planId !== undefined && actor !== undefined;
      return page({
        TableName,
        IndexName: index.name,
        KeyConditionExpression: `${pkName} = :pk${range.expr}`,
        ExpressionAttributeValues: {
          ':pk': pkValue,
          ...range.values,
          ...(byActorFilter ? { ':actor': actor } : {}),
        },
        ...(byActorFilter ? { FilterExpression: 'actor = :actor' } : {}),
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: decodeCursor(cursor, {
          attributes: ['pk', 'sk', pkName, skName],
          partition: { [pkName]: pkValue },
        }),
      });
    },
  };
}
