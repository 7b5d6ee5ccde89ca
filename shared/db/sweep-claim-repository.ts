import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { TableRef } from './client.js';
import { isConditionFailure } from './errors.js';
import { sweepClaimIndexKeys, sweepClaimKey } from './keys.js';
import { queryPages } from './query.js';
import { INDEX_SWEEP_BY_NEXT_ACTION, TTL_ATTRIBUTE } from './table.js';

/**
 * A sweep's claim on the notices it is about to write, put before the first of them and released
 * once every one is whole (its inbox entries and audit event written). A sweep that stops half-way
 * leaves its claim; once the lease has run out, the next sweep finishes whichever of the claimed
 * notices are stored — also for a duty that left the sweep index meanwhile (submitted, returned),
 * which the sweep would otherwise never look at again. One claim covers a page of duties, so it
 * costs two writes per page, not per notice.
 */
export interface SweepClaim {
  id: string;
  planId: string;
  /** Every notice the sweep may write for the page's duties (their remaining levels, this round). */
  noticeIds: string[];
  /** Until then the claim is its sweep's own; after, any sweep recovers it. */
  leaseUntil: string;
}

const SweepClaimSchema = z.object({
  id: z.string(),
  planId: z.string(),
  noticeIds: z.array(z.string()),
  leaseUntil: z.string(),
});

/** A released claim is kept this long (DynamoDB's TTL then removes it): enough to look into. */
const KEEP_RELEASED_S = 7 * 24 * 3600;

export interface SweepClaimRepository {
  put(claim: SweepClaim): Promise<void>;
  /** Takes the claim out of S1; idempotent. */
  release(claim: Pick<SweepClaim, 'id'>): Promise<void>;
  /** Pattern S1: the plan's claims whose lease ran out by `now`, a page at a time. */
  expired(planId: string, now: string): AsyncGenerator<SweepClaim[]>;
}

export function sweepClaimRepository(ref: TableRef): SweepClaimRepository {
  const { doc, tableName } = ref;
  return {
    async put(claim) {
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...sweepClaimKey(claim.id),
            ...sweepClaimIndexKeys(claim.planId, claim.leaseUntil, claim.id),
            entity: 'SweepClaim',
            ...claim,
            [TTL_ATTRIBUTE]: Math.floor(Date.parse(claim.leaseUntil) / 1000) + KEEP_RELEASED_S,
          },
          // Ids are new for every page; the condition only guards against reusing one.
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async release(claim) {
      try {
        await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sweepClaimKey(claim.id),
            UpdateExpression: 'REMOVE gsi4pk, gsi4sk',
            // Never create an item from a key alone.
            ConditionExpression: 'attribute_exists(pk)',
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    },

    async *expired(planId, now) {
      const { gsi4pk } = sweepClaimIndexKeys(planId, now, '');
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_SWEEP_BY_NEXT_ACTION.name,
        KeyConditionExpression: 'gsi4pk = :pk AND gsi4sk <= :upTo',
        // '~' sorts after every id character: a lease ending exactly now has run out.
        ExpressionAttributeValues: { ':pk': gsi4pk, ':upTo': `${now}#~` },
        // A claim names up to 1,600 notices (200 duties, 8 levels each): a few claims a page.
        Limit: 10,
      })) {
        yield items.map((item) => SweepClaimSchema.parse(item));
      }
    },
  };
}
