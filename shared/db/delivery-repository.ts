import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DeliveryStatus } from '../schemas/channels.js';
import { type Notice, NoticeSchema } from '../schemas/notices.js';
import type { TableRef } from './client.js';
import { isConditionFailure } from './errors.js';
import {
  channelLeaseKey,
  DELIVERY_SK_PREFIX,
  deliveryKey,
  noticeKey,
  OUTBOX_PK,
  rateCounterKey,
} from './keys.js';
import { withRetry, writeIfCondition } from './retry.js';
import { INDEX_SWEEP_BY_NEXT_ACTION, TTL_ATTRIBUTE } from './table.js';

/** One (notice, channel) delivery record as stored. */
export interface DeliveryRecord {
  noticeId: string;
  channelId: string;
  status: DeliveryStatus;
  attempts: number;
  reason: string | null;
  sentAt: string | null;
  nextAttemptAt: string | null;
}

/** How a claimed delivery ended this time. */
export type DeliveryResult =
  | { kind: 'sent'; at: string }
  | { kind: 'retry'; reason: string; nextAttemptAt: string; countAttempt: boolean }
  | { kind: 'failed'; reason: string };

export interface DeliveryRepository {
  /** Pattern O1: notices still to be pushed whose outbox time has come, oldest first. */
  outboxDue(now: Date, limit: number): Promise<Notice[]>;
  /** Takes the notice out of the outbox (its deliveries are all final, or it has no channel). */
  clearOutbox(noticeId: string): Promise<void>;
  /**
   * Claims the (notice, channel) delivery for this run: one conditional write, so of concurrent or
   * retried runs exactly one gets it. Claimable: never tried; pending and its next attempt due; or
   * sending under a lease that ran out (a run that stopped mid-way). Returns the attempts made so
   * far, or undefined when it was not claimable.
   */
  claim(
    noticeId: string,
    channelId: string,
    token: string,
    now: Date,
    leaseMs: number,
  ): Promise<number | undefined>;
  /** Ends the claim `token` holds; ignored when the claim was lost (its lease ran out and was taken). */
  finish(noticeId: string, channelId: string, token: string, result: DeliveryResult): Promise<void>;
  /** Pattern N4: the notice's deliveries. */
  list(noticeId: string): Promise<DeliveryRecord[]>;
  /**
   * Pattern L2: counts one post of the channel in the minute of `now` unless it has `limit`
   * already; false when the robot's budget for this minute is spent.
   */
  takeRobotSlot(channelId: string, now: Date, limit: number): Promise<boolean>;
  /**
   * Pattern H4: holds the channel for one run until `now + leaseMs` (or until released), so runs at
   * the same time do not split a group's notices into several messages. False when another holds it.
   */
  leaseChannel(channelId: string, token: string, now: Date, leaseMs: number): Promise<boolean>;
  releaseChannel(channelId: string, token: string): Promise<void>;
}

const toRecord = (item: Record<string, unknown>): DeliveryRecord => ({
  noticeId: item.noticeId as string,
  channelId: item.channelId as string,
  status: item.status as DeliveryStatus,
  attempts: (item.attempts as number | undefined) ?? 0,
  reason: (item.reason as string | undefined) ?? null,
  sentAt: (item.sentAt as string | undefined) ?? null,
  nextAttemptAt: (item.nextAttemptAt as string | undefined) ?? null,
});

