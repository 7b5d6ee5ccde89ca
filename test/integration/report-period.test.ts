import { describe, expect, it } from 'vitest';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { testApp, unitUser } from '../fixtures/app.js';

type TaskWithDuties = Task & { duties: Duty[] };
type ErrorBody = { error: { code: string; message: string; details: { fields?: { field: string }[] } } };

// Wednesday 2 December 2026 in Shanghai: ISO week 49. The 35 days ahead reach week 53 (Fri 2027-01-01).
const WEDNESDAY = new Date('2026-12-02T10:00:00+08:00');
const SCHOOL = unitUser('school');
const WEEKLY = { freq: 'weekly', weekdays: [5], time: '12:00', holidayRule: 'previous-working-day' };

async function setup() {
  const api = await testApp({ now: WEDNESDAY });
  expect(
    (await api.call('POST', '/v1/units', { body: { id: 'school', name: '城关小学', kind: 'school' } }))
      .status,
  ).toBe(201);
  const plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: { title: '控辍保学', phases: [{ key: 'work', name: '自查补短', start: '2026-11-30' }] },
    })
  ).body;
  const report = async (recurrence: Record<string, unknown>) => {
    const res = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { title: '学校周报表', phaseKey: 'work', leadUnitId: 'school', kind: 'report', recurrence },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.duties;
  };
  return { api, plan, report };
}

describe('a periodic report is filed only once its period has started', () => {
  it('refuses the zero report of week 53 on 2 December with a 409 naming the period in words, writing nothing', async () => {
    const { api, report } = await setup();
    const duties = await report(WEEKLY);
    expect(duties.map((d) => d.occurrenceKey)).toEqual([
      '2026-W49',
      '2026-W50',
      '2026-W51',
      '2026-W52',
      '2026-W53',
    ]);
    const w53 = duties.find((d) => d.occurrenceKey === '2026-W53') as Duty;
    // The page and the API say which week it is in words, never the code.
    expect(w53.period).toEqual({
      start: '2026-12-28',
      end: '2027-01-03',
      label: '第53周 2026年12月28日—2027年1月3日',
      opensAt: '2026-12-27T16:00:00.000Z',
    });
    expect(w53.title).toBe('学校周报表(第53周 2026年12月28日—2027年1月3日)');
    expect(duties.every((d) => !/W\d/.test(d.title))).toBe(true);

    const refused = await api.call<ErrorBody>('POST', `/v1/duties/${w53.id}/submit`, {
      as: SCHOOL,
      body: { nothingToReport: true },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('period_not_started');
    expect(refused.body.error.message).toBe(
      '本期(第53周 2026年12月28日—2027年1月3日)尚未开始,12月28日起才能报送',
    );

    const after = await api.call<Duty>('GET', `/v1/duties/${w53.id}`);
    expect(after.body).toMatchObject({ status: 'open', version: w53.version, submission: null });
    const history = await api.call<{ items: { action: string }[] }>('GET', `/v1/duties/${w53.id}/history`);
    expect(history.body.items.map((e) => e.action)).not.toContain('duty.submit');

    // This week's is taken, and so is week 53's once its Monday has begun.
    const w49 = duties[0] as Duty;
    expect(w49.period?.label).toBe('第49周 11月30日—12月6日');
    const filed = await api.call<Duty>('POST', `/v1/duties/${w49.id}/submit`, {
      as: SCHOOL,
      body: { nothingToReport: true },
    });
    expect(filed.status, filed.text).toBe(200);
    api.setNow(new Date('2026-12-27T23:59:00+08:00'));
    expect(
      (await api.call('POST', `/v1/duties/${w53.id}/submit`, { as: SCHOOL, body: { note: '无' } })).status,
    ).toBe(409);
    api.setNow(new Date('2026-12-28T08:00:00+08:00'));
    expect(
      (await api.call('POST', `/v1/duties/${w53.id}/submit`, { as: SCHOOL, body: { note: '无' } })).status,
    ).toBe(200);
  });

  it('takes a report leadDays before its period when the rule allows it', async () => {
    const { api, report } = await setup();
    const duties = await report({ ...WEEKLY, leadDays: 2 });
    const w50 = duties.find((d) => d.occurrenceKey === '2026-W50') as Duty;
    // Week 50 begins Monday 12-07; two days' lead opens it on Saturday 12-05.
    expect(w50.period?.opensAt).toBe('2026-12-04T16:00:00.000Z');
    const early = await api.call<ErrorBody>('POST', `/v1/duties/${w50.id}/submit`, {
      as: SCHOOL,
      body: { nothingToReport: true },
    });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain('12月5日起才能报送');
    api.setNow(new Date('2026-12-05T09:00:00+08:00'));
    const filed = await api.call('POST', `/v1/duties/${w50.id}/submit`, {
      as: SCHOOL,
      body: { nothingToReport: true },
    });
    expect(filed.status, filed.text).toBe(200);
  });

  it('refuses a lead that is not 0–30 whole days with a 400 naming recurrence.leadDays, creating nothing', async () => {
    const { api, plan, report } = await setup();
    for (const leadDays of [-1, 31, 2.5]) {
      const res = await api.call<ErrorBody>('POST', `/v1/plans/${plan.id}/tasks`, {
        body: {
          title: '学校周报表',
          phaseKey: 'work',
          leadUnitId: 'school',
          kind: 'report',
          recurrence: { ...WEEKLY, leadDays },
        },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields?.map((f) => f.field)).toEqual(['recurrence.leadDays']);
    }
    expect((await api.call<{ items: Task[] }>('GET', `/v1/plans/${plan.id}/tasks`)).body.items).toEqual([]);
    expect(await report(WEEKLY)).toHaveLength(5);
  });
});
