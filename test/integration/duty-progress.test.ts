import { beforeAll, describe, expect, it } from 'vitest';
import { lightRuleText } from '../../shared/domain/duty/light.js';
import type { AuditEventView } from '../../shared/schemas/audit.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { CreatePlanSchema, type Plan } from '../../shared/schemas/plans.js';
import { CreateTaskSchema, type Task } from '../../shared/schemas/tasks.js';
import { testApp, unitUser } from '../fixtures/app.js';
import { tableSnapshot } from '../fixtures/snapshot.js';
import { webApp } from './web-harness.js';

type Api = Awaited<ReturnType<typeof testApp>>;
let api: Api;
let duty: Duty;

beforeAll(async () => {
  api = await testApp({ now: new Date('2025-09-25T01:00:00Z') });
  for (const body of [
    { id: 'village', name: '东街村', kind: 'village' },
    { id: 'other', name: '西街村', kind: 'village' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  const plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: {
        title: '校舍改造',
        phases: [{ key: 'work', name: '建设阶段', start: '2025-09-01', end: '2025-12-31' }],
      },
    })
  ).body;
  const task = await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
    body: {
      title: '项目建设定期上报进度',
      phaseKey: 'work',
      leadUnitId: 'village',
      dueAt: '2025-10-10T17:00:00+08:00',
    },
  });
  expect(task.status, task.text).toBe(201);
  duty = task.body.duties[0] as Duty;
});

describe('progress reports (序时进度)', () => {
  it('keeps the unit’s last report on its open duty, audited', async () => {
    const first = await api.call<Duty>('POST', `/v1/duties/${duty.id}/progress`, {
      as: unitUser('village'),
      body: { percent: 30, note: '完成地基' },
    });
    expect(first.status, first.text).toBe(200);
    expect(first.body.progress).toMatchObject({ percent: 30, note: '完成地基', by: 'village-clerk' });
    api.setNow(new Date('2025-09-30T02:00:00Z'));
    const second = await api.call<Duty>('POST', `/v1/duties/${duty.id}/progress`, {
      as: unitUser('village'),
      body: { percent: 50, version: first.body.version },
    });
    expect(second.status, second.text).toBe(200);
    expect(second.body.progress).toMatchObject({ percent: 50, note: null, at: '2025-09-30T02:00:00.000Z' });
    expect(second.body.version).toBe(first.body.version + 1);
    const read = await api.call<Duty>('GET', `/v1/duties/${duty.id}`);
    expect(read.body.progress?.percent).toBe(50);
    const audit = await api.call<{ items: AuditEventView[] }>('GET', '/v1/audit?limit=100');
    expect(audit.body.items.filter((e) => e.action === 'duty.progress')).toHaveLength(2);
  });

  it('refuses another unit, a bad percentage, a stale version and a duty no longer open, changing nothing', async () => {
    const before = await tableSnapshot(api.table);
    const other = await api.call('POST', `/v1/duties/${duty.id}/progress`, {
      as: unitUser('other'),
      body: { percent: 10 },
    });
    expect(other.status).toBe(403);
    const bad = await api.call<{ error: { details: { fields: { field: string }[] } } }>(
      'POST',
      `/v1/duties/${duty.id}/progress`,
      { as: unitUser('village'), body: { percent: 101 } },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f) => f.field)).toEqual(['percent']);
    const stale = await api.call('POST', `/v1/duties/${duty.id}/progress`, {
      as: unitUser('village'),
      body: { percent: 60, version: 1 },
    });
    expect(stale.status).toBe(409);
    expect(await tableSnapshot(api.table)).toBe(before);

    const submitted = await api.call('POST', `/v1/duties/${duty.id}/submit`, {
      as: unitUser('village'),
      body: { note: '已完工' },
    });
    expect(submitted.status, submitted.text).toBe(200);
    const after = await tableSnapshot(api.table);
    const late = await api.call('POST', `/v1/duties/${duty.id}/progress`, {
      as: unitUser('village'),
      body: { percent: 100 },
    });
    expect(late.status).toBe(409);
    expect(await tableSnapshot(api.table)).toBe(after);
  });
});

describe('序时进度 on the duty page', () => {
  it('shows the light and the plan against the report, and takes the unit’s report', async () => {
    const now = new Date('2025-09-30T02:00:00Z');
    const web = await webApp({ now });
    const officer = { sub: 'office-1', role: 'office' as const };
    await web.services.units.create(officer, { id: 'village', name: '东街村', kind: 'village' }, now);
    const plan = await web.services.plans.create(
      officer,
      CreatePlanSchema.parse({
        title: '校舍改造',
        phases: [{ key: 'work', name: '建设阶段', start: '2025-09-01', end: '2025-12-31' }],
      }),
      now,
    );
    const task = await web.services.plans.createTask(
      officer,
      plan.id,
      CreateTaskSchema.parse({
        title: '项目建设定期上报进度',
        phaseKey: 'work',
        leadUnitId: 'village',
        dueAt: '2025-10-10T17:00:00+08:00',
      }),
      new Date('2025-09-25T01:00:00Z'),
    );
    const dutyId = task.duties[0]?.id ?? '';
    const page = web.browser();
    await page.signIn('unit:village');
    const before = await page.get(`/duties/${dutyId}`);
    expect(before.status).toBe(200);
    // Tue 09-30 before National Day: 2 working days left (10-09, 10-10), nothing reported → blue.
    expect(before.html).toContain('data-progress-light="blue"');
    expect(before.html).toContain('序时进度 <strong>67%</strong>');
    expect(before.html).toContain('未报告');

    const bad = await page.post(`/duties/${dutyId}/progress`, { percent: '120', note: '' });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('报告进度未成功');
    const posted = await page.post(`/duties/${dutyId}/progress`, { percent: '40', note: '主体完工' });
    expect(posted.status, posted.html).toBe(303);
    const after = await page.get(posted.location ?? '');
    expect(after.html).toContain('进度已报告');
    expect(after.html).toContain('data-progress-light="yellow"');
    expect(after.html).toContain('已报进度 40%,序时进度 67%,落后 27 个百分点');

    const office = web.browser();
    await office.signIn('office');
    const overview = await office.get(`/plans/${plan.id}?sort=light`);
    expect(overview.status).toBe(200);
    expect(overview.html).toContain('<strong>按亮灯</strong>');
    expect(overview.html).toContain('data-progress-lights="红灯 0 · 黄灯 1 · 蓝灯 0 · 绿灯 0"');
    // Per phase too, and the one rule printed with the plan's figures.
    expect(overview.html).toMatch(
      /data-phase-lights="work">[\s\S]*?建设阶段:红灯 0 · 黄灯 1 · 蓝灯 0 · 绿灯 0/,
    );
    expect(overview.html).toContain(lightRuleText());
  });
});
