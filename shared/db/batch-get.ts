import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { TableRef } from './client.js';

/** BatchGetItem takes at most 100 keys a call. */
export const BATCH_GET_MAX_KEYS = 100;
/** Calls of one read in flight at once: 400 items read in one round trip, not four in a row. */
const CALLS_IN_FLIGHT = 4;
/** Calls of one chunk before giving up on keys that keep coming back unprocessed. */
const MAX_ATTEMPTS = 10;

type Key = Record<string, string>;

/**
 * The items stored under `keys` (those that exist, in no set order), read consistently with
 * BatchGetItem: chunks of 100 keys, a few calls at once, and the keys DynamoDB hands back
 * unprocessed (throttled, or past the 16 MB one answer may carry) asked for again with backoff,
 * so none is lost. Repeated keys are read once (BatchGetItem refuses duplicates). This is how a
 * page reads the many things it shows by id, instead of a loop of GetItems.
 */
export async function batchGet(ref: TableRef, keys: readonly Key[]): Promise<Record<string, unknown>[]> {
  const unique = [...new Map(keys.map((k) => [`${k.pk}\u0000${k.sk}`, k])).values()];
  const chunks: Key[][] = [];
  for (let i = 0; i < unique.length; i += BATCH_GET_MAX_KEYS) {
    chunks.push(unique.slice(i, i + BATCH_GET_MAX_KEYS));
  }
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < chunks.length; i += CALLS_IN_FLIGHT) {
    const wave = await Promise.all(
      chunks.slice(i, i + CALLS_IN_FLIGHT).map((chunk) => readChunk(ref, chunk)),
    );
    for (const items of wave) found.push(...items);
  }
  return found;
}

async function readChunk({ doc, tableName }: TableRef, keys: Key[]): Promise<Record<string, unknown>[]> {
  const found: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] = keys;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt >= MAX_ATTEMPTS) {
      throw new Error(`BatchGetItem kept returning ${pending.length} unprocessed keys`);
    }
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
    const out = await doc.send(
      new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
    );
    found.push(...(out.Responses?.[tableName] ?? []));
    pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return found;
}
