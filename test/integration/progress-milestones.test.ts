import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import {
  dutyLight,
  lightInputOf,
  lightSettingsOf,
  missedProgressReport,
} from '../../shared/domain/duty/light.js';
import type { AuditEventView } from '../../shared/schemas/audit.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Report } from '../../shared/schemas/reports.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { LEADER, OFFICE, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { tableSnapshot } from '../fixtures/snapshot.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type Fields = { error: { code: string; details: { fields: { field: string; message: string }[] } } };
let api: Api;
let plan: Plan;
let task: Task & { duties: Duty[] };

const lead = () => task.duties.find((d) => d.role === 'lead') as Duty;
const co = () => task.duties.find((d) => d.role === 'co') as Duty;
const fieldsOf = (body: Fields) => body.error.details.fields.map((f) => f.field);

beforeAll(async () => {
  // Thu 2025-09-25, assigned; due Fri 2025-10-10 17:00 — across the National Day holiday.
  api = await testApp({ now: new Date('2025-09-25T01:00:00Z') });
  for (const body of [
    { id: 'village', name: '东街村', kind: 'village' },
    { id: 'school', name: '东街小学', kind: 'school' },
    { id: 'other', name: '西街村', kind: 'village' },
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
  const created = await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
    body: {
      title: '项目建设定期上报进度',
      phaseKey: 'work',
      leadUnitId: 'village',
      coUnitIds: ['school'],
      dueAt: '2025-10-10T17:00:00+08:00',
    },
  });
  expect(created.status, created.text).toBe(201);
  task = created.body;
});

describe('light settings on the plan', () => {
  it('are set by the office at the version it saw, audited, and refused otherwise, changing nothing', async () => {
    const before = await tableSnapshot(api.table);
    const asUnit = await api.call('PUT', `/v1/plans/${plan.id}/light-settings`, {
      as: unitUser('village'),
      body: { tolerancePoints: 20, nearWorkingDays: 3, expectedVersion: plan.version },
    });
    expect(asUnit.status).toBe(403);
    const bad = await api.call<Fields>('PUT', `/v1/plans/${plan.id}/light-settings`, {
      body: { tolerancePoints: 101, nearWorkingDays: 1.5, expectedVersion: plan.version },
    });
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body).sort()).toEqual(['nearWorkingDays', 'tolerancePoints']);
    const stale = await api.call('PUT', `/v1/plans/${plan.id}/light-settings`, {
      body: { tolerancePoints: 20, nearWorkingDays: 3, expectedVersion: plan.version + 5 },
    });
    expect(stale.status).toBe(409);
    expect(await tableSnapshot(api.table)).toBe(before);

    const set = await api.call<Plan>('PUT', `/v1/plans/${plan.id}/light-settings`, {
      body: { tolerancePoints: 20, nearWorkingDays: 3, expectedVersion: plan.version },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({
      lightSettings: { tolerancePoints: 20, nearWorkingDays: 3 },
      version: plan.version + 1,
    });
    const read = await api.call<Plan>('GET', `/v1/plans/${plan.id}`);
    expect(read.body.lightSettings).toEqual({ tolerancePoints: 20, nearWorkingDays: 3 });
    const again = await api.call('PUT', `/v1/plans/${plan.id}/light-settings`, {
      body: { tolerancePoints: 10, nearWorkingDays: 2, expectedVersion: plan.version },
    });
    expect(again.status).toBe(409);
    const audit = await api.call<{ items: AuditEventView[] }>('GET', '/v1/audit?limit=100');
    expect(audit.body.items.filter((e) => e.action === 'plan.light-settings')).toHaveLength(1);
    plan = read.body;
  });
});

describe('milestones on a duty', () => {
  const milestones = [
    { date: '2025-09-29', percent: 20 },
    { date: '2025-10-09', percent: 80, name: '主体完工' },
  ];

  it('a unit proposes its own, never another unit’s, and cannot approve it; the office approves', async () => {
    const duty = lead();
    const otherUnit = await api.call('PUT', `/v1/duties/${duty.id}/milestones`, {
      as: unitUser('other'),
      body: { milestones },
    });
    expect(otherUnit.status).toBe(403);
    const coUnit = await api.call('PUT', `/v1/duties/${duty.id}/milestones`, {
      as: unitUser('school'),
      body: { milestones },
    });
    expect(coUnit.status).toBe(403);
    const leader = await api.call('PUT', `/v1/duties/${duty.id}/milestones`, {
      as: LEADER,
      body: { milestones },
    });
    expect(leader.status).toBe(403);

    const proposed = await api.call<Duty>('PUT', `/v1/duties/${duty.id}/milestones`, {
      as: unitUser('village'),
      body: { milestones },
    });
    expect(proposed.status, proposed.text).toBe(200);
    expect(proposed.body.milestones ?? null).toBeNull();
    expect(proposed.body.milestoneProposal).toMatchObject({
      by: 'village-clerk',
      milestones: [
        { date: '2025-09-29', percent: 20, name: null },
        { date: '2025-10-09', percent: 80, name: '主体完工' },
      ],
    });

    const before = await tableSnapshot(api.table);
    const selfApprove = await api.call('POST', `/v1/duties/${duty.id}/milestones/approve`, {
      as: unitUser('village'),
      body: {},
    });
    expect(selfApprove.status).toBe(403);
    const staleApprove = await api.call('POST', `/v1/duties/${duty.id}/milestones/approve`, {
      body: { version: proposed.body.version - 1 },
    });
    expect(staleApprove.status).toBe(409);
    expect(await tableSnapshot(api.table)).toBe(before);

    const approved = await api.call<Duty>('POST', `/v1/duties/${duty.id}/milestones/approve`, {
      body: { version: proposed.body.version },
    });
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body.milestones?.map((m) => m.percent)).toEqual([20, 80]);
    expect(approved.body.milestoneProposal ?? null).toBeNull();
    const twice = await api.call<Fields>('POST', `/v1/duties/${duty.id}/milestones/approve`, { body: {} });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('no_milestone_proposal');

    const audit = await api.call<{ items: AuditEventView[] }>('GET', '/v1/audit?limit=100');
    const actions = audit.body.items.map((e) => e.action);
    expect(actions).toContain('duty.milestones-propose');
    expect(actions).toContain('duty.milestones-approve');
  });

  it('refuses dates out of order or after the due date, a falling percentage and a step without a name', async () => {
    const before = await tableSnapshot(api.table);
    const res = await api.call<Fields>('PUT', `/v1/duties/${lead().id}/milestones`, {
      body: {
        milestones: [
          { date: '2025-10-01', percent: 50 },
          { date: '2025-09-30', percent: 40 },
          { date: '2025-10-20', percent: 100 },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['milestones.1.date', 'milestones.1.percent']);
    // The due date is the service's to check (the schema does not know the duty).
    const late = await api.call<Fields>('PUT', `/v1/duties/${lead().id}/milestones`, {
      body: { milestones: [{ date: '2025-10-20', percent: 100 }] },
    });
    expect(late.status).toBe(400);
    expect(late.body.error.details.fields).toEqual([
      { field: 'milestones.0.date', message: '第 1 个里程碑的日期晚于截止日期 2025-10-10' },
    ]);
    const mixed = await api.call<Fields>('PUT', `/v1/duties/${lead().id}/milestones`, {
      body: { milestones: [{ date: '2025-09-30', percent: 50 }, { date: '2025-10-09' }] },
    });
    expect(fieldsOf(mixed.body)).toEqual(['milestones.1.percent', 'milestones.1.name']);
    expect(await tableSnapshot(api.table)).toBe(before);
  });

  it('are set by the office on the task for each of its open duties, as named steps', async () => {
    const res = await api.call<{ items: Duty[] }>('PUT', `/v1/plans/${plan.id}/tasks/${task.id}/milestones`, {
      body: {
        milestones: [
          { date: '2025-09-26', name: '方案报批' },
          { date: '2025-09-30', name: '主体施工' },
          { date: '2025-10-09', name: '验收' },
          { date: '2025-10-10', name: '资料归档' },
        ],
      },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items).toHaveLength(2);
    for (const duty of res.body.items) {
      expect(duty.milestones?.map((m) => [m.date, m.percent])).toEqual([
        ['2025-09-26', 25],
        ['2025-09-30', 50],
        ['2025-10-09', 75],
        ['2025-10-10', 100],
      ]);
    }
    const unit = await api.call('PUT', `/v1/plans/${plan.id}/tasks/${task.id}/milestones`, {
      as: unitUser('village'),
      body: { milestones: [{ date: '2025-09-26', name: '方案报批' }] },
    });
    expect(unit.status).toBe(403);
    task = { ...task, duties: res.body.items };
  });

  it('are the 序时进度 of the light, with the plan’s tolerance and blue days', async () => {
    // Tue 09-30: the milestone line is 50%. The co-unit reported 35%: 15 points behind, within the
    // plan's tolerance of 20 → not yellow; 2 working days left, within the plan's 3 → blue.
    api.setNow(new Date('2025-09-30T02:00:00Z'));
    const reported = await api.call<Duty>('POST', `/v1/duties/${co().id}/progress`, {
      as: unitUser('school'),
      body: { percent: 35 },
    });
    expect(reported.status, reported.text).toBe(200);
    const calendar = createWorkingCalendar([]);
    const now = new Date('2025-09-30T02:00:00Z');
    const stored = (await api.call<Duty>('GET', `/v1/duties/${co().id}`)).body;
    expect(dutyLight(stored, now, lightSettingsOf(plan, calendar))).toMatchObject({
      light: 'blue',
      plannedPercent: 50,
      reportedPercent: 35,
      lagPoints: 15,
      workingDaysLeft: 2,
    });
    // With the defaults (10 points) the same report is yellow; without milestones the line is 67%.
    expect(dutyLight(stored, now, lightSettingsOf({ timezone: plan.timezone }, calendar)).light).toBe(
      'yellow',
    );
    expect(
      dutyLight({ ...stored, milestones: null }, now, lightSettingsOf(plan, calendar)).plannedPercent,
    ).toBe(67);
  });
});

describe('序时进度 in the reports', () => {
  it('counts duties behind plan and the average lag per unit, and planned against reported per phase', async () => {
    // Tue 09-30 10:00: the lead duty's approved line was replaced by the task's steps (50%), it has
    // no report (0) → 50 points behind; the co-unit reported 35 → 15 points, within the plan's 20.
    api.setNow(new Date('2025-09-30T02:00:00Z'));
    const res = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } });
    expect(res.status, res.text).toBe(201);
    const report = res.body;
    const row = (unitId: string) => report.units.find((u) => u.unitId === unitId);
    expect(row('village')).toMatchObject({ behindPlan: 1, averageLagPoints: 50 });
    expect(row('school')).toMatchObject({ behindPlan: 0, averageLagPoints: 15 });
    expect(report.totals).toMatchObject({ behindPlan: 1, averageLagPoints: 32.5 });
    expect(report.phases[0]).toMatchObject({ key: 'work', plannedPercent: 50, reportedPercent: 17.5 });
    expect(report.phases[0]?.units.find((u) => u.unitId === 'school')).toMatchObject({
      plannedPercent: 50,
      reportedPercent: 35,
    });
    expect(report.rules.progress).toContain('超过 20 个百分点');
    expect(report.rules.progress).toContain('3 个工作日内截止');

    // A unit sees its own phase figures only.
    const mine = await api.call<Report>('GET', `/v1/reports/${report.id}`, { as: unitUser('school') });
    expect(mine.body.phases[0]).toMatchObject({ plannedPercent: 50, reportedPercent: 35 });

    const csv = await api.app.request(`/v1/reports/${report.id}?format=csv`, {
      headers: { authorization: `Bearer ${await issueHs256Token(TEST_SECRET, OFFICE)}` },
    });
    const lines = (await csv.text()).split('\r\n');
    expect(lines[0]).toContain('落后于序时进度,平均滞后(百分点),办结率');
    expect(lines).toContain('各阶段序时进度(待办任务)·全县');
    expect(lines).toContain('建设阶段,2,50,17.5');

    const xlsx = await api.app.request(`/v1/reports/${report.id}?format=xlsx`, {
      headers: { authorization: `Bearer ${await issueHs256Token(TEST_SECRET, OFFICE)}` },
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const phaseSheet = workbook.worksheets.find((w) => w.name.startsWith('阶段1'));
    const header = phaseSheet?.getRow(2).values as unknown[];
    expect(header).toContain('平均序时进度(%)');
    const total = phaseSheet?.getRow(phaseSheet.rowCount).values as unknown[];
    expect(total.slice(-2)).toEqual([50, 17.5]);
    const notes = workbook.getWorksheet('说明');
    const noteText: string[] = [];
    notes?.eachRow((r) => {
      noteText.push(String(r.getCell(1).value), String(r.getCell(2).value));
    });
    expect(noteText).toContain('亮灯与序时进度');
  });
});

describe('progress reports on a schedule', () => {
  it('are copied from the task to its duties, and a missed one turns the light yellow', async () => {
    api.setNow(new Date('2025-09-25T01:00:00Z'));
    const weekly = { freq: 'weekly', weekdays: [5], time: '12:00', holidayRule: 'previous-working-day' };
    const created = await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: {
        title: '项目建设每周报告进度',
        phaseKey: 'work',
        leadUnitId: 'other',
        dueAt: '2025-10-10T17:00:00+08:00',
        progressReports: weekly,
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.progressReports).toEqual(weekly);
    const duty = created.body.duties[0] as Duty;
    expect(duty.progressReports).toEqual(weekly);
    const settings = lightSettingsOf(plan, createWorkingCalendar([]));
    expect(dutyLight(duty, new Date('2025-09-26T04:30:00Z'), settings)).toMatchObject({
      light: 'yellow',
      reason: '应报未报进度(应于 2025-09-26 12:00 前报告本期进度)',
    });
    api.setNow(new Date('2025-09-26T05:00:00Z'));
    const reported = await api.call<Duty>('POST', `/v1/duties/${duty.id}/progress`, {
      as: unitUser('other'),
      body: { percent: 20 },
    });
    expect(reported.status, reported.text).toBe(200);
    // Reported after 12:00: it counts for the period running to Tue 09-30 12:00 (Fri 10-03 is a
    // holiday), so on 09-30 the light judges the lag; the period to 10-10 12:00 has no report.
    expect(dutyLight(reported.body, new Date('2025-09-26T06:00:00Z'), settings).light).toBe('green');
    expect(dutyLight(reported.body, new Date('2025-09-30T05:00:00Z'), settings).reason).toBe(
      '已报进度 20%,序时进度 67%,落后 47 个百分点',
    );
    expect(
      missedProgressReport(lightInputOf(reported.body), new Date('2025-10-10T04:30:00Z'), settings),
    ).toBe('2025-10-10 12:00');
  });
});
