import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from './pagination.js';
import { INDEX_BY_PARENT } from './table.js';

/** Items as the document client returns them (attribute values unmarshalled, not yet parsed). */
export type QueryItems = NonNullable<QueryCommandOutput['Items']>;

/**
 * Every page of a Query, in order, following LastEvaluatedKey until DynamoDB says there is no more.
 * For reads that must see the whole range (a report's facts, a task's duties); one page at a time,
 * so a caller that folds the items never holds them all. `input.Limit` sets the page size.
 */
export async function* queryPages(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): AsyncGenerator<QueryItems> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield out.Items ?? [];
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
}

/** All items of a Query, every page read: only for ranges known to be small (a plan's findings). */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<QueryItems> {
  const items: QueryItems = [];
  for await (const page of queryPages(doc, input)) items.push(...page);
  return items;
}

/** The key attributes of an item found through the byParent index (gsi2): what its cursors carry. */
export const BY_PARENT_CURSOR = ['pk', 'sk', 'gsi2pk', 'gsi2sk'] as const;

/** Where a listing's cursor must point: the key attributes of its table or index, and its partition. */
export interface CursorKey {
  attributes: readonly string[];
  partition: Record<string, string>;
}

/**
 * One page of a listing the API pages through: at most `page.limit` items, starting after
 * `page.cursor` (refused unless it belongs to this query: see `decodeCursor`), each parsed, with
 * the cursor of the next page (null at the end).
 */
export async function queryPage<T>(
  doc: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Limit'>,
  page: PageRequest,
  cursorKey: CursorKey,
  parse: (item: QueryItems[number]) => T,
): Promise<Page<T>> {
  const out = await doc.send(
    new QueryCommand({
      ...input,
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor, cursorKey),
    }),
  );
  return {
    items: (out.Items ?? []).map((item) => parse(item)),
    nextCursor: encodeCursor(out.LastEvaluatedKey),
  };
}

/**
 * One page of the items filed under `parentPk` in the byParent index (a directory: units, plans,
 * a plan's reports, its pending extension requests), oldest first unless `newestFirst`.
 */
export function parentPage<T>(
  ref: { doc: DynamoDBDocumentClient; tableName: string },
  parentPk: string,
  page: PageRequest,
  parse: (item: QueryItems[number]) => T,
  order: { newestFirst?: boolean } = {},
): Promise<Page<T>> {
  return queryPage(
    ref.doc,
    {
      TableName: ref.tableName,
      IndexName: INDEX_BY_PARENT.name,
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': parentPk },
      ...(order.newestFirst ? { ScanIndexForward: false } : {}),
    },
    page,
    { attributes: BY_PARENT_CURSOR, partition: { gsi2pk: parentPk } },
    parse,
  );
}
