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

/** The tables a repository works on. */
export interface TableRef {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** The append-only audit table; defaults to `<tableName>-audit`, as the local runtime names it. */
  auditTableName?: string;
}

export const auditTableOf = (ref: TableRef) => ref.auditTableName ?? `${ref.tableName}-audit`;
