import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client.js';
import { isConditionFailure } from './errors.js';
import { idempotencyKey } from './keys.js';
import { TTL_ATTRIBUTE } from './table.js';

/** Pattern I1's item: who holds a key now, or the first answer given under it. */
export type IdempotencyRecord =
  | { status: 'in_progress'; fingerprint: string; lockedUntilMs: number }
  | { status: 'completed'; fingerprint: string; response: string };

export interface IdempotencyClaim {
  /** Hash of (route, caller, client key): the item's partition. */
  scope: string;
  /** Hash of what the request asks for; a reuse of the key with other content is refused. */
  fingerprint: string;
  /** This attempt's own token, so it completes or releases only its own claim. */
  owner: string;
  nowMs: number;
  /** Until when another attempt must wait (then a crashed attempt's claim may be taken over). */
  lockedUntilMs: number;
  /** When the record ends (epoch seconds, the table's TTL attribute). */
  expiresAt: number;
}

export interface IdempotencyRepository {
  /**
   * One conditional PutItem: claims the key when it is free, expired, or held by an attempt whose
   * lock ran out. Otherwise returns the record that holds it (read consistently).
   */
  claim(claim: IdempotencyClaim): Promise<{ claimed: true } | { claimed: false; record: IdempotencyRecord }>;
  /** Stores the answer under the claim, if the claim is still this attempt's. */
  complete(scope: string, owner: string, response: string, expiresAt: number): Promise<void>;
  /** Frees the key (the attempt failed or was refused), if the claim is still this attempt's. */
  release(scope: string, owner: string): Promise<void>;
}

export function idempotencyRepository(table: TableRef): IdempotencyRepository {
  const names = { '#owner': 'owner', '#status': 'status' };

  async function read(scope: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: idempotencyKey(scope), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return Item.status === 'completed'
      ? { status: 'completed', fingerprint: String(Item.fingerprint), response: String(Item.response) }
      : {
          status: 'in_progress',
          fingerprint: String(Item.fingerprint),
          lockedUntilMs: Number(Item.lockedUntil),
        };
  }

  return {
    async claim(c) {
      // A record that disappears between the refused put and the read (its attempt released it)
      // is simply tried again; two rounds settle it unless attempts keep failing in between.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await table.doc.send(
            new PutCommand({
              TableName: table.tableName,
              Item: {
                ...idempotencyKey(c.scope),
                status: 'in_progress',
                fingerprint: c.fingerprint,
                owner: c.owner,
                lockedUntil: c.lockedUntilMs,
                [TTL_ATTRIBUTE]: c.expiresAt,
              },
              // TTL deletion can lag by days: an expired record is free whether or not it is gone.
              ConditionExpression:
                'attribute_not_exists(pk) OR #ttl <= :nowS OR (#status = :inProgress AND lockedUntil < :nowMs)',
              ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE, '#status': 'status' },
              ExpressionAttributeValues: {
                ':nowS': Math.floor(c.nowMs / 1000),
                ':nowMs': c.nowMs,
                ':inProgress': 'in_progress',
              },
            }),
          );
          return { claimed: true };
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
        }
        const record = await read(c.scope);
        if (record !== undefined) return { claimed: false, record };
      }
      throw new Error('idempotency record kept changing while being claimed');
    },

    async complete(scope, owner, response, expiresAt) {
      try {
        await table.doc.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: idempotencyKey(scope),
            UpdateExpression:
              'SET #status = :completed, #response = :response, #ttl = :ttl REMOVE lockedUntil',
            ConditionExpression: '#owner = :owner AND #status = :inProgress',
            ExpressionAttributeNames: { ...names, '#response': 'response', '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: {
              ':completed': 'completed',
              ':inProgress': 'in_progress',
              ':response': response,
              ':ttl': expiresAt,
              ':owner': owner,
            },
          }),
        );
      } catch (err) {
        // Another attempt took the key over after this one's lock ran out: its record stands.
        if (!isConditionFailure(err)) throw err;
      }
    },

    async release(scope, owner) {
      try {
        await table.doc.send(
          new DeleteCommand({
            TableName: table.tableName,
            Key: idempotencyKey(scope),
            ConditionExpression: '#owner = :owner AND #status = :inProgress',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':owner': owner, ':inProgress': 'in_progress' },
          }),
        );
      } catch (err) {
        if (!isConditionFailure(err)) throw err;
      }
    },
  };
}
