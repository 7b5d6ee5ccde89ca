import {
  BatchGetCommand,
  GetCommand,
  type QueryCommandInput,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Notice, NoticeSchema } from '../schemas/notices.js';
import { type AuditEvent, auditPut } from './audit.js';
import type { TableRef } from './client.js';
import { cancellationReasons } from './errors.js';
import {
  ALL_NOTICES_PK,
  dutyKey,
  inboxKeys,
  inboxPk,
  noticeDirectoryKeys,
  noticeKey,
  noticeRecipientKey,
  sweepPk,
} from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { BY_PARENT_CURSOR, queryPage } from './query.js';
import { INDEX_BY_PARENT, INDEX_BY_UNIT } from './table.js';
import { writeWithAudit } from './transact.js';

/** How the duty's ladder moves on once the notice is written. */
export interface LadderAdvance {
  planId: string;
  dutyId: string;
  /** The duty must still be open, in this round, at this level index. */
  round: number;
  fromIndex: number;
  toIndex: number;
  /** When the level after this one fires; null when this was the last. */
  nextActionAt: string | null;
}

export type WriteOutcome = 'written' | 'exists' | 'stale' | 'conflict';

export interface NoticeFilter {
  planId?: string | undefined;
  level?: string | undefined;
}

export interface NoticeRepository {
  /**
   * Writes a notice, one inbox entry per recipient and the duty's next ladder step in one
   * transaction. The notice id is fixed by (duty, round, level), so a second writer — a concurrent
   * sweep, a retry after a crash — finds it there and writes nothing.
   */
  writeLevel(notice: Notice, advance: LadderAdvance, audit: AuditEvent): Promise<WriteOutcome>;
  get(id: string): Promise<Notice | undefined>;
  /** Pattern N2: one recipient's notices, newest first. */
  listInbox(recipient: string, filter: NoticeFilter, page: PageRequest): Promise<Page<Notice>>;
  /** Pattern N3: all notices (or one plan's), newest first. */
  listAll(filter: NoticeFilter, page: PageRequest): Promise<Page<Notice>>;
  /** Records `recipient`'s acknowledgement once; false if it had already acknowledged. */
  ack(id: string, recipient: string, ack: { at: string; by: string }, audit: AuditEvent): Promise<boolean>;
}

const filterExpression = (filter: NoticeFilter) => {
  const parts: string[] = [];
  const values: Record<string, string> = {};
  if (filter.level !== undefined) {
    parts.push('#level = :level');
    values[':level'] = filter.level;
  }
  return parts.length === 0
    ? {}
    : { FilterExpression: parts.join(' AND '), ExpressionAttributeNames: { '#level': 'level' }, values };
};

