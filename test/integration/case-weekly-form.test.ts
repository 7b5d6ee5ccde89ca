/**
 * 控辍保学周报表 through the real app on DynamoDB Local: the office sets up one weekly duty per
 * school (Friday noon), each school files the form generated from its cases (never typed), a 零报告
 * only when the cases say nothing, a form not filed is an ordinary overdue duty, and the plan's
 * counters stay right.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Notice } from '../../shared/schemas/notices.js';
import type { Plan, RecountResult } from '../../shared/schemas/plans.js';
import type { WeeklyForm } from '../../shared/services/case-weekly-form.js';
import {
  caseChild,
  casePlan,
  caseTestApp,
  type ErrorBody,
  fieldsOf,
  SCHOOL_A,
  SCHOOL_B,
  SCHOOL_C,
  type TestApi,
} from '../fixtures/case-child.js';
import { tableSnapshot } from '../fixtures/snapshot.js';

const child = caseChild;

describe('控辍保学周报表', () => {
  let api: TestApi;
  let plan: Plan;
  const weekDuty: Record<string, Duty> = {};

  beforeAll(async () => {
    // Thursday 9 October 2025, 10:00 in Shanghai (week 41: 6–12 October, due Friday 10 at noon).
    api = await caseTestApp(
      {
        'school-a': { name: '城关中心校' },
        'school-b': { name: '县直实验学校', parentId: 'county' },
        'school-c': { name: '育才民办学校' },
      },
      [{ id: 'village', name: '东街村', kind: 'village', parentId: 'town' }],
    );
    plan = await casePlan(api, '控辍保学', '劝返复学');
    const setup = await api.call<{ created: number }>('POST', '/v1/case-weekly-forms/setup', {
      body: { planId: plan.id, phaseKey: 'work', schoolUnitIds: ['school-a', 'school-b', 'school-c'] },
    });
    expect(setup.status, setup.text).toBe(200);
    expect(setup.body.created).toBe(3);
    const duties = await api.call<{ items: Duty[] }>('GET', `/v1/plans/${plan.id}/duties?limit=100`);
    for (const d of duties.body.items) if (d.occurrenceKey === '2025-W41') weekDuty[d.unitId] = d;
    expect((await api.call('POST', '/v1/cases', { as: SCHOOL_A, body: child() })).status).toBe(201);
    // Returned before it became suspected: counts as nothing in the form.
    const back = await api.call<{ id: string }>('POST', '/v1/cases', {
      as: SCHOOL_A,
      body: child({ firstDayAbsent: '2025-10-08', groups: { monitored: true } }),
    });
    expect(
      (
        await api.call('POST', `/v1/cases/${back.body.id}/return`, {
          as: SCHOOL_A,
          body: { returnedOn: '2025-10-09', evidence: '返校签到表' },
        })
      ).status,
    ).toBe(200);
  });

  it('gives each school one weekly report duty due Friday noon, and setting up again creates nothing', async () => {
    expect(Object.keys(weekDuty).sort()).toEqual(['school-a', 'school-b', 'school-c']);
    expect(weekDuty['school-a']).toMatchObject({
      kind: 'report',
      title: expect.stringContaining('控辍保学周报表'),
      // Friday 10 October 2025, 12:00 in Shanghai.
      dueAt: '2025-10-10T04:00:00.000Z',
      status: 'open',
    });
    const again = await api.call<{ created: number; existing: number }>(
      'POST',
      '/v1/case-weekly-forms/setup',
      {
        body: { planId: plan.id, phaseKey: 'work', schoolUnitIds: ['school-a', 'school-b'] },
      },
    );
    expect(again.body).toMatchObject({ created: 0, existing: 2 });
  });

  it('refuses a unit that is not a school, naming it, and writes nothing', async () => {
    const before = await tableSnapshot(api.table);
    const res = await api.call<ErrorBody>('POST', '/v1/case-weekly-forms/setup', {
      body: { planId: plan.id, phaseKey: 'work', schoolUnitIds: ['school-a', 'village', 'nowhere'] },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res)).toEqual(['schoolUnitIds.1', 'schoolUnitIds.2']);
    expect(
      (
        await api.call('POST', '/v1/case-weekly-forms/setup', {
          as: SCHOOL_A,
          body: { planId: plan.id, phaseKey: 'work', schoolUnitIds: ['school-a'] },
        })
      ).status,
    ).toBe(403);
    expect(await tableSnapshot(api.table)).toEqual(before);
  });

  it('generates the form from the cases, special groups counted, and refuses a 零报告 that would hide a child', async () => {
    const id = weekDuty['school-a']?.id ?? '';
    const preview = await api.call<WeeklyForm>('GET', `/v1/case-weekly-forms/${id}`, { as: SCHOOL_A });
    expect(preview.status, preview.text).toBe(200);
    expect(preview.body).toMatchObject({
      schoolUnitId: 'school-a',
      week: { start: '2025-10-06', end: '2025-10-12' },
      asOf: '2025-10-09',
      zeroReport: false,
      figures: {
        newSuspected: { total: 1, registeredPoor: 1, monitored: 0, disabled: 0 },
        newDropouts: { total: 0 },
        returned: { total: 1, registeredPoor: 0, monitored: 1 },
        inPersuasion: { total: 1, registeredPoor: 1 },
      },
    });
    const before = await tableSnapshot(api.table);
    const hidden = await api.call<ErrorBody>('POST', `/v1/case-weekly-forms/${id}`, {
      as: SCHOOL_A,
      body: { zeroReport: true },
    });
    expect(hidden.status).toBe(409);
    expect(hidden.body.error.code).toBe('not_zero');
    expect(await tableSnapshot(api.table)).toEqual(before);

    const filed = await api.call<{ form: WeeklyForm; duty: Duty }>('POST', `/v1/case-weekly-forms/${id}`, {
      as: SCHOOL_A,
      body: {},
    });
    expect(filed.status, filed.text).toBe(200);
    expect(filed.body.duty.status).toBe('submitted');
    expect(filed.body.duty.submission?.note).toContain('新增疑似辍学 1 人(建档立卡 1,监测对象 0,残疾 0)');
    expect(filed.body.duty.submission?.nothingToReport).toBe(false);
  });

  it('files a 零报告 in one click when the cases say nothing', async () => {
    const id = weekDuty['school-b']?.id ?? '';
    const filed = await api.call<{ form: WeeklyForm; duty: Duty }>('POST', `/v1/case-weekly-forms/${id}`, {
      as: SCHOOL_B,
      body: { zeroReport: true },
    });
    expect(filed.status, filed.text).toBe(200);
    expect(filed.body.form.zeroReport).toBe(true);
    expect(filed.body.duty.submission).toMatchObject({ nothingToReport: true });
    expect(filed.body.duty.submission?.note).toContain('零报告');
  });

  it('lets no other school read or file a school form, and refuses a duty that is not a weekly form', async () => {
    const id = weekDuty['school-c']?.id ?? '';
    expect((await api.call('GET', `/v1/case-weekly-forms/${id}`, { as: SCHOOL_A })).status).toBe(403);
    expect((await api.call('POST', `/v1/case-weekly-forms/${id}`, { as: SCHOOL_A, body: {} })).status).toBe(
      403,
    );
    expect((await api.call('GET', '/v1/case-weekly-forms/duty-none', { as: SCHOOL_C })).status).toBe(404);
    const other = await api.call<{ duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { title: '摸排', phaseKey: 'work', leadUnitId: 'school-c', dueAt: '2025-10-30' },
    });
    const res = await api.call<ErrorBody>('GET', `/v1/case-weekly-forms/${other.body.duties[0]?.id}`, {
      as: SCHOOL_C,
    });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('not_weekly_form');
  });

  it('gives a disabled child taught at home (送教上门) a weekly duty of its school, each visit logged by filing it', async () => {
    const kid = await api.call<{ id: string }>('POST', '/v1/cases', {
      as: SCHOOL_A,
      body: child({ childName: '刘小红', gender: 'female', groups: { disabled: true, homeTeaching: true } }),
    });
    const body = { planId: plan.id, phaseKey: 'work' };
    const before = await tableSnapshot(api.table);
    expect(
      (await api.call('POST', `/v1/cases/${kid.body.id}/home-teaching`, { as: SCHOOL_A, body })).status,
    ).toBe(403);
    const plainCase = await api.call<{ items: { id: string; groups: { homeTeaching: boolean } }[] }>(
      'GET',
      '/v1/cases',
      {
        as: SCHOOL_A,
      },
    );
    const notHome = plainCase.body.items.find((c) => !c.groups.homeTeaching)?.id ?? '';
    const refused = await api.call<ErrorBody>('POST', `/v1/cases/${notHome}/home-teaching`, { body });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('not_home_teaching');
    expect(await tableSnapshot(api.table)).toEqual(before);

    const set = await api.call<{ taskId: string; created: boolean }>(
      'POST',
      `/v1/cases/${kid.body.id}/home-teaching`,
      {
        body,
      },
    );
    expect(set.status, set.text).toBe(200);
    expect(set.body.created).toBe(true);
    const again = await api.call<{ created: boolean }>('POST', `/v1/cases/${kid.body.id}/home-teaching`, {
      body,
    });
    expect(again.body.created).toBe(false);
    const duties = await api.call<{ items: Duty[] }>(
      'GET',
      `/v1/plans/${plan.id}/duties?limit=100&unitId=school-a`,
    );
    const visits = duties.body.items.filter((d) => d.taskId === set.body.taskId);
    expect(visits.length).toBeGreaterThan(4);
    const week = visits.find((d) => d.occurrenceKey === '2025-W41');
    expect(week?.title).toContain('送教上门(七年级2班 刘*红)');
    expect(JSON.stringify(visits)).not.toContain('刘小红');
    const logged = await api.call<Duty>('POST', `/v1/duties/${week?.id}/submit`, {
      as: SCHOOL_A,
      body: { note: '10月9日 王老师送教上门,语文识字 2 课时' },
    });
    expect(logged.status, logged.text).toBe(200);
    expect(logged.body.submission?.note).toContain('王老师送教上门');
  });

  it('leaves a form not filed overdue on the ladder, and the counters stay right', async () => {
    // Monday 13 October, 10:00: school-c never filed week 41.
    api.setNow(new Date('2025-10-13T02:00:00Z'));
    expect((await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } })).status).toBe(200);
    const notices = await api.call<{ items: Notice[] }>('GET', '/v1/notices?unitId=school-c', {
      as: SCHOOL_C,
    });
    expect(
      notices.body.items.some((n) => n.dutyId === weekDuty['school-c']?.id && n.level === 'overdue'),
    ).toBe(true);
    const mine = await api.call<Duty>('GET', `/v1/duties/${weekDuty['school-c']?.id}`, { as: SCHOOL_C });
    expect(mine.body).toMatchObject({ status: 'open', overdue: true });
    const recount = await api.call<RecountResult>('POST', `/v1/plans/${plan.id}/counters/recount`);
    expect(recount.status).toBe(200);
    expect(recount.body.corrections).toEqual([]);
  });
});
