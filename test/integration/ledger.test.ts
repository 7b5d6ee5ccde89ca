import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { INDEX_BY_TASK, INDEXES, KEY_ATTRIBUTES } from '../../shared/db/table.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { LEADER, OFFICE, SEED_PHASES, testApp, unitUser } from '../fixtures/app.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2026-05-16T02:00:00Z');
const UNITS = [
  { id: 'edu-bureau', name: '县教育体育局', kind: 'bureau' },
  { id: 'hexi-town', name: '河西镇', kind: 'township' },
  { id: 'liuwan-village', name: '柳湾村', kind: 'village' },
] as const;

type TaskBody = { id: string; title: string; duties: { unitId: string; role: string; status: string }[] };

async function seed(services: Awaited<ReturnType<typeof testApp>>['services']) {
  for (const u of UNITS) await services.units.create(OFFICE, CreateUnitSchema.parse(u), NOW);
  const plan = await services.plans.create(
    OFFICE,
    CreatePlanSchema.parse({ title: '义务教育优质均衡迎国检', phases: SEED_PHASES }),
    NOW,
  );
  const task = (title: string, phaseKey: string, leadUnitId: string, coUnitIds: string[]) =>
    services.plans.createTask(
      OFFICE,
      plan.id,
      CreateTaskSchema.parse({ title, phaseKey, leadUnitId, coUnitIds, dueAt: '2026-05-26' }),
      NOW,
    );
  const roster = await task('控辍保学花名册核查', 'self-check', 'edu-bureau', [
    'hexi-town',
    'liuwan-village',
  ]);
  const posters = await task('宣传标语张贴', 'mobilize', 'hexi-town', []);
  const weekly = await services.plans.createTask(
    OFFICE,
    plan.id,
    CreateTaskSchema.parse({
      title: '每周进展报送',
      phaseKey: 'self-check',
      leadUnitId: 'liuwan-village',
      kind: 'report',
      recurrence: { freq: 'weekly', weekdays: [5], time: '17:00', until: '2026-05-31' },
    }),
    NOW,
  );
  return { plan, roster, posters, weekly };
}

describe('任务台账 API: a task with every unit’s duty, from the byTask index', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  let s: Awaited<ReturnType<typeof seed>>;

  beforeAll(async () => {
    t = await testApp({ now: NOW });
    s = await seed(t.services);
  });

  it('gives the office a task with its lead and co-units’ duties, and a leader the same', async () => {
    const res = await t.call<TaskBody>('GET', `/v1/plans/${s.plan.id}/tasks/${s.roster.id}`);
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('控辍保学花名册核查');
    expect(res.body.duties.map((d) => [d.unitId, d.role, d.status]).sort()).toEqual([
      ['edu-bureau', 'lead', 'open'],
      ['hexi-town', 'co', 'open'],
      ['liuwan-village', 'co', 'open'],
    ]);
    const asLeader = await t.call<TaskBody>('GET', `/v1/plans/${s.plan.id}/tasks/${s.roster.id}`, {
      as: LEADER,
    });
    expect(asLeader.body.duties).toHaveLength(3);
  });

  it('lists every occurrence of a recurring task', async () => {
    const res = await t.call<TaskBody>('GET', `/v1/plans/${s.plan.id}/tasks/${s.weekly.id}`);
    expect(res.status).toBe(200);
    const created = await t.services.duties.listForPlan(
      OFFICE,
      s.plan.id,
      { unitId: 'liuwan-village' },
      { limit: 100 },
      NOW,
    );
    const weeklyIds = created.items.filter((d) => d.taskId === s.weekly.id).map((d) => d.id);
    expect(weeklyIds.length).toBeGreaterThan(0);
    expect(res.body.duties.map((d) => (d as unknown as { id: string }).id).sort()).toEqual(weeklyIds.sort());
  });

  it('refuses a unit (403), and answers 404 for an unknown task and 400 for a malformed id', async () => {
    const unit = await t.call('GET', `/v1/plans/${s.plan.id}/tasks/${s.roster.id}`, {
      as: unitUser('edu-bureau'),
    });
    expect(unit.status).toBe(403);
    expect((await t.call('GET', `/v1/plans/${s.plan.id}/tasks/task-nope`)).status).toBe(404);
    const bad = await t.call<{ fields?: { field: string }[] }>('GET', `/v1/plans/${s.plan.id}/tasks/Bad_Id`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('taskId');
  });

  it('filters the plan’s tasks by title, phase and unit in the one listing', async () => {
    const titles = async (query: string) =>
      (
        await t.call<{ items: { title: string }[] }>('GET', `/v1/plans/${s.plan.id}/tasks?${query}`)
      ).body.items
        .map((i) => i.title)
        .sort();
    expect(await titles('q=%E6%A0%87%E8%AF%AD')).toEqual(['宣传标语张贴']);
    expect(await titles('phaseKey=self-check')).toEqual(['控辍保学花名册核查', '每周进展报送']);
    // A co-unit finds the tasks it helps with, a lead its own.
    expect(await titles('unitId=liuwan-village')).toEqual(['控辍保学花名册核查', '每周进展报送']);
    expect(await titles('unitId=hexi-town&phaseKey=mobilize')).toEqual(['宣传标语张贴']);
    const empty = await t.call('GET', `/v1/plans/${s.plan.id}/tasks?q=`);
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('q');
  });
});

