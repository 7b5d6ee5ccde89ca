import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDevSecret } from '../../infra/local/dev-secret.js';
import { type LocalRuntimeOptions, startLocalRuntime } from '../../infra/local/runtime.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { parseLocalConfig } from '../../shared/config.js';

/** What `npm start` runs, over real HTTP on loopback: first start seeds, a restart keeps the data. */
describe('local runtime', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'duban-runtime-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** The runtime in memory on loopback, without its schedules: one request path to look at. */
  const inMemory = (secret: string, more: Partial<LocalRuntimeOptions> = {}) =>
    startLocalRuntime({
      port: 0,
      host: '127.0.0.1',
      dataDir: 'memory',
      devSecret: secret,
      tableName: 'duban',
      schedule: false,
      ...more,
    });

  it('starts on disk with the demo plan, keeps it across a restart, and stops cleanly', async () => {
    const options = { port: 0, host: '127.0.0.1', dataDir, tableName: 'duban' };
    const first = await startLocalRuntime(options);
    let planId: string;
    try {
      expect(first.seeded?.units).toBeGreaterThan(10);
      expect(statSync(join(dataDir, 'dev-secret')).mode & 0o777).toBe(0o600);
      // The key of children's identifying fields (控辍保学), made at the first start.
      expect(statSync(join(dataDir, 'field-key')).mode & 0o777).toBe(0o600);
      // Database files, engine key, secret and evidence: the folder is its owner's alone.
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(join(dataDir, 'dynamodb')).mode & 0o777).toBe(0o700);
      const health = await fetch(`${first.url}/health`);
      expect(health.status).toBe(200);
      const token = await issueHs256Token(loadDevSecret(dataDir, undefined, false), {
        sub: 't',
        role: 'leader',
      });
      const plans = (await (
        await fetch(`${first.url}/v1/plans`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { items: { id: string; title: string }[] };
      expect(plans.items.map((p) => p.title)).toEqual(['教育扶贫迎国检工作方案']);
      planId = plans.items[0]?.id ?? '';
    } finally {
      await first.stop();
    }

    const second = await startLocalRuntime(options);
    try {
      expect(second.seeded).toBeNull();
      const token = await issueHs256Token(loadDevSecret(dataDir, undefined, false), {
        sub: 't',
        role: 'office',
      });
      const plan = await fetch(`${second.url}/v1/plans/${planId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(plan.status).toBe(200);
      expect(((await plan.json()) as { currentPhase: { key: string } }).currentPhase.key).toBe('self-check');
    } finally {
      await second.stop();
    }
  }, 90_000);

  it('answers the next request on a keep-alive connection after refusing a body (413)', async () => {
    const secret = 'keep-alive-secret-0123456789-0123456789';
    const runtime = await inMemory(secret);
    try {
      const token = await issueHs256Token(secret, { sub: 't', role: 'office' });
      const json = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
      // Node's fetch keeps the connection alive and reuses it for the requests that follow.
      for (let round = 0; round < 3; round++) {
        const big = await fetch(`${runtime.url}/v1/units`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ name: 'x'.repeat(300 * 1024) }),
        });
        expect(big.status).toBe(413);
        expect(big.headers.get('connection')).toBe('close');
        await big.arrayBuffer();
        expect((await fetch(`${runtime.url}/health`)).status).toBe(200);
        const next = await fetch(`${runtime.url}/v1/units`, { method: 'POST', headers: json, body: '{}' });
        expect(next.status).toBe(400);
        await next.arrayBuffer();
      }
    } finally {
      await runtime.stop();
    }
  }, 90_000);

  it('gives the engine nothing to another client on its port: DynamoDB Local listens on every interface', async () => {
    const runtime = await startLocalRuntime({ port: 0, host: '127.0.0.1', dataDir, tableName: 'duban' });
    // Someone on the LAN who found the port, signing with the credentials older versions used, or any others.
    const strangers = [
      { accessKeyId: 'local', secretAccessKey: 'local' },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
    ].map(
      (credentials) =>
        new DynamoDBClient({ endpoint: runtime.dynamoEndpoint, region: 'us-east-1', credentials }),
    );
    try {
      for (const stranger of strangers) {
        expect((await stranger.send(new ListTablesCommand({}))).TableNames).toEqual([]);
        await expect(stranger.send(new ScanCommand({ TableName: 'duban' }))).rejects.toMatchObject({
          name: 'ResourceNotFoundException',
        });
        await expect(
          stranger.send(new GetItemCommand({ TableName: 'duban', Key: { pk: { S: 'x' }, sk: { S: 'x' } } })),
        ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      }
      // The key lives with the data, readable by its owner only, like the dev secret.
      expect(statSync(join(dataDir, 'dynamodb', 'access-key.json')).mode & 0o777).toBe(0o600);
    } finally {
      for (const stranger of strangers) stranger.destroy();
      await runtime.stop();
    }
  }, 90_000);

  it('limits each caller to DUBAN_RATE_LIMIT_PER_MINUTE requests a minute, as in AWS', async () => {
    const secret = 'rate-limit-secret-0123456789-0123456789';
    const config = parseLocalConfig({ DUBAN_DATA_DIR: 'memory', DUBAN_RATE_LIMIT_PER_MINUTE: '3' });
    expect(config.DUBAN_RATE_LIMIT_PER_MINUTE).toBe(3);
    const runtime = await inMemory(secret, { rateLimitPerMinute: config.DUBAN_RATE_LIMIT_PER_MINUTE });
    try {
      const token = await issueHs256Token(secret, { sub: 'load-test', role: 'office' });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${runtime.url}/v1/units`, { headers: { authorization: `Bearer ${token}` } });
        statuses.push(res.status);
        await res.arrayBuffer();
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await runtime.stop();
    }
  }, 90_000);

  it('starts its engine with DUBAN_DYNAMODB_HEAP as the Java heap ceiling', async () => {
    const config = parseLocalConfig({ DUBAN_DATA_DIR: 'memory', DUBAN_DYNAMODB_HEAP: '512m' });
    expect(config.DUBAN_DYNAMODB_HEAP).toBe('512m');
    expect(() => parseLocalConfig({ DUBAN_DYNAMODB_HEAP: '512 MB' })).toThrow(/DUBAN_DYNAMODB_HEAP/);
    const runtime = await inMemory('engine-heap-secret-0123456789-0123456789', {
      engineHeap: config.DUBAN_DYNAMODB_HEAP,
    });
    try {
      const args = readFileSync(`/proc/${runtime.dynamoPid}/cmdline`, 'utf8').split('\0');
      expect(args.filter((arg) => arg.startsWith('-Xmx'))).toEqual(['-Xmx512m']);
      expect(args.indexOf('-Xmx512m')).toBeLessThan(args.indexOf('-jar'));
    } finally {
      await runtime.stop();
    }
  }, 90_000);

  it('refuses to run in memory without a dev secret', async () => {
    await expect(
      startLocalRuntime({ port: 0, host: '127.0.0.1', dataDir: 'memory', tableName: 'duban' }),
    ).rejects.toThrow(/DUBAN_DEV_SECRET/);
  });
});
