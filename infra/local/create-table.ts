/**
 * Creates the local table from the same constants as the CDK table (shared/db/table.ts), so the two
 * cannot drift.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { ATTRIBUTE_TYPE, INDEXES, KEY_ATTRIBUTES, TTL_ATTRIBUTE } from '../../shared/db/table.js';

const ACTIVE_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 50;

function attributeDefinitions(): AttributeDefinition[] {
  const names = new Set<string>([KEY_ATTRIBUTES.pk, KEY_ATTRIBUTES.sk]);
  for (const index of INDEXES) {
    names.add(index.partitionKey);
    names.add(index.sortKey);
  }
  return [...names].map((AttributeName) => ({ AttributeName, AttributeType: ATTRIBUTE_TYPE }));
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(),
        KeySchema: [
          { AttributeName: KEY_ATTRIBUTES.pk, KeyType: 'HASH' },
          { AttributeName: KEY_ATTRIBUTES.sk, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: INDEXES.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
  } catch (error) {
    // Someone else created it between our check and our create: that is the state we wanted.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  let status = await tableStatus(client, tableName);
  while (status !== 'ACTIVE') {
    if (Date.now() > deadline) {
      throw new Error(`Table ${tableName} is not ACTIVE after ${ACTIVE_TIMEOUT_MS} ms (status ${status})`);
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    status = await tableStatus(client, tableName);
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    // A concurrent caller enabled it first.
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
  }
}

/**
 * Creates `tableName` (key schema, GSIs and billing from shared/db/table.ts) unless it exists, waits
 * until it is ACTIVE and makes sure TTL is enabled on `expiresAt`. Safe to call on every start.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if ((await tableStatus(client, tableName)) === undefined) {
    await createTable(client, tableName);
  }
  await waitUntilActive(client, tableName);
  await enableTtl(client, tableName);
}
