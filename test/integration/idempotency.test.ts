/**
 * Idempotency-Key on every create (issue 11, item 15): a retried POST gives the first answer back
 * instead of making a second unit, plan, task, finding, extension request or report. Records live
 * in DynamoDB Local's main table; their 24 hours run on the service's own wall clock, which the
 * test moves.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { TTL_ATTRIBUTE } from '../../shared/db/table.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { OFFICE, testApp, unitUser } from '../fixtures/app.js';

interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { field: string }[] } };
}
type Api = Awaited<ReturnType<typeof testApp>>;
type TaskWithDuties = Task & { duties: Duty[] };

const NOW = new Date('2025-09-01T02:00:00Z');

async function setup() {
  let wall = new Date('2026-12-06T01:00:00Z');
  const api = await testApp({ now: NOW, wallClock: () => wall });
  for (const body of [
    { id: 'bureau', name: '县教育体育局', kind: 'bureau' },
    { id: 'town', name: '城关镇', kind: 'township', parentId: 'bureau' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  const plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: {
        title: '迎国检',
        phases: [{ key: 'self-check', name: '自查补短阶段', start: '2025-09-01', end: '2025-09-20' }],
      },
    })
  ).body;
  return {
    api,
    plan,
    moveWallClock: (seconds: number) => {
      wall = new Date(wall.getTime() + seconds * 1000);
    },
  };
}

const TASK = { title: '花名册核实', phaseKey: 'self-check', dueAt: '2025-09-19', leadUnitId: 'town' };

const postTask = (api: Api, planId: string, key: string, body: object = TASK, as: Principal = OFFICE) =>
  api.call<TaskWithDuties & ErrorBody>('POST', `/v1/plans/${planId}/tasks`, {
    as,
    body,
    headers: { 'idempotency-key': key },
  });

async function taskCount(api: Api, planId: string): Promise<number> {
  const res = await api.call<{ items: Task[] }>('GET', `/v1/plans/${planId}/tasks?limit=100`);
  expect(res.status).toBe(200);
  return res.body.items.length;
}

describe('Idempotency-Key on creates', () => {
  it('gives a repeat with the same key and body the first answer, and creates once', async () => {
    const { api, plan } = await setup();
    const first = await postTask(api, plan.id, 'retry-1');
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // The same body with its keys in another order is the same request.
    const again = await postTask(api, plan.id, 'retry-1', {
      leadUnitId: 'town',
      dueAt: '2025-09-19',
      phaseKey: 'self-check',
      title: '花名册核实',
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await taskCount(api, plan.id)).toBe(1);
    // The record is an item of the main table (pattern I1), ended by its TTL attribute 24 h on.
    const { Items } = await api.doc.send(
      new ScanCommand({
        TableName: api.table.tableName,
        FilterExpression: 'begins_with(pk, :p)',
        ExpressionAttributeValues: { ':p': 'IDEMPOTENCY#' },
      }),
    );
    expect(Items).toHaveLength(1);
    expect(Items?.[0]).toMatchObject({
      sk: 'IDEMPOTENCY',
      status: 'completed',
      [TTL_ATTRIBUTE]: Date.parse('2026-12-06T01:00:00Z') / 1000 + 24 * 60 * 60,
    });
    // Without a key, or with a new one, a POST is a new create as before.
    expect((await postTask(api, plan.id, 'retry-2')).status).toBe(201);
    expect(await taskCount(api, plan.id)).toBe(2);
  });

  it('refuses the same key with another body (409) and creates nothing', async () => {
    const { api, plan } = await setup();
    expect((await postTask(api, plan.id, 'k-1')).status).toBe(201);
    const reused = await postTask(api, plan.id, 'k-1', { ...TASK, title: '另一项任务' });
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await taskCount(api, plan.id)).toBe(1);
  });

  it('creates once when requests with the same key race', async () => {
    const { api, plan } = await setup();
    const answers = await Promise.all(Array.from({ length: 5 }, () => postTask(api, plan.id, 'race-1')));
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    // Whoever did not run it got the first answer or was told to wait, never a second task.
    for (const a of created) expect(a.body.id).toBe(created[0]?.body.id);
    for (const a of answers.filter((x) => x.status !== 201)) {
      expect(a.status).toBe(409);
      expect(a.body.error.code).toBe('idempotency_in_progress');
    }
    expect(await taskCount(api, plan.id)).toBe(1);
  });

  it('keeps callers apart: the same key from two callers is two creates', async () => {
    const { api, plan } = await setup();
    const otherOffice: Principal = { sub: 'office-2', role: 'office' };
    const a = await postTask(api, plan.id, 'shared-key');
    const b = await postTask(api, plan.id, 'shared-key', { ...TASK, title: '另一项任务' }, otherOffice);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.id).not.toBe(a.body.id);
    expect(await taskCount(api, plan.id)).toBe(2);
  });

  it('forgets a key after 24 hours', async () => {
    const { api, plan, moveWallClock } = await setup();
    const first = await postTask(api, plan.id, 'day-old');
    moveWallClock(24 * 60 * 60 - 1);
    expect((await postTask(api, plan.id, 'day-old')).body.id).toBe(first.body.id);
    moveWallClock(2);
    const later = await postTask(api, plan.id, 'day-old');
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    expect(later.body.id).not.toBe(first.body.id);
    expect(await taskCount(api, plan.id)).toBe(2);
  });

  it('does not keep a refusal: the fixed body may be sent again under the same key', async () => {
    const { api, plan } = await setup();
    const bad = await postTask(api, plan.id, 'fix-me', { ...TASK, dueAt: 'tomorrow-ish' });
    expect(bad.status).toBe(400);
    const fixed = await postTask(api, plan.id, 'fix-me');
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    expect(await taskCount(api, plan.id)).toBe(1);
  });

  it('names a malformed key as a 400 field and creates nothing', async () => {
    const { api, plan } = await setup();
    const bad = await postTask(api, plan.id, 'x'.repeat(256));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.fields?.map((f) => f.field)).toContain('Idempotency-Key');
    expect(await taskCount(api, plan.id)).toBe(0);
  });

  it('covers every create: unit, plan, task, finding, extension request, report', async () => {
    const { api, plan } = await setup();
    const task = (await postTask(api, plan.id, 'for-duty')).body;
    const duty = task.duties[0] as Duty;
    const creates: { path: string; body: object; as?: Principal; list: string }[] = [
      {
        path: '/v1/units',
        body: { name: '城关小学', kind: 'school', parentId: 'town' },
        list: '/v1/units?limit=100',
      },
      {
        path: '/v1/plans',
        body: { title: '控辍保学', phases: [{ key: 'p1', name: '部署', start: '2025-09-01' }] },
        list: '/v1/plans?limit=100',
      },
      {
        path: `/v1/plans/${plan.id}/findings`,
        body: {
          title: '档案不全',
          detail: '缺少佐证',
          unitIds: ['town'],
          dueAt: '2025-09-15',
          source: 'county-check',
        },
        list: `/v1/plans/${plan.id}/findings?limit=100`,
      },
      {
        path: `/v1/duties/${duty.id}/extension-requests`,
        body: { reason: '等待户籍数据', progress: '已完成八成', proposedDueAt: '2025-09-26' },
        as: unitUser('town'),
        list: `/v1/duties/${duty.id}/extension-requests`,
      },
      {
        path: `/v1/plans/${plan.id}/reports`,
        body: { period: 'week' },
        list: `/v1/plans/${plan.id}/reports`,
      },
    ];
    for (const c of creates) {
      const as = c.as ?? OFFICE;
      const send = () =>
        api.call<{ id: string }>('POST', c.path, {
          as,
          body: c.body,
          headers: { 'idempotency-key': 'once' },
        });
      const first = await send();
      expect(first.status, `${c.path} ${JSON.stringify(first.body)}`).toBe(201);
      const before = (await api.call<{ items: unknown[] }>('GET', c.list, { as })).body.items.length;
      const again = await send();
      expect(again.headers.get('idempotent-replayed'), c.path).toBe('true');
      expect(again.status, c.path).toBe(201);
      expect(again.body, c.path).toEqual(first.body);
      expect((await api.call<{ items: unknown[] }>('GET', c.list, { as })).body.items.length, c.path).toBe(
        before,
      );
    }
  });

  it('documents the header once and references it from each create operation', async () => {
    const { api } = await setup();
    type Op = { parameters?: { $ref?: string }[]; responses: Record<string, unknown> };
    const doc = (
      await api.call<{
        paths: Record<string, Record<string, Op>>;
        components: { parameters: Record<string, { name: string; in: string }> };
      }>('GET', '/openapi.json', { as: null })
    ).body;
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({ name: 'Idempotency-Key', in: 'header' });
    const creates = [
      '/v1/units',
      '/v1/plans',
      '/v1/plans/{planId}/tasks',
      '/v1/plans/{planId}/findings',
      '/v1/duties/{dutyId}/extension-requests',
      '/v1/plans/{planId}/reports',
    ];
    for (const path of creates) {
      const op = doc.paths[path]?.post;
      expect(op?.parameters, path).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
      expect(Object.keys(op?.responses ?? {}), path).toContain('409');
    }
  });
});
