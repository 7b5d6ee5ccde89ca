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
  type TableDescription,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  ATTRIBUTE_TYPE,
  AUDIT_TABLE,
  AUDIT_TABLE_SUFFIX,
  KEY_ATTRIBUTES,
  MAIN_TABLE,
  type TableDefinition,
} from '../../shared/db/table.js';

const ACTIVE_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 50;
const INDEX_BUILD_TIMEOUT_MS = 10 * 60_000;

function attributeDefinitions(definition: TableDefinition): AttributeDefinition[] {
  const names = new Set<string>([KEY_ATTRIBUTES.pk, KEY_ATTRIBUTES.sk]);
  for (const index of definition.indexes) {
    names.add(index.partitionKey);
    names.add(index.sortKey);
  }
  return [...names].map((AttributeName) => ({ AttributeName, AttributeType: ATTRIBUTE_TYPE }));
}

const indexSpec = (index: TableDefinition['indexes'][number]) => ({
  IndexName: index.name,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

async function createTable(
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition,
): Promise<void> {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: attributeDefinitions(definition),
        KeySchema: [
          { AttributeName: KEY_ATTRIBUTES.pk, KeyType: 'HASH' },
          { AttributeName: KEY_ATTRIBUTES.sk, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: definition.indexes.map(indexSpec),
      }),
    );
  } catch (error) {
    // Someone else created it between our check and our create: that is the state we wanted.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

async function tableStatus(client: DynamoDBClient, tableName: string): Promise<string | undefined> {
  const table = await describe(client, tableName);
  // A table is ready when it and every index it has are: an index being added is still backfilling.
  if (table === undefined) return undefined;
  const building = (table.GlobalSecondaryIndexes ?? []).some((i) => i.IndexStatus !== 'ACTIVE');
  return building ? 'UPDATING' : table.TableStatus;
}

/**
 * Adds the indexes the definition has and a table made by an earlier version lacks (a data folder
 * kept across an upgrade), one at a time as DynamoDB requires, each filled from the stored items.
 */
async function addMissingIndexes(
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition,
): Promise<void> {
  const present = new Set(
    ((await describe(client, tableName))?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName),
  );
  for (const index of definition.indexes.filter((i) => !present.has(i.name))) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions(definition),
        GlobalSecondaryIndexUpdates: [{ Create: indexSpec(index) }],
      }),
    );
    // Filling it from every stored item takes a while for a big data folder.
    await waitUntilActive(client, tableName, INDEX_BUILD_TIMEOUT_MS);
  }
}

async function waitUntilActive(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs = ACTIVE_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let status = await tableStatus(client, tableName);
  while (status !== 'ACTIVE') {
    if (Date.now() > deadline) {
      throw new Error(`Table ${tableName} is not ACTIVE after ${timeoutMs} ms (status ${status})`);
    }
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
    status = await tableStatus(client, tableName);
  }
}

async function enableTtl(client: DynamoDBClient, tableName: string, attribute: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (status === 'ENABLED' || status === 'ENABLING') return;
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    // A concurrent caller enabled it first.
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
  }
}

/**
 * Creates `tableName` (key schema, GSIs and billing from shared/db/table.ts) unless it exists, waits
 * until it is ACTIVE, adds any index an older version's table lacks, and makes sure TTL is enabled
 * where the definition has it. Safe to call on every start.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  definition: TableDefinition = MAIN_TABLE,
): Promise<void> {
  if ((await tableStatus(client, tableName)) === undefined) {
    await createTable(client, tableName, definition);
  }
  await waitUntilActive(client, tableName);
  await addMissingIndexes(client, tableName, definition);
  if (definition.ttlAttribute !== null) await enableTtl(client, tableName, definition.ttlAttribute);
}

/** The main table and its audit table (`<name>-audit`); returns both names. */
export async function ensureTables(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ tableName: string; auditTableName: string }> {
  const auditTableName = `${tableName}${AUDIT_TABLE_SUFFIX}`;
  await Promise.all([
    ensureTable(client, tableName, MAIN_TABLE),
    ensureTable(client, auditTableName, AUDIT_TABLE),
  ]);
  return { tableName, auditTableName };
}
