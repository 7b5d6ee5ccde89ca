import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { ensureTable } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { INDEXES, KEY_ATTRIBUTES, TTL_ATTRIBUTE } from '../../shared/db/table.js';
import { freshTable } from '../fixtures/dynamo.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('DynamoDB Local', () => {
  it('answers ListTables', async () => {
    const client = createLocalDynamoDbClient(inject('dynamoEndpoint'));
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(Array.isArray(TableNames)).toBe(true);
    client.destroy();
  });

  it('ensureTable builds the key schema, every GSI and TTL from shared/db/table.ts', async () => {
    const { client, tableName } = await freshTable();
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));

    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: KEY_ATTRIBUTES.pk, KeyType: 'HASH' },
      { AttributeName: KEY_ATTRIBUTES.sk, KeyType: 'RANGE' },
    ]);
    const indexes = Table?.GlobalSecondaryIndexes ?? [];
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(INDEXES.map((i) => i.name).sort());
    for (const expected of INDEXES) {
      const actual = indexes.find((i) => i.IndexName === expected.name);
      expect(actual?.KeySchema).toEqual([
        { AttributeName: expected.partitionKey, KeyType: 'HASH' },
        { AttributeName: expected.sortKey, KeyType: 'RANGE' },
      ]);
      expect(actual?.Projection?.ProjectionType).toBe('ALL');
    }
    for (const definition of Table?.AttributeDefinitions ?? []) {
      expect(definition.AttributeType).toBe('S');
    }

    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe(TTL_ATTRIBUTE);
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
    client.destroy();
  });

  it('ensureTable is idempotent', async () => {
    const { client, doc, tableName } = await freshTable();
    await doc.send(new PutCommand({ TableName: tableName, Item: { pk: 'K#1', sk: 'K#1', n: 1 } }));

    await ensureTable(client, tableName);
    await Promise.all([ensureTable(client, tableName), ensureTable(client, tableName)]);

    const { Item } = await doc.send(new GetCommand({ TableName: tableName, Key: { pk: 'K#1', sk: 'K#1' } }));
    expect(Item).toEqual({ pk: 'K#1', sk: 'K#1', n: 1 });
    client.destroy();
  });

  it('a transaction with a failing condition writes nothing', async () => {
    const { client, doc, tableName } = await freshTable();
    const write = doc.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: { pk: 'TASK#1', sk: 'TASK#1', title: '教育扶贫 🚩' } } },
          {
            ConditionCheck: {
              TableName: tableName,
              Key: { pk: 'UNIT#missing', sk: 'UNIT#missing' },
              ConditionExpression: 'attribute_exists(pk)',
            },
          },
        ],
      }),
    );
    await expect(write).rejects.toBeInstanceOf(TransactionCanceledException);

    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'TASK#1', sk: 'TASK#1' }, ConsistentRead: true }),
    );
    expect(Item).toBeUndefined();
    client.destroy();
  });

  it('keeps data on disk across a restart and leaves no java process behind', {
    timeout: 90_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'duban-ddb-'));
    const tableName = 'restart';
    const key = { pk: 'PLAN#1', sk: 'PLAN#1' };
    const pids: number[] = [];
    try {
      const first = await startDynamoDbLocal({ dataDir });
      pids.push(first.pid);
      const firstClient = createLocalDynamoDbClient(first.endpoint);
      try {
        await ensureTable(firstClient, tableName);
        await DynamoDBDocumentClient.from(firstClient).send(
          new PutCommand({ TableName: tableName, Item: { ...key, title: '迎国检 survives' } }),
        );
      } finally {
        firstClient.destroy();
        await first.stop();
      }
      expect(isRunning(first.pid)).toBe(false);

      const second = await startDynamoDbLocal({ dataDir });
      pids.push(second.pid);
      const secondClient = createLocalDynamoDbClient(second.endpoint);
      try {
        const { Item } = await DynamoDBDocumentClient.from(secondClient).send(
          new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
        );
        expect(Item).toEqual({ ...key, title: '迎国检 survives' });
      } finally {
        secondClient.destroy();
        await second.stop();
      }
      expect(() => process.kill(second.pid, 0)).toThrow();
    } finally {
      for (const pid of pids) {
        if (isRunning(pid)) process.kill(pid, 'SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
