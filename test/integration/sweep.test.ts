import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/db/client.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Notice, SweepResult } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { createServices } from '../../shared/services/index.js';
import { LEADER, OFFICE, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type TaskWithDuties = Task & { duties: Duty[] };
type NoticePage = { items: Notice[]; nextCursor: string | null };

// Due Friday 2025-09-26 17:00 Shanghai. remind Thu 09-25 17:00; overdue at due; escalate
// Tue 09-30 (Sun 09-28 is a 调休 working day); accountability Fri 10-10 (after National Day).
const DUE = '2025-09-26T17:00:00+08:00';
const AT = {
  created: new Date('2025-09-01T02:00:00Z'),
  beforeRemind: new Date('2025-09-25T08:59:00Z'),
  remind: new Date('2025-09-25T09:00:00Z'),
  overdue: new Date('2025-09-26T09:00:00Z'),
  escalate: new Date('2025-09-30T09:00:00Z'),
  accountability: new Date('2025-10-10T09:00:00Z'),
};
const PHASES = [{ key: 'work', name: '整改阶段', start: '2025-09-01', end: '2025-12-31' }];

async function setup() {
  const api = await testApp({ now: AT.created });
  for (const body of [
    { id: 'town', name: '城关镇', kind: 'township' },
    { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'bureau', name: '县教育体育局', kind: 'bureau' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  const plan = (await api.call<Plan>('POST', '/v1/plans', { body: { title: '控辍保学', phases: PHASES } }))
    .body;
  return { api, plan };
}

async function newTask(api: Api, plan: Plan, body: Record<string, unknown>) {
  const res = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
    body: { title: '摸排适龄儿童', phaseKey: 'work', ...body },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function sweep(api: Api, planId?: string) {
  const res = await api.call<SweepResult>('POST', '/v1/sweeps', { body: planId ? { planId } : {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function noticesOf(api: Api, planId: string) {
  const all: Notice[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/v1/notices?planId=${planId}&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const page: NoticePage = (await api.call<NoticePage>('GET', q)).body;
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

describe('the due-date sweep', () => {
  let api: Api;
  let plan: Plan;
  let duty: Duty;

  beforeAll(async () => {
    ({ api, plan } = await setup());
    duty = (await newTask(api, plan, { leadUnitId: 'village', dueAt: DUE })).duties[0] as Duty;
  });

  it('gives each duty the plan’s policy and its first action time', () => {
    expect(duty.escalation.map((l) => l.level)).toEqual(['remind', 'overdue', 'escalate', 'accountability']);
    expect(duty.nextActionAt).toBe(AT.remind.toISOString());
  });

  it('writes each level at its time, once, to its addressees', async () => {
    api.setNow(AT.beforeRemind);
    expect(await sweep(api)).toMatchObject({ examined: 0, written: 0 });

    api.setNow(AT.remind);
    expect(await sweep(api)).toMatchObject({ examined: 1, written: 1 });
    expect(await sweep(api)).toMatchObject({ examined: 0, written: 0 });

    api.setNow(AT.overdue);
    expect(await sweep(api)).toMatchObject({ written: 1 });
    api.setNow(AT.escalate);
    expect(await sweep(api)).toMatchObject({ written: 1 });
    api.setNow(AT.accountability);
    expect(await sweep(api)).toMatchObject({ written: 1 });
    api.setNow(new Date('2026-01-01T00:00:00Z'));
    expect(await sweep(api)).toMatchObject({ examined: 0, written: 0 });

    const notices = await noticesOf(api, plan.id);
    const byLevel = Object.fromEntries(notices.map((n) => [n.level, n]));
    expect(Object.keys(byLevel).sort()).toEqual(['accountability', 'escalate', 'overdue', 'remind']);
    expect(byLevel.remind?.recipients).toEqual(['unit:village']);
    expect(byLevel.escalate?.recipients.sort()).toEqual(['role:leaders', 'unit:town', 'unit:village']);
    expect(byLevel.accountability?.recipients.sort()).toEqual(['role:office', 'unit:village']);
    expect(byLevel.escalate).toMatchObject({
      levelLabel: '督办',
      scheduledAt: AT.escalate.toISOString(),
      workingDaysLate: 3,
    });
    expect(byLevel.accountability?.workingDaysLate).toBe(5);
    const stored = (await api.call<Duty>('GET', `/v1/duties/${duty.id}`)).body;
    expect(stored).toMatchObject({
      nextLevelIndex: 4,
      nextActionAt: null,
      lastNoticeLevel: 'accountability',
    });
  });

  it('shows a unit its own notices and a township its villages’ escalations', async () => {
    const village = await api.call<NoticePage>('GET', '/v1/notices', { as: unitUser('village') });
    expect(village.body.items.map((n) => n.level).sort()).toEqual([
      'accountability',
      'escalate',
      'overdue',
      'remind',
    ]);
    const town = await api.call<NoticePage>('GET', '/v1/notices', { as: unitUser('town') });
    expect(town.body.items.map((n) => n.level)).toEqual(['escalate']);
    const bureau = await api.call<NoticePage>('GET', '/v1/notices', { as: unitUser('bureau') });
    expect(bureau.body.items).toEqual([]);
    // A township reads (never acknowledges for) its village's notices; a sibling cannot.
    const asParent = await api.call<NoticePage>('GET', '/v1/notices?unitId=village', {
      as: unitUser('town'),
    });
    expect(asParent.body.items).toHaveLength(4);
    expect((await api.call('GET', '/v1/notices?unitId=village', { as: unitUser('bureau') })).status).toBe(
      403,
    );
    const filtered = await api.call<NoticePage>('GET', '/v1/notices?level=escalate', { as: LEADER });
    expect(filtered.body.items.map((n) => n.level)).toEqual(['escalate']);
  });

  it('lets only addressees acknowledge, and keeps the first acknowledgement', async () => {
    const [escalate] = (await api.call<NoticePage>('GET', '/v1/notices', { as: unitUser('town') })).body
      .items;
    if (escalate === undefined) throw new Error('no escalation notice');
    const path = `/v1/notices/${escalate.id}/ack`;
    expect((await api.call('POST', path, { as: unitUser('bureau') })).status).toBe(403);
    expect((await api.call('POST', path, { as: OFFICE })).status).toBe(403);
    api.setNow(new Date('2026-01-02T01:00:00Z'));
    const first = await api.call<Notice>('POST', path, { as: unitUser('town') });
    expect(first.status).toBe(200);
    expect(first.body.acks['unit:town']).toEqual({ at: '2026-01-02T01:00:00.000Z', by: 'town-clerk' });
    api.setNow(new Date('2026-01-03T01:00:00Z'));
    const again = await api.call<Notice>('POST', path, { as: unitUser('town') });
    expect(again.body.acks['unit:town']?.at).toBe('2026-01-02T01:00:00.000Z');
    expect((await api.call<Notice>('POST', path, { as: LEADER })).body.acks['role:leaders']).toBeDefined();
    expect((await api.call('POST', '/v1/notices/nope-r1-remind/ack', { as: LEADER })).status).toBe(404);
  });

  it('refuses sweeps by anyone but the office', async () => {
    expect((await api.call('POST', '/v1/sweeps', { as: LEADER, body: {} })).status).toBe(403);
    expect((await api.call('POST', '/v1/sweeps', { as: unitUser('village'), body: {} })).status).toBe(403);
    expect((await api.call('POST', '/v1/sweeps', { body: { planId: 'plan-none' } })).status).toBe(404);
  });
});

describe('exactly once, whatever happens', () => {
  it('writes every level once when 8 sweeps run at once after a missed fortnight', async () => {
    const { api, plan } = await setup();
    const created: Duty[] = [];
    for (let i = 0; i < 10; i++) {
      created.push(
        ...(await newTask(api, plan, { leadUnitId: 'village', coUnitIds: ['bureau'], dueAt: DUE })).duties,
      );
    }
    api.setNow(AT.accountability);
    const results = await Promise.all(Array.from({ length: 8 }, () => sweep(api, plan.id)));
    const written = results.reduce((n, r) => n + r.written, 0);
    const notices = await noticesOf(api, plan.id);
    expect(notices).toHaveLength(created.length * 4);
    expect(new Set(notices.map((n) => n.id)).size).toBe(notices.length);
    expect(written).toBe(notices.length);
    expect(results.reduce((n, r) => n + r.failed, 0)).toBe(0);
    // Caught up late, each notice still says when it was due to fire.
    expect(
      notices.filter((n) => n.level === 'remind').every((n) => n.scheduledAt === AT.remind.toISOString()),
    ).toBe(true);
    // Each escalation is in its duty's history exactly once, written with the notice, by the sweeper.
    const duty = created[0] as Duty;
    const history = await api.call<{
      items: { action: string; actor: string; after: Record<string, unknown> }[];
    }>('GET', `/v1/duties/${duty.id}/history?limit=100`);
    const escalations = history.body.items.filter((e) => e.action === 'duty.escalate');
    expect(escalations.map((e) => e.after.lastNoticeLevel)).toEqual([
      'remind',
      'overdue',
      'escalate',
      'accountability',
    ]);
    expect(escalations.map((e) => e.after.noticeId).sort()).toEqual(
      notices
        .filter((n) => n.dutyId === duty.id)
        .map((n) => n.id)
        .sort(),
    );
    expect(new Set(escalations.map((e) => e.actor))).toEqual(new Set(['office-1']));
  });

  it('has no gaps and no duplicates when a sweep dies half-way and runs again', async () => {
    const { api, plan } = await setup();
    const created: Duty[] = [];
    for (let i = 0; i < 6; i++) {
      created.push(...(await newTask(api, plan, { leadUnitId: 'village', dueAt: DUE })).duties);
    }
    // The same services on a client whose writes of notices fail after the 7th, as a table that
    // stops taking them half-way would (test/integration/sweep-crash.test.ts kills the whole
    // sweep after each kind of write).
    const real = createDocumentClient(api.table.client);
    let noticePuts = 0;
    const dying = Object.create(real) as typeof real;
    dying.send = (async (command: unknown) => {
      if (command instanceof PutCommand && command.input.Item?.entity === 'Notice' && ++noticePuts > 7) {
        throw new Error('killed');
      }
      return real.send(command as Parameters<typeof real.send>[0]);
    }) as typeof real.send;
    const lost: string[] = [];
    const crashing = createServices(
      { doc: dying, tableName: api.table.tableName },
      { onSweepItemError: (_err, id) => lost.push(id) },
    );
    const first = await crashing.sweeps.sweep(OFFICE, { planId: plan.id }, AT.accountability);
    // A duty's due levels are written side by side: one whose fourth failed counts none of them.
    expect(first.written).toBeLessThanOrEqual(7);
    expect(first.failed).toBeGreaterThan(0);
    expect(lost).toHaveLength(first.failed);

    api.setNow(AT.accountability);
    const rerun = await sweep(api, plan.id);
    // The 7 stored are found there (those of duties the first run finished are no longer due):
    // the rest are written now, once.
    expect(rerun.written).toBe(6 * 4 - 7);
    expect(rerun.alreadyWritten).toBe(7 - first.written);
    const notices = await noticesOf(api, plan.id);
    expect(notices).toHaveLength(24);
    expect(new Set(notices.map((n) => n.id)).size).toBe(24);
    // And each in its duty's history once.
    for (const d of created) {
      const history = await api.call<{ items: { action: string; after: Record<string, unknown> }[] }>(
        'GET',
        `/v1/duties/${d.id}/history?limit=100`,
      );
      const escalations = history.body.items.filter((e) => e.action === 'duty.escalate');
      expect(escalations.map((e) => e.after.noticeId).sort()).toEqual(
        notices
          .filter((n) => n.dutyId === d.id)
          .map((n) => n.id)
          .sort(),
      );
    }
  });

  it('never notifies a duty after it is submitted, when submits race a sweep', async () => {
    const { api, plan } = await setup();
    const duties: Duty[] = [];
    for (let i = 0; i < 12; i++)
      duties.push(...(await newTask(api, plan, { leadUnitId: 'village', dueAt: DUE })).duties);
    api.setNow(AT.overdue);
    const [sweepResult, ...submits] = await Promise.all([
      sweep(api, plan.id),
      ...duties.map((d) =>
        api.call<Duty>('POST', `/v1/duties/${d.id}/submit`, {
          as: unitUser('village'),
          body: { note: '已完成' },
        }),
      ),
    ]);
    expect(submits.every((s) => s.status === 200)).toBe(true);
    expect(sweepResult.failed).toBe(0);
    const before = await noticesOf(api, plan.id);
    for (const n of before) {
      // Written before the submit landed: only levels due by then (remind, overdue).
      expect(['remind', 'overdue']).toContain(n.level);
    }
    api.setNow(AT.accountability);
    expect(await sweep(api, plan.id)).toMatchObject({ examined: 0, written: 0 });
    expect(await noticesOf(api, plan.id)).toHaveLength(before.length);
  });
});

describe('late assignment, calendar and recurrence', () => {
  it('sends a duty assigned after its due time its overdue notice at once, and no reminder', async () => {
    const { api, plan } = await setup();
    api.setNow(new Date('2025-09-29T02:00:00Z'));
    await newTask(api, plan, { leadUnitId: 'village', dueAt: DUE });
    expect(await sweep(api, plan.id)).toMatchObject({ written: 1 });
    const notices = await noticesOf(api, plan.id);
    expect(notices.map((n) => n.level)).toEqual(['overdue']);
    // +3 working days count from the assignment (Mon 09-29): 09-30, then 10-09 and 10-10.
    api.setNow(new Date('2025-10-09T02:00:00Z'));
    expect(await sweep(api, plan.id)).toMatchObject({ written: 0 });
    api.setNow(new Date('2025-10-10T02:00:00Z'));
    expect(await sweep(api, plan.id)).toMatchObject({ written: 1 });
  });

  it('takes the office’s calendar without a deploy, and says when a year had no data', async () => {
    const { api, plan } = await setup();
    const before = await api.call<{ source: string }>('GET', '/v1/calendar/2031', {
      as: unitUser('village'),
    });
    expect(before.body.source).toBe('weekdays');
    expect((await api.call<{ source: string }>('GET', '/v1/calendar/2025')).body.source).toBe('official');
    // Due Fri 2031-01-03; without data, +3 working days is Wed 01-08.
    api.setNow(new Date('2030-12-01T00:00:00Z'));
    await newTask(api, plan, { leadUnitId: 'village', dueAt: '2031-01-03T17:00:00+08:00' });
    api.setNow(new Date('2031-01-03T09:00:00Z'));
    const fallback = await sweep(api, plan.id);
    expect(fallback.calendarFallbackYears).toContain(2031);
    expect((await noticesOf(api, plan.id)).every((n) => n.calendarFallback)).toBe(true);

    // The office declares Mon 01-06 and Tue 01-07 holidays: escalate moves to Fri 01-10.
    const put = await api.call<{ source: string; holidays: string[] }>('PUT', '/v1/calendar/2031', {
      body: { holidays: ['2031-01-01', '2031-01-06', '2031-01-07'], workdays: [] },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      source: 'override',
      holidays: ['2031-01-01', '2031-01-06', '2031-01-07'],
    });
    api.setNow(new Date('2031-01-08T09:30:00Z'));
    expect(await sweep(api, plan.id)).toMatchObject({ written: 0, calendarFallbackYears: [] });
    api.setNow(new Date('2031-01-10T09:00:00Z'));
    expect(await sweep(api, plan.id)).toMatchObject({ written: 1 });

    const bad = await api.call<{ error: { details: { fields: { field: string }[] } } }>(
      'PUT',
      '/v1/calendar/2031',
      {
        body: { holidays: ['2030-05-01'], workdays: ['2031-01-08'] },
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f) => f.field)).toEqual(['holidays.0', 'workdays.0']);
    expect(
      (await api.call('PUT', '/v1/calendar/2031', { as: LEADER, body: { holidays: [], workdays: [] } }))
        .status,
    ).toBe(403);
  });

  it('marks only the notices that rest on a year without data, while other duties are swept beside them', async () => {
    const { api } = await setup();
    api.setNow(new Date('2026-12-01T02:00:00Z'));
    const plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: {
          title: '年末督办',
          phases: [{ key: 'work', name: '整改阶段', start: '2026-12-01', end: '2027-01-31' }],
        },
      })
    ).body;
    // Due Tue 12-08: every level falls in 2026, which the official data covers.
    const covered = (await newTask(api, plan, { leadUnitId: 'village', dueAt: '2026-12-08T17:00:00+08:00' }))
      .duties[0] as Duty;
    // Due Thu 12-31: its overdue notice fires now, and its next level (+3 working days) lies in
    // 2027, which has no data; working that out runs beside the first duty's notices.
    await newTask(api, plan, { leadUnitId: 'bureau', dueAt: '2026-12-31T17:00:00+08:00' });
    api.setNow(new Date('2026-12-31T09:00:00Z'));
    const result = await sweep(api, plan.id);
    expect(result.calendarFallbackYears).toEqual([2027]);
    const ofCovered = (await noticesOf(api, plan.id)).filter((n) => n.dutyId === covered.id);
    expect(ofCovered.map((n) => n.level).sort()).toEqual(['accountability', 'escalate', 'overdue', 'remind']);
    expect(ofCovered.filter((n) => n.calendarFallback).map((n) => n.level)).toEqual([]);
  });

  it('creates weekly zero-report occurrences ahead, tops them up, and accepts "nothing to report"', async () => {
    const { api, plan } = await setup();
    api.setNow(new Date('2025-09-01T02:00:00Z'));
    const task = await newTask(api, plan, {
      title: '学校周报表',
      leadUnitId: 'village',
      kind: 'report',
      recurrence: { freq: 'weekly', weekdays: [5], time: '12:00', holidayRule: 'previous-working-day' },
    });
    // Fridays in the 35 days from 09-01: 09-05, 12, 19, 26, 10-03 (a holiday: moved to Tue 09-30).
    expect(task.duties.map((d) => d.dueAt)).toEqual([
      '2025-09-05T04:00:00.000Z',
      '2025-09-12T04:00:00.000Z',
      '2025-09-19T04:00:00.000Z',
      '2025-09-26T04:00:00.000Z',
      '2025-09-30T04:00:00.000Z',
    ]);
    const first = task.duties[0] as Duty;
    const zero = await api.call<Duty>('POST', `/v1/duties/${first.id}/submit`, {
      as: unitUser('village'),
      body: { nothingToReport: true },
    });
    expect(zero.status).toBe(200);
    expect(zero.body.submission).toMatchObject({ nothingToReport: true });
    expect(
      (
        await api.call('POST', `/v1/duties/${(task.duties[1] as Duty).id}/submit`, {
          as: unitUser('village'),
          body: {},
        })
      ).status,
    ).toBe(400);

    // A week on, the sweep tops the task up to 35 days ahead again, once even if run twice.
    api.setNow(new Date('2025-09-08T03:00:00Z'));
    const [a, b] = await Promise.all([sweep(api, plan.id), sweep(api, plan.id)]);
    expect((a?.occurrencesCreated ?? 0) + (b?.occurrencesCreated ?? 0)).toBe(1);
    const duties = await api.call<{ items: Duty[] }>(
      'GET',
      `/v1/plans/${plan.id}/duties?unitId=village&limit=100`,
    );
    const keys = duties.body.items.map((d) => d.occurrenceKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(6);
  });

  it('counts the occurrences of every recurring task it tops up side by side', async () => {
    const { api, plan } = await setup();
    api.setNow(new Date('2025-09-01T02:00:00Z'));
    for (const unit of ['village', 'town', 'bureau']) {
      await newTask(api, plan, {
        title: '学校周报表',
        leadUnitId: unit,
        kind: 'report',
        recurrence: { freq: 'weekly', weekdays: [5], time: '12:00', holidayRule: 'previous-working-day' },
      });
    }
    // A week on, each task gets one more Friday: three occurrences, written by three items at once.
    api.setNow(new Date('2025-09-08T03:00:00Z'));
    expect(await sweep(api, plan.id)).toMatchObject({ occurrencesCreated: 3, failed: 0 });
  });

  it('refuses "nothing to report" on a duty that is not a report', async () => {
    const { api, plan } = await setup();
    const d = (await newTask(api, plan, { leadUnitId: 'village', dueAt: DUE })).duties[0] as Duty;
    const res = await api.call<{ error: { details: { fields: { field: string }[] } } }>(
      'POST',
      `/v1/duties/${d.id}/submit`,
      {
        as: unitUser('village'),
        body: { nothingToReport: true },
      },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f) => f.field)).toEqual(['nothingToReport']);
  });
});
