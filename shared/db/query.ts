import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';

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
