import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { ensureTable } from '../../infra/local/create-table.js';
import {
  createLocalDynamoDbClient,
  DEFAULT_ENGINE_HEAP,
  ENGINE_JVM_FLAGS,
  engineJvmArgs,
  startDynamoDbLocal,
} from '../../infra/local/dynamodb-local.js';
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

/** A process's arguments as the kernel holds them (/proc/<pid>/cmdline, NUL-separated). */
function commandLineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    .split('\0')
    .filter((arg) => arg.length > 0);
}

describe('DynamoDB Local', () => {
  it('answers ListTables', async () => {
    const client = createLocalDynamoDbClient({
      endpoint: inject('dynamoEndpoint'),
      credentials: inject('dynamoCredentials'),
    });
    const { TableNames } = await client.send(new ListTablesCommand({}));
    expect(Array.isArray(TableNames)).toBe(true);
    client.destroy();
  });

  it('shows its tables only to a client with its key, not to another client on the same port', async () => {
    const { tableName } = await freshTable();
    const stranger = new DynamoDBClient({
      endpoint: inject('dynamoEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      expect((await stranger.send(new ListTablesCommand({}))).TableNames).not.toContain(tableName);
      await expect(
        DynamoDBDocumentClient.from(stranger).send(
          new GetCommand({ TableName: tableName, Key: { pk: 'K#1', sk: 'K#1' } }),
        ),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      stranger.destroy();
    }
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

  it('runs java with a bounded heap and the memory flags, before -jar, as its command line shows', {
    timeout: 90_000,
  }, async () => {
    // Java's default ceiling is a quarter of the machine: the engine once grew to 5.4 GB.
    for (const [options, heap] of [
      [{}, DEFAULT_ENGINE_HEAP],
      [{ heap: '384m' }, '384m'],
    ] as const) {
      const engine = await startDynamoDbLocal(options);
      try {
        const args = commandLineOf(engine.pid);
        expect(args[0]).toMatch(/(^|\/)java$/);
        const jar = args.indexOf('-jar');
        expect(jar).toBeGreaterThan(0);
        const jvm = args.slice(0, jar);
        expect(jvm.filter((arg) => arg.startsWith('-Xmx'))).toEqual([`-Xmx${heap}`]);
        for (const flag of ENGINE_JVM_FLAGS) expect(jvm).toContain(flag);
        expect(args).toContain('-disableTelemetry');
        expect(args).toContain('-inMemory');
      } finally {
        await engine.stop();
      }
    }
  });

  it('refuses a heap size java would not read, before starting anything', async () => {
    for (const heap of ['1 g', '0', '-XX:+UseEpsilonGC', '1g -Xss1m', '']) {
      expect(() => engineJvmArgs({ heap }), heap).toThrow(/heap must look like 1g or 768m/);
      await expect(startDynamoDbLocal({ heap }), heap).rejects.toThrow(/heap must look like/);
    }
    expect(engineJvmArgs({ heap: '2g', jvmFlags: [] })).toEqual(['-Xmx2g']);
    expect(engineJvmArgs({ heap: null, jvmFlags: [] })).toEqual([]);
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
      const firstClient = createLocalDynamoDbClient(first);
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
      const secondClient = createLocalDynamoDbClient(second);
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

  it("moves a folder written with -sharedDb by an older version under the folder's own key, data kept", {
    timeout: 90_000,
  }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'duban-ddb-'));
    const key = { pk: 'PLAN#1', sk: 'PLAN#1' };
    try {
      const first = await startDynamoDbLocal({ dataDir });
      const firstClient = createLocalDynamoDbClient(first);
      try {
        await ensureTable(firstClient, 'legacy');
        await DynamoDBDocumentClient.from(firstClient).send(
          new PutCommand({ TableName: 'legacy', Item: { ...key, title: '旧数据 old data' } }),
        );
      } finally {
        firstClient.destroy();
        await first.stop();
      }
      // What -sharedDb left: one database file for every client (shared-local-instance.db), no key.
      await rename(
        join(dataDir, `${first.credentials.accessKeyId}_us-east-1.db`),
        join(dataDir, 'shared-local-instance.db'),
      );
      await rm(join(dataDir, 'access-key.json'));

      const second = await startDynamoDbLocal({ dataDir });
      const secondClient = createLocalDynamoDbClient(second);
      try {
        expect(second.credentials.accessKeyId).not.toBe(first.credentials.accessKeyId);
        const { Item } = await DynamoDBDocumentClient.from(secondClient).send(
          new GetCommand({ TableName: 'legacy', Key: key, ConsistentRead: true }),
        );
        expect(Item).toEqual({ ...key, title: '旧数据 old data' });
        expect(await readdir(dataDir)).not.toContain('shared-local-instance.db');
        const stored = JSON.parse(await readFile(join(dataDir, 'access-key.json'), 'utf8')) as unknown;
        expect(stored).toEqual(second.credentials);
        expect((await stat(join(dataDir, 'access-key.json'))).mode & 0o777).toBe(0o600);
      } finally {
        secondClient.destroy();
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