export function noticeRepository(ref: TableRef): NoticeRepository {
  const { doc, tableName } = ref;
  async function getMany(ids: string[]): Promise<Map<string, Notice>> {
    const found = new Map<string, Notice>();
    let keys: Record<string, unknown>[] = ids.map(noticeKey);
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 8) throw new Error('BatchGet kept returning unprocessed keys');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }));
      for (const item of out.Responses?.[tableName] ?? []) {
        const notice = NoticeSchema.parse(item);
        found.set(notice.id, notice);
      }
      keys = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    return found;
  }

  return {
    async writeLevel(notice, advance, audit) {
      const ladder =
        advance.nextActionAt === null
          ? {
              update:
                'SET nextLevelIndex = :to, lastNoticeLevel = :level, nextActionAt = :none REMOVE gsi4pk, gsi4sk',
              values: { ':none': null },
            }
          : {
              update:
                'SET nextLevelIndex = :to, lastNoticeLevel = :level, nextActionAt = :next, gsi4pk = :g4pk, gsi4sk = :g4sk',
              values: {
                ':next': advance.nextActionAt,
                ':g4pk': sweepPk(advance.planId),
                ':g4sk': `${advance.nextActionAt}#${advance.dutyId}`,
              },
            };
      try {
        await doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...noticeKey(notice.id),
                    ...noticeDirectoryKeys(notice.planId, notice.createdAt, notice.id),
                    entity: 'Notice',
                    ...notice,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              ...notice.recipients.map((recipient) => ({
                Put: {
                  TableName: tableName,
                  Item: {
                    ...noticeRecipientKey(notice.id, recipient),
                    ...inboxKeys(recipient, notice.createdAt, notice.id),
                    entity: 'NoticeRecipient',
                    noticeId: notice.id,
                    planId: notice.planId,
                    level: notice.level,
                    recipient,
                  },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              })),
              // The escalation in the duty's history: written exactly when the notice is (same
              // transaction, whose first Put is conditional on the notice's fixed id).
              auditPut(ref, audit),
              {
                Update: {
                  TableName: tableName,
                  Key: dutyKey(advance.dutyId),
                  UpdateExpression: ladder.update,
                  ConditionExpression: '#status = :open AND #round = :round AND nextLevelIndex = :from',
                  ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
                  ExpressionAttributeValues: {
                    ':open': 'open',
                    ':round': advance.round,
                    ':from': advance.fromIndex,
                    ':to': advance.toIndex,
                    ':level': notice.level,
                    ...ladder.values,
                  },
                },
              },
            ],
          }),
        );
        return 'written';
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons === undefined) throw err;
        if (reasons[0] === 'ConditionalCheckFailed') return 'exists';
        if (reasons.at(-1) === 'ConditionalCheckFailed') return 'stale';
        if (reasons.includes('TransactionConflict')) return 'conflict';
        throw err;
      }
    },

    async get(id) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: noticeKey(id), ConsistentRead: true }),
      );
      return out.Item ? NoticeSchema.parse(out.Item) : undefined;
    },

    async listInbox(recipient, filter, page) {
      const pk = inboxPk(recipient);
      const { values, ...expr } = filterExpression(filter);
      const input: QueryCommandInput = {
        TableName: tableName,
        IndexName: INDEX_BY_UNIT.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': pk, ...values },
        ...expr,
        ScanIndexForward: false,
      };
      if (filter.planId !== undefined) {
        input.FilterExpression = [input.FilterExpression, 'planId = :planId'].filter(Boolean).join(' AND ');
        input.ExpressionAttributeValues = { ...input.ExpressionAttributeValues, ':planId': filter.planId };
      }
      const ids = await queryPage(
        doc,
        input,
        page,
        { attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'], partition: { gsi1pk: pk } },
        (i) => i.noticeId as string,
      );
      const notices = ids.items.length > 0 ? await getMany(ids.items) : new Map<string, Notice>();
      return { items: ids.items.flatMap((id) => notices.get(id) ?? []), nextCursor: ids.nextCursor };
    },

    listAll(filter, page) {
      const { values, ...expr } = filterExpression(filter);
      return queryPage(
        doc,
        {
          TableName: tableName,
          IndexName: INDEX_BY_PARENT.name,
          KeyConditionExpression:
            filter.planId === undefined ? 'gsi2pk = :pk' : 'gsi2pk = :pk AND begins_with(gsi2sk, :plan)',
          ExpressionAttributeValues: {
            ':pk': ALL_NOTICES_PK,
            ...(filter.planId === undefined ? {} : { ':plan': `${filter.planId}#` }),
            ...values,
          },
          ...expr,
          ScanIndexForward: false,
        },
        page,
        { attributes: BY_PARENT_CURSOR, partition: { gsi2pk: ALL_NOTICES_PK } },
        (i) => NoticeSchema.parse(i),
      );
    },

    async ack(id, recipient, ack, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Update: {
              TableName: tableName,
              Key: noticeKey(id),
              UpdateExpression: 'SET acks.#r = :ack',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(acks.#r)',
              ExpressionAttributeNames: { '#r': recipient },
              ExpressionAttributeValues: { ':ack': ack },
            },
          },
          {
            Update: {
              TableName: tableName,
              Key: noticeRecipientKey(id, recipient),
              UpdateExpression: 'SET ackedAt = :at, ackedBy = :by',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':at': ack.at, ':by': ack.by },
            },
          },
        ],
        audit,
      );
    },
  };
}