export function deliveryRepository(ref: TableRef): DeliveryRepository {
  const { doc, tableName } = ref;

  const conditional = (input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> =>
    writeIfCondition(() => doc.send(new UpdateCommand(input)));

  return {
    async outboxDue(now, limit) {
      const out = await withRetry(() =>
        doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: INDEX_SWEEP_BY_NEXT_ACTION.name,
            KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk <= :upTo',
            ExpressionAttributeValues: { ':pk': OUTBOX_PK, ':upTo': `${now.toISOString()}#~` },
            Limit: limit,
          }),
        ),
      );
      return (out.Items ?? []).map((item) => NoticeSchema.parse(item));
    },

    async clearOutbox(noticeId) {
      await conditional({
        TableName: tableName,
        Key: noticeKey(noticeId),
        UpdateExpression: 'REMOVE gsi4pk, gsi4sk',
        ConditionExpression: 'attribute_exists(pk)',
      });
    },

    async claim(noticeId, channelId, token, now, leaseMs) {
      try {
        const out = await withRetry(() =>
          doc.send(
            new UpdateCommand({
              ReturnValues: 'ALL_NEW',
              TableName: tableName,
              Key: deliveryKey(noticeId, channelId),
              UpdateExpression:
                'SET entity = :entity, noticeId = :notice, channelId = :channel, #status = :sending, #token = :token, leaseUntil = :lease, attempts = if_not_exists(attempts, :zero)',
              ConditionExpression:
                'attribute_not_exists(pk) OR (#status = :pending AND nextAttemptAt <= :now) OR (#status = :sending AND leaseUntil < :now)',
              ExpressionAttributeNames: { '#status': 'status', '#token': 'claimToken' },
              ExpressionAttributeValues: {
                ':entity': 'Delivery',
                ':notice': noticeId,
                ':channel': channelId,
                ':sending': 'sending',
                ':pending': 'pending',
                ':token': token,
                ':now': now.toISOString(),
                ':lease': new Date(now.getTime() + leaseMs).toISOString(),
                ':zero': 0,
              },
            }),
          ),
        );
        return (out.Attributes?.attempts as number | undefined) ?? 0;
      } catch (err) {
        if (isConditionFailure(err)) return undefined;
        throw err;
      }
    },

    async finish(noticeId, channelId, token, result) {
      const base = {
        TableName: tableName,
        Key: deliveryKey(noticeId, channelId),
        ConditionExpression: '#status = :sending AND #token = :token',
      };
      const names = { '#status': 'status', '#token': 'claimToken' };
      const common = { ':sending': 'sending', ':token': token };
      if (result.kind === 'sent') {
        await conditional({
          ...base,
          UpdateExpression:
            'SET #status = :sent, sentAt = :at, attempts = attempts + :one REMOVE #token, leaseUntil, nextAttemptAt, reason',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...common, ':sent': 'sent', ':at': result.at, ':one': 1 },
        });
      } else if (result.kind === 'retry') {
        await conditional({
          ...base,
          UpdateExpression:
            'SET #status = :pending, nextAttemptAt = :next, reason = :reason, attempts = attempts + :n REMOVE #token, leaseUntil',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: {
            ...common,
            ':pending': 'pending',
            ':next': result.nextAttemptAt,
            ':reason': result.reason,
            ':n': result.countAttempt ? 1 : 0,
          },
        });
      } else {
        await conditional({
          ...base,
          UpdateExpression:
            'SET #status = :failed, reason = :reason, attempts = attempts + :one REMOVE #token, leaseUntil, nextAttemptAt',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ...common, ':failed': 'failed', ':reason': result.reason, ':one': 1 },
        });
      }
    },

    async list(noticeId) {
      const out = await withRetry(() =>
        doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': noticeKey(noticeId).pk, ':prefix': DELIVERY_SK_PREFIX },
            ConsistentRead: true,
          }),
        ),
      );
      return (out.Items ?? []).map(toRecord);
    },

    takeRobotSlot(channelId, now, limit) {
      const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
      return conditional({
        TableName: tableName,
        Key: rateCounterKey(`channel:${channelId}`, minute.toISOString()),
        UpdateExpression: 'ADD #posts :one SET #ttl = if_not_exists(#ttl, :ttl)',
        ConditionExpression: 'attribute_not_exists(#posts) OR #posts < :limit',
        ExpressionAttributeNames: { '#posts': 'posts', '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':one': 1,
          ':limit': limit,
          ':ttl': Math.floor(minute.getTime() / 1000) + 3600,
        },
      });
    },

    leaseChannel(channelId, token, now, leaseMs) {
      const until = now.getTime() + leaseMs;
      return conditional({
        TableName: tableName,
        Key: channelLeaseKey(channelId),
        UpdateExpression: 'SET leaseToken = :token, leaseUntil = :until, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: {
          ':token': token,
          ':until': new Date(until).toISOString(),
          ':now': now.toISOString(),
          ':ttl': Math.floor(until / 1000) + 3600,
        },
      });
    },

    async releaseChannel(channelId, token) {
      try {
        await withRetry(() =>
          doc.send(
            new DeleteCommand({
              TableName: tableName,
              Key: channelLeaseKey(channelId),
              ConditionExpression: 'leaseToken = :token',
              ExpressionAttributeValues: { ':token': token },
            }),
          ),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    },
  };
}
