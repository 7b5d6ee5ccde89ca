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
} from '@aws-sdk/lib-dynamodb';

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
