import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The document client every repository uses; undefined attributes are dropped, never stored. */
export function createDocumentClient(
  config: DynamoDBClientConfig | DynamoDBClient = {},
): DynamoDBDocumentClient {
  const client = config instanceof DynamoDBClient ? config : new DynamoDBClient(config);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** The table a repository works on. */
export interface TableRef {
  doc: DynamoDBDocumentClient;
  tableName: string;
}
