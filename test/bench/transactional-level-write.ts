/**
 * The sweep's write of one level as it was before issue 12: the notice, its inbox entries, its
 * audit event and the duty's ladder step in one TransactWriteItems. Kept here, for the sweep
 * benchmark only, so the old way and the product's single writes are measured in the same run on
 * the same table; the product never uses it.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { auditPut } from '../../shared/db/audit.js';
import type { TableRef } from '../../shared/db/client.js';
import { cancellationReasons } from '../../shared/db/errors.js';
import {
  dutyKey,
  inboxKeys,
  noticeDirectoryKeys,
  noticeKey,
  noticeRecipientKey,
  sweepPk,
} from '../../shared/db/keys.js';
import type { LevelDecision, LevelsOutcome } from '../../shared/db/notice-repository.js';

/**
 * `NoticeRepository.writeLevels` done the old way: one transaction per level, all or nothing, each
 * moving the duty one level on, in ladder order.
 */
export function transactionalWriteLevels(
  ref: TableRef,
): (levels: readonly LevelDecision[]) => Promise<LevelsOutcome> {
  const writeLevel = transactionalWriteLevel(ref);
  return async (levels) => {
    let created = 0;
    for (const level of levels) {
      const written = await writeLevel(level);
      if (!written) return { created, existed: 0, advanced: false };
      created++;
    }
    return { created, existed: 0, advanced: true };
  };
}

/** One level: false where the old code returned 'exists', 'stale' or 'conflict'. */
function transactionalWriteLevel(ref: TableRef): (decision: LevelDecision) => Promise<boolean> {
  const { doc, tableName } = ref;
  return async ({ notice, ladder, audit }) => {
    const step =
      ladder.nextActionAt === null
        ? {
            update:
              'SET nextLevelIndex = :to, lastNoticeLevel = :level, nextActionAt = :none REMOVE gsi4pk, gsi4sk',
            values: { ':none': null },
          }
        : {
            update:
              'SET nextLevelIndex = :to, lastNoticeLevel = :level, nextActionAt = :next, gsi4pk = :g4pk, gsi4sk = :g4sk',
            values: {
              ':next': ladder.nextActionAt,
              ':g4pk': sweepPk(notice.planId),
              ':g4sk': `${ladder.nextActionAt}#${notice.dutyId}`,
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
            auditPut(ref, audit),
            {
              Update: {
                TableName: tableName,
                Key: dutyKey(notice.dutyId),
                UpdateExpression: step.update,
                ConditionExpression: '#status = :open AND #round = :round AND nextLevelIndex = :from',
                ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
                ExpressionAttributeValues: {
                  ':open': 'open',
                  ':round': notice.round,
                  ':from': ladder.fromIndex,
                  ':to': ladder.toIndex,
                  ':level': notice.level,
                  ...step.values,
                },
              },
            },
          ],
        }),
      );
      return true;
    } catch (err) {
      const reasons = cancellationReasons(err);
      if (reasons === undefined) throw err;
      // The old outcomes 'exists', 'stale' and 'conflict' all sent the sweep back to the stored duty.
      if (reasons.includes('ConditionalCheckFailed') || reasons.includes('TransactionConflict')) return false;
      throw err;
    }
  };
}
