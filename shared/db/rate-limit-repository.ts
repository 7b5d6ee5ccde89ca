import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateWindow } from '../domain/access/rate-window.js';
import type { TableRef } from './client.js';
import { isConditionFailure } from './errors.js';
import { rateCounterKey } from './keys.js';
import { TTL_ATTRIBUTE } from './table.js';

export interface RateLimitRepository {
  /**
   * Counts one request of `subject` in `window` unless it already counted `limit`: one conditional
   * UpdateItem, so concurrent Lambdas share the budget exactly. False when the budget is spent.
   */
  take(subject: string, window: RateWindow, limit: number): Promise<boolean>;
}

export function rateLimitRepository(table: TableRef): RateLimitRepository {
  return {
    async take(subject, window, limit) {
      try {
        await table.doc.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: rateCounterKey(subject, window.start),
            UpdateExpression: 'ADD #hits :one SET #ttl = if_not_exists(#ttl, :ttl)',
            ConditionExpression: 'attribute_not_exists(#hits) OR #hits < :limit',
            ExpressionAttributeNames: { '#hits': 'hits', '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':ttl': window.expiresAtEpochSeconds },
          }),
        );
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },
  };
}
