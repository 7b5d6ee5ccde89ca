/**
 * Seeding for the benchmarks: items in the repositories' own shape, written with BatchWriteItem
 * a few batches at a time, and a document client that counts what DynamoDB returns.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../../shared/auth/principal.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';

const BATCH = 25;
const WRITERS = 4;

/** Writes items with BatchWriteItem, `WRITERS` batches in flight, retrying unprocessed items. */
export async function writeAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: Iterator<Record<string, unknown>>,
): Promise<number> {
  let written = 0;
  const nextBatch = () => {
    const batch: Record<string, unknown>[] = [];
    for (let r = items.next(); !r.done; r = items.next()) {
      batch.push(r.value);
      if (batch.length === BATCH) break;
    }
    return batch;
  };
  async function writer() {
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error('BatchWriteItem kept returning unprocessed items');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * attempt));
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (out.UnprocessedItems?.[tableName] ?? []).flatMap((r) =>
          r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
        );
      }
      written += batch.length;
    }
  }
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return written;
}

/** Items DynamoDB handed back, and calls, while `counting` is on. */
export interface ReadCounter {
  counting: boolean;
  items: number;
  calls: number;
}

/** Runs `read` with `counter` reset and on: its value, with the items and calls it read. */
export async function countReads<T>(
  counter: ReadCounter,
  read: () => Promise<T>,
): Promise<{ value: T; items: number; calls: number }> {
  counter.items = 0;
  counter.calls = 0;
  counter.counting = true;
  try {
    const value = await read();
    return { value, items: counter.items, calls: counter.calls };
  } finally {
    counter.counting = false;
  }
}

/**
 * A document client whose reads are counted into `counter` while `counter.counting` is true: items
 * returned by Query, GetItem and BatchGetItem (what "items read" means in the targets).
 */
export function readCountingClient(real: DynamoDBDocumentClient): {
  doc: DynamoDBDocumentClient;
  counter: ReadCounter;
} {
  const counter: ReadCounter = { counting: false, items: 0, calls: 0 };
  const doc = Object.create(real) as DynamoDBDocumentClient;
  doc.send = (async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    const out = (await real.send(command)) as Record<string, unknown>;
    if (!counter.counting) return out;
    counter.calls++;
    if (command instanceof QueryCommand) counter.items += Array.isArray(out.Items) ? out.Items.length : 0;
    else if (command instanceof GetCommand) counter.items += out.Item === undefined ? 0 : 1;
    else if (command instanceof BatchGetCommand) {
      const responses = (out.Responses ?? {}) as Record<string, unknown[]>;
      for (const items of Object.values(responses)) counter.items += items.length;
    }
    return out;
  }) as DynamoDBDocumentClient['send'];
  return { doc, counter };
}

/** The office that makes the benches' units, plans and tasks. */
export const BENCH_OFFICE: Principal = { sub: 'bench-office', role: 'office' };

/** A county plan in the four phases of 2026 (部署发动 to 稳固待检), as the benches make it. */
export const countyPlanInput = (title: string) =>
  CreatePlanSchema.parse({
    title,
    phases: [
      { key: 'mobilize', name: '部署发动阶段', start: '2026-05-01', end: '2026-05-15' },
      { key: 'self-check', name: '自查补短阶段', start: '2026-05-16', end: '2026-06-15' },
      { key: 'improve', name: '完善提升阶段', start: '2026-06-16', end: '2026-07-15' },
      { key: 'consolidate', name: '稳固待检阶段', start: '2026-07-16' },
    ],
  });

/** How many items a Query returns over all its pages (read on `doc`, bare: nothing parsed). */
export async function countQuery(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<number> {
  let items = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items += out.Items?.length ?? 0;
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
