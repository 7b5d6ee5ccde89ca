import { beforeAll, describe, expect, it } from 'vitest';
import { planRepository } from '../../shared/db/plan-repository.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { SweepResult } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { progressReportDutyId, recurrenceService } from '../../shared/services/recurrence-service.js';
import { OFFICE, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type TaskWithDuties = Task & { duties: Duty[] };
let api: Api;
let plan: Plan;
let task: TaskWithDuties;

const weekly = { freq: 'weekly', weekdays: [5], time: '12:00', holidayRule: 'previous-working-day' };
const KEYS = ['2025-W39', '2025-W40', '2025-W41'];

const read = async (id: string) => {
  const res = await api.call<Duty>('GET', `/v1/duties/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const taskDuties = async () => {
  const res = await api.call<TaskWithDuties>('GET', `/v1/plans/${plan.id}/tasks/${task.id}`);
  expect(res.status, res.text).toBe(200);
  return res.body.duties;
};

beforeAll(async () => {
  api = await testApp({ now: new Date('2025-09-25T01:00:00Z') });
  for (const body of [
    { id: 'town', name: '城关镇', kind: 'township' },
    { id: 'village', name: '东街村', kind: 'village' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: {
        title: '校舍改造',
        phases: [{ key: 'work', name: '建设阶段', start: '2025-09-01', end: '2025-12-31' }],
      },
    })
  ).body;
  const created = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
    body: {
      title: '项目建设',
      phaseKey: 'work',
      leadUnitId: 'town',
      coUnitIds: ['village'],
      dueAt: '2025-10-10T17:00:00+08:00',
      progressReports: weekly,
    },
  });
  expect(created.status, created.text).toBe(201);
  task = created.body;
});

describe('progress reports on a schedule become report duties (按期报告进度)', () => {
  it('creates each unit’s report duty for every period up to the due date, on the ladder', async () => {
    // The task's own duties are what the create answers with; the report duties sit beside them.
    expect(task.duties.map((d) => [d.unitId, d.kind])).toEqual([
      ['town', 'task'],
      ['village', 'task'],
    ]);
    const reports = (await taskDuties()).filter((d) => d.kind === 'report');
    expect(reports).toHaveLength(6);
    for (const unitId of ['town', 'village']) {
      const mine = reports.filter((d) => d.unitId === unitId).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
      expect(mine.map((d) => d.occurrenceKey)).toEqual(KEYS);
      expect(mine.map((d) => d.id)).toEqual(KEYS.map((k) => progressReportDutyId(task.id, unitId, k)));
      for (const d of mine) {
        expect(d.status).toBe('open');
        expect(d.nextActionAt).not.toBeNull();
        expect(d.progressReports ?? null).toBeNull();
      }
    }
    const first = reports.find((d) => d.id === progressReportDutyId(task.id, 'town', '2025-W39'));
    expect(first?.title).toBe('报告进度:项目建设(第39周 9月22日—9月28日)');
    expect(first?.dueAt).toBe('2025-09-26T04:00:00.000Z');
    // None after the task's due time: the last period ends 10-10 12:00, before 17:00.
    expect(reports.every((d) => d.dueAt <= '2025-10-10T09:00:00.000Z')).toBe(true);
  });

  it('creates nothing twice when run again', async () => {
    const before = (await taskDuties()).length;
    const again = await recurrenceService(
      planRepository({ doc: api.doc, tableName: api.table.tableName }),
    ).createProgressReports(plan, task, new Date('2025-09-25T01:00:00Z'), createWorkingCalendar([]), OFFICE);
    expect(again).toBe(0);
    expect(await taskDuties()).toHaveLength(before);
  });

  it('submits the unit’s report duty for the period under way when it reports progress', async () => {
    const main = task.duties.find((d) => d.unitId === 'village') as Duty;
    const reported = await api.call<Duty>('POST', `/v1/duties/${main.id}/progress`, {
      as: unitUser('village'),
      body: { percent: 30, note: '完成地基' },
    });
    expect(reported.status, reported.text).toBe(200);
    expect(reported.body.progress?.percent).toBe(30);
    const report = await read(progressReportDutyId(task.id, 'village', '2025-W39'));
    expect(report.status).toBe('submitted');
    expect(report.submission).toMatchObject({ note: '进度 30%:完成地基', submittedBy: 'village-clerk' });
    // Only that unit and that period.
    expect((await read(progressReportDutyId(task.id, 'village', '2025-W40'))).status).toBe('open');
    expect((await read(progressReportDutyId(task.id, 'town', '2025-W39'))).status).toBe('open');
    // Reporting again in the same period leaves the submitted one as it is.
    const again = await api.call<Duty>('POST', `/v1/duties/${main.id}/progress`, {
      as: unitUser('village'),
      body: { percent: 35 },
    });
    expect(again.status, again.text).toBe(200);
    expect((await read(report.id)).submission?.note).toBe('进度 30%:完成地基');
  });

  it('leaves a missed report overdue, and the sweep escalates it like any duty', async () => {
    api.setNow(new Date('2025-09-26T06:00:00Z'));
    const res = await api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId: plan.id } });
    expect(res.status, res.text).toBe(200);
    const missed = await read(progressReportDutyId(task.id, 'town', '2025-W39'));
    expect(missed.status).toBe('open');
    expect(missed.overdue).toBe(true);
    expect(missed.lastNoticeLevel).toBe('overdue');
    const submitted = await read(progressReportDutyId(task.id, 'village', '2025-W39'));
    expect(submitted.overdue).toBe(false);
    // Submitted in time: the sweep does not chase it.
    expect(submitted.lastNoticeLevel).toBeNull();
  });

  it('keeps the task’s own duties apart: the lead consolidates its co-unit’s duty, not its reports', async () => {
    const [town, village] = ['town', 'village'].map((u) => task.duties.find((d) => d.unitId === u) as Duty);
    const co = await api.call<Duty>('POST', `/v1/duties/${village?.id}/submit`, {
      as: unitUser('village'),
      body: { note: '校舍改造完成' },
    });
    expect(co.status, co.text).toBe(200);
    const lead = await api.call<Duty>('POST', `/v1/duties/${town?.id}/submit`, {
      as: unitUser('town'),
      body: { note: '全镇校舍改造完成' },
    });
    expect(lead.status, lead.text).toBe(200);
    expect(lead.body.submission?.contributions.map((c) => c.dutyId)).toEqual([village?.id]);
    // The co-unit's later report duties are still open: submitting the task does not touch them.
    expect((await read(progressReportDutyId(task.id, 'village', '2025-W40'))).status).toBe('open');
  });
});