describe('任务台账 pages', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let s: Awaited<ReturnType<typeof seed>>;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    s = await seed(web.services as Awaited<ReturnType<typeof testApp>>['services']);
  });

  it('lists the tasks with their units by name, filters them, and opens a task with each unit’s duty', async () => {
    const office = web.browser();
    await office.signIn('office');
    const ledger = await office.get(`/plans/${s.plan.id}/ledger`);
    expect(ledger.status).toBe(200);
    expect(ledger.html).toContain('任务台账');
    for (const title of ['控辍保学花名册核查', '宣传标语张贴', '每周进展报送'])
      expect(ledger.html).toContain(title);
    expect(ledger.html).toContain('县教育体育局');
    expect(ledger.html).not.toContain('>edu-bureau<');

    const filtered = await office.get(`/plans/${s.plan.id}/ledger?q=${encodeURIComponent('标语')}`);
    expect(filtered.html).toContain('宣传标语张贴');
    expect(filtered.html).not.toContain('控辍保学花名册核查');
    // An unknown phase or unit is dropped, not passed on.
    const unknown = await office.get(`/plans/${s.plan.id}/ledger?phase=nope&unit=nope`);
    expect(unknown.status).toBe(200);
    expect(unknown.html).toContain('控辍保学花名册核查');

    const task = await office.get(`/plans/${s.plan.id}/ledger/${s.roster.id}`);
    expect(task.status).toBe(200);
    expect(task.html).toContain('共 3 项单位任务');
    for (const name of ['县教育体育局', '河西镇', '柳湾村']) expect(task.html).toContain(name);
    expect(task.html).toContain('交办');
    for (const d of s.roster.duties) expect(task.html).toContain(`href="/duties/${d.id}"`);
  });

  it('links a task just created from the entry form to its page in the ledger', async () => {
    const office = web.browser();
    await office.signIn('office');
    const res = await office.post(`/plans/${s.plan.id}/tasks`, {
      title: '校舍安全排查',
      description: '',
      phaseKey: 'self-check',
      kind: 'task',
      dueDate: '2026-05-25',
      dueTime: '17:00',
      leadUnitId: 'edu-bureau',
    });
    expect(res.status).toBe(303);
    const taskId = res.location?.match(/[?&]task=([a-z0-9-]+)/)?.[1];
    expect(taskId).toMatch(/^task-/);
    const back = await office.get(res.location ?? '');
    expect(back.html).toContain(`href="/plans/${s.plan.id}/ledger/${taskId}"`);
    const task = await office.get(`/plans/${s.plan.id}/ledger/${taskId}`);
    expect(task.html).toContain('校舍安全排查');
  });

  it('shows the last action on a duty and keeps units out', async () => {
    const duty = s.posters.duties[0];
    if (duty === undefined) throw new Error('no duty');
    await web.services.duties.submit(
      unitUser('hexi-town'),
      duty.id,
      { note: '已张贴 20 处', evidence: [], nothingToReport: false },
      NOW,
    );
    const office = web.browser();
    await office.signIn('office');
    const task = await office.get(`/plans/${s.plan.id}/ledger/${s.posters.id}`);
    expect(task.html).toContain('提交办结');

    const clerk = web.browser();
    await clerk.signIn('unit:hexi-town');
    expect((await clerk.get(`/plans/${s.plan.id}/ledger`)).status).toBe(403);
    expect((await clerk.get(`/plans/${s.plan.id}/ledger/${s.posters.id}`)).status).toBe(403);
  });
});

describe('a data folder made before the byTask index', () => {
  it('gets the index at the next start, filled from the duties already stored', async () => {
    // The upgrade as it happens: an engine on disk with an older table, stopped, started again.
    const dataDir = mkdtempSync(join(tmpdir(), 'duban-upgrade-'));
    const tableName = 'duban';
    try {
      const first = await startDynamoDbLocal({ dataDir });
      const client = createLocalDynamoDbClient({ endpoint: first.endpoint, credentials: first.credentials });
      const older = INDEXES.filter((i) => i.name !== INDEX_BY_TASK.name);
      const names = new Set<string>([KEY_ATTRIBUTES.pk, KEY_ATTRIBUTES.sk]);
      for (const i of older) for (const a of [i.partitionKey, i.sortKey]) names.add(a);
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...names].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: older.map((i) => ({
            IndexName: i.name,
            KeySchema: [
              { AttributeName: i.partitionKey, KeyType: 'HASH' },
              { AttributeName: i.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          })),
        }),
      );
      const doc = DynamoDBDocumentClient.from(client);
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: { pk: 'DUTY#d-1', sk: 'DUTY', taskId: 'task-1', role: 'lead', unitId: 'u-1' },
        }),
      );
      // A notice names its task too, but has no role: it stays out of the index.
      await doc.send(
        new PutCommand({ TableName: tableName, Item: { pk: 'NOTICE#n-1', sk: 'NOTICE', taskId: 'task-1' } }),
      );
      client.destroy();
      await first.stop();

      const again = await startDynamoDbLocal({ dataDir });
      const client2 = createLocalDynamoDbClient({ endpoint: again.endpoint, credentials: again.credentials });
      try {
        await ensureTable(client2, tableName);
        const { Table } = await client2.send(new DescribeTableCommand({ TableName: tableName }));
        expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
          INDEXES.map((i) => i.name).sort(),
        );
        const found = await DynamoDBDocumentClient.from(client2).send(
          new QueryCommand({
            TableName: tableName,
            IndexName: INDEX_BY_TASK.name,
            KeyConditionExpression: 'taskId = :t',
            ExpressionAttributeValues: { ':t': 'task-1' },
          }),
        );
        expect(found.Items?.map((i) => i.pk)).toEqual(['DUTY#d-1']);
        // Starting again changes nothing.
        await ensureTable(client2, tableName);
      } finally {
        client2.destroy();
        await again.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
