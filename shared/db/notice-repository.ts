import { GetCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { type Notice, NoticeSchema } from '../schemas/notices.js';
import type { AuditEvent } from './audit.js';
import type { TableRef } from './client.js';
import { ALL_NOTICES_PK, inboxPk, noticeKey, noticeRecipientKey } from './keys.js';
import { getNoticeItems, type LevelWriter, levelWriter, ownRecipient } from './notice-level-writer.js';
import type { Page, PageRequest } from './pagination.js';
import { BY_PARENT_CURSOR, queryPage } from './query.js';
import { INDEX_BY_PARENT, INDEX_BY_UNIT } from './table.js';
import { writeWithAudit } from './transact.js';

export type { LadderStep, LevelDecision, LevelsOutcome } from './notice-level-writer.js';

export interface NoticeFilter {
  planId?: string | undefined;
  level?: string | undefined;
}

/** Notices: the sweep writes them (`LevelWriter`), people read and acknowledge them. */
export interface NoticeRepository extends LevelWriter {
  get(id: string): Promise<Notice | undefined>;
  /** Pattern N2: one recipient's notices, newest first. */
  listInbox(recipient: string, filter: NoticeFilter, page: PageRequest): Promise<Page<Notice>>;
  /** Pattern N3: all notices (or one plan's), newest first. */
  listAll(filter: NoticeFilter, page: PageRequest): Promise<Page<Notice>>;
  /** Records `recipient`'s acknowledgement once; false if it had already acknowledged. */
  ack(
    notice: Pick<Notice, 'id' | 'unitId'>,
    recipient: string,
    ack: { at: string; by: string },
    audit: AuditEvent,
  ): Promise<boolean>;
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
    for (const [id, item] of await getNoticeItems(ref, ids, { consistent: false }))
      found.set(id, NoticeSchema.parse(item));
    return found;
  }

  return {
    ...levelWriter(ref),

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
        // A notice item is its own unit's entry; every other recipient has an item of its own.
        (i) => (i.entity === 'Notice' ? i.id : i.noticeId) as string,
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

    async ack(notice, recipient, ack, audit) {
      const headUpdate = {
        Update: {
          TableName: tableName,
          Key: noticeKey(notice.id),
          UpdateExpression: 'SET acks.#r = :ack',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(acks.#r)',
          ExpressionAttributeNames: { '#r': recipient },
          ExpressionAttributeValues: { ':ack': ack },
        },
      };
      // The duty's own unit reads the notice item itself in its inbox: it has no entry to mark.
      const entryUpdates =
        recipient === ownRecipient(notice)
          ? []
          : [
              {
                Update: {
                  TableName: tableName,
                  Key: noticeRecipientKey(notice.id, recipient),
                  UpdateExpression: 'SET ackedAt = :at, ackedBy = :by',
                  ConditionExpression: 'attribute_exists(pk)',
                  ExpressionAttributeValues: { ':at': ack.at, ':by': ack.by },
                },
              },
            ];
      return writeWithAudit(ref, [headUpdate, ...entryUpdates], audit);
    },
  };
}
