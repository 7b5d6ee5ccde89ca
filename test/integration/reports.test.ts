import { randomBytes } from 'node:crypto';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { startReportSchedules } from '../../functions/reports/report-job.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { auditEvent } from '../../shared/db/audit.js';
import { REPORT_PART_BYTES, reportRepository } from '../../shared/db/report-repository.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { createReportBuilder } from '../../shared/domain/report/report-builder.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type {
  Report,
  ReportContent,
  ReportSummary,
  ScheduledReportResult,
} from '../../shared/schemas/reports.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { LEADER, OFFICE, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { expectPrintableSheets, INTERNAL_CODE } from '../fixtures/workbook.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type TaskWithDuties = Task & { duties: Duty[] };
interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { field: string }[] } };
}
type ReportPage = { items: ReportSummary[]; nextCursor: string | null };

/** Friday 2025-10-10 17:00 Shanghai: the cut-off of week 2025-W41. */
const FRIDAY = new Date('2025-10-10T09:00:00Z');
const PHASES = [
  { key: 'mobilize', name: '部署发动阶段', start: '2025-09-01', end: '2025-09-10' },
  { key: 'work', name: '自查整改阶段', start: '2025-09-01', end: '2025-12-31' },
];
const T2_TITLE = '核对控辍保学台账';

const at = (iso: string) => new Date(iso);

async function newTask(api: Api, planId: string, body: Record<string, unknown>) {
  const res = await api.call<TaskWithDuties>('POST', `/v1/plans/${planId}/tasks`, { body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/**
 * One task per unit, each unit its own lead: a lead may submit only after its co-units, and these
 * tests need each unit's timing to be its own.
 */
async function assign(api: Api, planId: string, body: Record<string, unknown>, unitIds: string[]) {
  const duties: Duty[] = [];
  for (const leadUnitId of unitIds)
    duties.push(...(await newTask(api, planId, { ...body, leadUnitId })).duties);
  return { duties };
}

function dutyOf(task: { duties: Duty[] }, unitId: string): Duty {
  const duty = task.duties.find((d) => d.unitId === unitId);
  if (duty === undefined) throw new Error(`no duty for ${unitId}`);
  return duty;
}

async function submit(
  api: Api,
  duty: Duty,
  when: string,
  body: Record<string, unknown> = { note: '已完成' },
) {
  api.setNow(at(when));
  const res = await api.call('POST', `/v1/duties/${duty.id}/submit`, { as: unitUser(duty.unitId), body });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function accept(api: Api, duty: Duty, when: string) {
  api.setNow(at(when));
  const res = await api.call('POST', `/v1/duties/${duty.id}/accept`, { body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

/**
 * Four units and a plan: village on time, bureau late on one duty and awaiting review on another,
 * town overdue, school overdue and behind on its weekly zero-report.
 */
async function setup() {
  const api = await testApp({ now: at('2025-09-01T02:00:00Z') });
  for (const body of [
    { id: 'town', name: '城关镇', kind: 'township' },
    { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'bureau', name: '县教育体育局', kind: 'bureau' },
    { id: 'school', name: '城关小学', kind: 'school', parentId: 'town' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  const plan = (await api.call<Plan>('POST', '/v1/plans', { body: { title: '控辍保学', phases: PHASES } }))
    .body;
  const t1 = await assign(
    api,
    plan.id,
    { title: '摸排适龄儿童入学情况', phaseKey: 'mobilize', dueAt: '2025-09-10T17:00:00+08:00' },
    // The lead (town) never submits: co-units submit their parts first, the lead consolidates.
    ['town', 'village', 'bureau'],
  );
  const t2 = await assign(
    api,
    plan.id,
    { title: T2_TITLE, phaseKey: 'work', dueAt: '2025-09-26T17:00:00+08:00' },
    ['school', 'bureau'],
  );
  const weekly = await newTask(api, plan.id, {
    title: '学校周报表',
    phaseKey: 'work',
    leadUnitId: 'school',
    kind: 'report',
    recurrence: { freq: 'weekly', weekdays: [5], time: '12:00', holidayRule: 'previous-working-day' },
  });
  await submit(api, dutyOf(t1, 'village'), '2025-09-09T02:00:00Z');
  await accept(api, dutyOf(t1, 'village'), '2025-09-10T02:00:00Z');
  await submit(api, dutyOf(t1, 'bureau'), '2025-09-12T02:00:00Z');
  await accept(api, dutyOf(t1, 'bureau'), '2025-09-12T06:00:00Z');
  await submit(api, dutyOf(t2, 'bureau'), '2025-09-25T02:00:00Z');
  const firstReport = weekly.duties[0];
  if (firstReport === undefined) throw new Error('no weekly report duty');
  await submit(api, firstReport, '2025-09-05T01:00:00Z', { nothingToReport: true });
  // The sweep writes the notices of everything late by Friday's cut-off.
  api.setNow(FRIDAY);
  expect((await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } })).status).toBe(200);
  return { api, plan, t1, t2, weekly };
}

describe('a weekly report', () => {
  let api: Api;
  let plan: Plan;
  let t1: { duties: Duty[] };
  let t2: { duties: Duty[] };
  let report: Report;

  beforeAll(async () => {
    ({ api, plan, t1, t2 } = await setup());
    const res = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    report = res.body;
  });

  it('is named by its plan and ISO week, cut at the request time', () => {
    expect(report).toMatchObject({
      id: `rpt-${plan.id}-2025-w41`,
      period: 'week',
      periodKey: '2025-W41',
      periodLabel: '2025年第41周',
      asOf: FRIDAY.toISOString(),
      trigger: 'manual',
      generatedBy: OFFICE.sub,
      scope: 'all',
    });
    expect(report.rules.ranking).toContain('拼音');
  });

  it('counts each unit’s duties by how they stand at the cut-off', () => {
    const row = (id: string) => report.units.find((u) => u.unitId === id);
    expect(row('village')).toMatchObject({ assigned: 1, doneOnTime: 1, onTimeRate: 1, completionRate: 1 });
    expect(row('bureau')).toMatchObject({
      assigned: 2,
      doneLate: 1,
      submitted: 1,
      overdue: 0,
      onTimeRate: 0,
    });
    expect(row('town')).toMatchObject({ assigned: 1, overdue: 1, onTimeRate: 0, completionRate: 0 });
    // Due Wed 09-10; 17 working days to Fri 10-10 (National Day off, Sunday 09-28 worked).
    expect(row('town')?.worstWorkingDaysLate).toBe(17);
    expect(row('town')?.notices).toEqual({ remind: 1, overdue: 1, escalate: 1, accountability: 1 });
    expect(row('village')?.notices).toEqual({ remind: 0, overdue: 0, escalate: 0, accountability: 0 });
    // Weekly reports due 09-05, 09-12, 09-19, 09-26, 09-30 (10-03 is a holiday) and 10-10 noon
    // (created by Friday's sweep): one filed, five missed, and each missed one is overdue.
    expect(row('school')?.reports).toEqual({ due: 6, filed: 1 });
    expect(row('school')?.overdue).toBe(6);
  });

  it('ranks by on-time rate, then fewest overdue', () => {
    expect(report.ranking.map((r) => [r.rank, r.unitId])).toEqual([
      [1, 'village'],
      [2, 'bureau'],
      [3, 'town'],
      [4, 'school'],
    ]);
  });

  it('shows each phase’s progress and flags a phase that ended with work open', () => {
    const [mobilize, work] = report.phases;
    expect(mobilize).toMatchObject({
      key: 'mobilize',
      state: 'ended',
      duties: 3,
      accepted: 2,
      endedWithOpenWork: true,
    });
    expect(mobilize?.completionRate).toBeCloseTo(2 / 3, 4);
    expect(work).toMatchObject({ key: 'work', state: 'active', endedWithOpenWork: false });
  });

  it('lists the overdue duties, longest overdue first', () => {
    expect(report.overdue.total).toBe(7);
    expect(report.overdue.items[0]).toMatchObject({
      unitId: 'town',
      unitName: '城关镇',
      workingDaysLate: 17,
    });
    expect(report.overdue.items.map((o) => o.title)).toContain(T2_TITLE);
  });

  it('never changes after, whatever happens to the duties', async () => {
    await submit(api, dutyOf(t1, 'town'), '2025-10-10T09:30:00Z');
    await accept(api, dutyOf(t1, 'town'), '2025-10-10T09:40:00Z');
    await accept(api, dutyOf(t2, 'bureau'), '2025-10-10T09:50:00Z');
    await submit(api, dutyOf(t2, 'school'), '2025-10-10T10:00:00Z');
    expect((await api.call('POST', '/v1/sweeps', { body: {} })).status).toBe(200);

    const again = await api.call<Report>('GET', `/v1/reports/${report.id}`);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(report);
  });

  it('is the same report when asked for the same week again, later in the week', async () => {
    api.setNow(at('2025-10-11T03:00:00Z'));
    const res = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual(report);
    const list = await api.call<ReportPage>('GET', `/v1/plans/${plan.id}/reports`);
    expect(list.body.items.map((r) => r.id)).toEqual([report.id]);
  });

  it('replays duties to an earlier cut-off, and counts only notices written by then', async () => {
    // Thursday 09-11 17:00: bureau had not yet submitted its mobilisation duty (it did on 09-12).
    const res = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, {
      body: { period: 'week', asOf: '2025-09-11T17:00:00+08:00' },
    });
    expect(res.status).toBe(201);
    expect(res.body.periodKey).toBe('2025-W37');
    const bureau = res.body.units.find((u) => u.unitId === 'bureau');
    expect(bureau).toMatchObject({ assigned: 2, overdue: 1, doneLate: 0, submitted: 0, openNotDue: 1 });
    expect(bureau?.worstWorkingDaysLate).toBe(1);
    expect(Object.values(res.body.totals.notices).every((n) => n === 0)).toBe(true);
    expect(res.body.approximated).toBe(0);
  });

  it('lists a plan’s reports newest cut-off first, a page at a time', async () => {
    const first = await api.call<ReportPage>('GET', `/v1/plans/${plan.id}/reports?limit=1`);
    expect(first.body.items.map((r) => r.periodKey)).toEqual(['2025-W41']);
    expect(first.body.items[0]).not.toHaveProperty('units');
    const next = await api.call<ReportPage>(
      'GET',
      `/v1/plans/${plan.id}/reports?limit=1&cursor=${first.body.nextCursor ?? ''}`,
      { as: unitUser('town') },
    );
    expect(next.body.items.map((r) => r.periodKey)).toEqual(['2025-W37']);
  });

  it('shows a unit the ranking and only its own details', async () => {
    const res = await api.call<Report>('GET', `/v1/reports/${report.id}`, { as: unitUser('town') });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ scope: 'unit', viewerUnitId: 'town' });
    expect(res.body.ranking).toEqual(report.ranking);
    expect(res.body.units.map((u) => u.unitId)).toEqual(['town']);
    expect(res.body.overdue).toMatchObject({ total: 1 });
    expect(res.body.overdue.items.map((o) => o.unitId)).toEqual(['town']);
    expect(res.body.phases.flatMap((p) => p.units.map((u) => u.unitId))).toEqual(['town']);
    // Another unit's duty appears nowhere in what the town receives.
    expect(res.text).not.toContain(T2_TITLE);
    expect(res.text).not.toContain(dutyOf(t2, 'school').id);

    const leader = await api.call<Report>('GET', `/v1/reports/${report.id}`, { as: LEADER });
    expect(leader.body).toMatchObject({ scope: 'all' });
    expect(leader.body.units).toHaveLength(4);
  });

  describe('downloads', () => {
    async function download(path: string, as = OFFICE) {
      const token = await issueHs256Token(TEST_SECRET, as);
      return api.app.request(path, { headers: { authorization: `Bearer ${token}` } });
    }

    it('is a CSV with a byte order mark and a Chinese file name', async () => {
      const res = await download(`/v1/reports/${report.id}?format=csv`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const disposition = res.headers.get('content-disposition') ?? '';
      expect(disposition).toMatch(/^attachment; filename="rpt-[a-z0-9-]+\.csv"; filename\*=UTF-8''/);
      expect(decodeURIComponent(disposition.split("UTF-8''")[1] ?? '')).toBe(
        '控辍保学-2025年第41周督办通报.csv',
      );
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = bytes.toString('utf8').slice(1).split('\r\n');
      expect(lines[0]?.startsWith('排名,单位,应办任务,按时办结')).toBe(true);
      expect(lines[1]?.startsWith('1,东街村,1,1,0')).toBe(true);
      expect(bytes.toString('utf8')).not.toMatch(INTERNAL_CODE);
    });

    it('is an Excel workbook with the ranking, the phases and the overdue duties', async () => {
      const res = await download(`/v1/reports/${report.id}?format=xlsx`, unitUser('town'));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      );
      expect(res.headers.get('content-disposition')).toContain('.xlsx');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(await res.arrayBuffer());
      expect(workbook.worksheets.map((w) => w.name)).toEqual([
        '排名汇总',
        '阶段1-部署发动阶段',
        '阶段2-自查整改阶段',
        '逾期未办',
        '督查整改',
        '量化考评',
        '说明',
      ]);
      const summary = workbook.getWorksheet('排名汇总');
      expect(summary?.getRow(3).getCell(2).value).toBe('东街村');
      // The town's own row in full, the village's without figures.
      expect(summary?.getRow(3).getCell(3).value).toBeNull();
      expect(summary?.getRow(5).getCell(8).value).toBe(1);
      expect(workbook.getWorksheet('逾期未办')?.rowCount).toBe(3);
      // Printable, titled, and no code in any cell: units by name, no ids, no time zone code.
      expectPrintableSheets(workbook, [
        report.id,
        plan.id,
        OFFICE.sub,
        'Asia/Shanghai',
        ...t1.duties.map((d) => d.id),
      ]);
      expect(workbook.getWorksheet('阶段1-部署发动阶段')?.getRow(1).getCell(1).value).toContain(
        '(仅本单位:城关镇)',
      );
    });
  });
});

describe('one report per period, even at once', () => {
  it('stores one report when two requests race for a new week', async () => {
    const { api, plan } = await setup();
    api.setNow(at('2025-10-17T09:00:00Z'));
    const [a, b] = await Promise.all([
      api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } }),
      api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body).toEqual(b.body);
    const list = await api.call<ReportPage>('GET', `/v1/plans/${plan.id}/reports`);
    expect(list.body.items.map((r) => r.periodKey)).toEqual(['2025-W42']);
  });
});

describe('storage', () => {
  const summaryOf = (id: string, generatedBy: string): ReportSummary => ({
    id,
    planId: 'plan-x',
    planTitle: '控辍保学',
    timezone: 'Asia/Shanghai',
    period: 'week',
    periodKey: '2025-W41',
    periodLabel: '2025年第41周',
    asOf: FRIDAY.toISOString(),
    generatedAt: FRIDAY.toISOString(),
    generatedBy,
    trigger: 'manual',
    summary: { units: 0, duties: 0, accepted: 0, overdue: 0, completionRate: null, onTimeRate: null },
    source: { method: 'replay', duties: 0, notices: 0, cells: 0 },
    approximated: 0,
    calendarFallbackYears: [],
  });
  const auditOf = (id: string) =>
    auditEvent(
      OFFICE,
      'report.create',
      { type: 'report', id, planId: 'plan-x' },
      { before: null, after: {} },
      FRIDAY,
    );
  const contentWith = (overdueRows: number): ReportContent => {
    const builder = createReportBuilder({
      asOf: FRIDAY,
      timezone: 'Asia/Shanghai',
      phases: PHASES,
      levels: ['overdue'],
      calendar: createWorkingCalendar([]),
      overdueCap: overdueRows,
    });
    builder.addDuties(
      Array.from({ length: overdueRows }, (_, i) => ({
        id: `duty-${i}`,
        taskId: 'task-1',
        unitId: `unit-${i % 50}`,
        phaseKey: 'work',
        // Random text does not compress: the content needs several parts.
        title: `整改${randomBytes(48).toString('hex')}`,
        kind: 'task' as const,
        status: 'open' as const,
        dueAt: '2025-09-30T09:00:00.000Z',
        round: 1,
        returns: 0,
        reviews: [],
        submittedAt: null,
        acceptedAt: null,
        createdAt: '2025-09-01T00:00:00.000Z',
      })),
    );
    return builder.finish(new Map()).content;
  };

  it('lets the first of two concurrent writers win, whatever each computed, and writes the other nothing', async () => {
    const api = await testApp();
    const repo = reportRepository({ doc: api.doc, tableName: api.table.tableName });
    const first = contentWith(3);
    const second = contentWith(4);
    const outcomes = await Promise.all([
      repo.create(summaryOf('rpt-plan-x-2025-w41', 'writer-a'), first, auditOf('rpt-plan-x-2025-w41')),
      repo.create(summaryOf('rpt-plan-x-2025-w41', 'writer-b'), second, auditOf('rpt-plan-x-2025-w41')),
    ]);
    expect([...outcomes].sort()).toEqual(['created', 'exists']);
    const stored = await repo.get('rpt-plan-x-2025-w41');
    const winner = stored?.summary.generatedBy;
    expect(stored?.content).toEqual(winner === 'writer-a' ? first : second);
    expect(
      await repo.create(summaryOf('rpt-plan-x-2025-w41', 'writer-c'), first, auditOf('rpt-plan-x-2025-w41')),
    ).toBe('exists');
  });

  it('stores big content in parts under the item limit and reads it back whole', async () => {
    const api = await testApp();
    const repo = reportRepository({ doc: api.doc, tableName: api.table.tableName });
    const content = contentWith(5_000);
    expect(
      await repo.create(
        summaryOf('rpt-plan-y-2025-w41', 'office-1'),
        content,
        auditOf('rpt-plan-y-2025-w41'),
      ),
    ).toBe('created');
    const stored = await repo.get('rpt-plan-y-2025-w41');
    expect(stored?.content).toEqual(content);
    expect(stored?.content.overdue.items).toHaveLength(5_000);
    const { Items = [] } = await api.doc.send(
      new QueryCommand({
        TableName: api.table.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'REPORT#rpt-plan-y-2025-w41' },
      }),
    );
    const partSizes = Items.filter((i) => i.sk !== 'HEAD').map((i) => (i.data as Uint8Array).byteLength);
    expect(partSizes.length).toBeGreaterThan(1);
    expect(Math.max(...partSizes)).toBeLessThanOrEqual(REPORT_PART_BYTES);
  });
});

describe('refusals', () => {
  let api: Api;
  let plan: Plan;

  beforeAll(async () => {
    api = await testApp({ now: FRIDAY });
    await api.call('POST', '/v1/units', { body: { id: 'town', name: '城关镇', kind: 'township' } });
    plan = (await api.call<Plan>('POST', '/v1/plans', { body: { title: '控辍保学', phases: PHASES } })).body;
  });

  const post = (body: unknown, as = OFFICE) =>
    api.call<ErrorBody>('POST', `/v1/plans/${plan.id}/reports`, { body, as });
  const fieldsOf = (res: { body: ErrorBody }) => res.body.error.details?.fields?.map((f) => f.field);

  it('refuses a cut-off in the future, naming asOf', async () => {
    const res = await post({ period: 'week', asOf: '2025-10-10T17:00:01+08:00' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(fieldsOf(res)).toEqual(['asOf']);
  });

  it('refuses a cut-off before the plan existed, or not an instant', async () => {
    expect(fieldsOf(await post({ period: 'week', asOf: '2025-01-01T00:00:00Z' }))).toEqual(['asOf']);
    expect(fieldsOf(await post({ period: 'week', asOf: '2025-10-01' }))).toEqual(['asOf']);
    expect(fieldsOf(await post({ period: 'week', asOf: '2025-10-01T10:00:00' }))).toEqual(['asOf']);
  });

  it('refuses an unknown period and unknown fields', async () => {
    expect(fieldsOf(await post({ period: 'year' }))).toEqual(['period']);
    expect((await post({ period: 'week', cutoff: 'now' })).status).toBe(400);
  });

  it('lets only the office make reports', async () => {
    expect((await post({ period: 'week' }, LEADER)).status).toBe(403);
    expect((await post({ period: 'week' }, unitUser('town'))).status).toBe(403);
  });

  it('answers 404 for an unknown plan or report, 400 for a bad id or format', async () => {
    const noPlan = await api.call<ErrorBody>('POST', '/v1/plans/plan-none/reports', {
      body: { period: 'week' },
    });
    expect(noPlan.status).toBe(404);
    expect((await api.call('GET', '/v1/plans/plan-none/reports')).status).toBe(404);
    const missing = await api.call<ErrorBody>('GET', `/v1/reports/rpt-${plan.id}-2020-w01`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await api.call('GET', '/v1/reports/NOT_AN_ID')).status).toBe(400);
    const created = await post({ period: 'month' });
    expect(created.status).toBe(201);
    const badFormat = await api.call<ErrorBody>('GET', `/v1/reports/rpt-${plan.id}-2025-10?format=pdf`);
    expect(fieldsOf(badFormat)).toEqual(['format']);
    expect((await api.call('GET', `/v1/reports/rpt-${plan.id}-2025-10`, { as: null })).status).toBe(401);
  });
});

describe('the schedules', () => {
  it('makes the weekly report of every running plan once, and the monthly only on the last working day', async () => {
    const { api, plan } = await setup();
    const scheduler = { sub: 'report-scheduler', role: 'office' as const };
    const friday = at('2025-10-24T09:00:00Z');
    const weekly = await api.services.reports.runScheduled(
      scheduler,
      { period: 'week', scheduledTime: friday },
      friday,
    );
    expect(weekly).toMatchObject({ acted: true, plans: 1, created: 1, existing: 0, failed: 0 });
    const retried = await api.services.reports.runScheduled(
      scheduler,
      { period: 'week', scheduledTime: friday },
      at('2025-10-24T10:00:00Z'),
    );
    expect(retried).toMatchObject({ created: 0, existing: 1, asOf: friday.toISOString() });

    // October 2025 ends on Friday the 31st.
    const thursday = at('2025-10-30T09:00:00Z');
    const early = await api.services.reports.runScheduled(
      scheduler,
      { period: 'month', scheduledTime: thursday },
      thursday,
    );
    expect(early).toMatchObject({ acted: false, created: 0 });
    expect(early.reason).toContain('2025-10-31');
    const last = at('2025-10-31T09:00:00Z');
    expect(
      await api.services.reports.runScheduled(scheduler, { period: 'month', scheduledTime: last }, last),
    ).toMatchObject({ acted: true, created: 1 });

    const list = await api.call<ReportPage>('GET', `/v1/plans/${plan.id}/reports`);
    expect(list.body.items.map((r) => [r.periodKey, r.trigger])).toEqual([
      ['2025-10', 'schedule'],
      ['2025-W43', 'schedule'],
    ]);
  });

  it('runs in-process at Friday 17:00 by the business clock', async () => {
    const { api, plan } = await setup();
    const offset = Date.parse('2025-11-07T08:59:59.800Z') - Date.now();
    const results: ScheduledReportResult[] = [];
    const ran = new Promise<void>((resolve, reject) => {
      const schedules = startReportSchedules({
        reports: api.services.reports,
        clock: () => new Date(Date.now() + offset),
        onResult: (result) => {
          results.push(result);
          void schedules.stop().then(resolve);
        },
        onError: reject,
      });
    });
    await ran;
    expect(results).toEqual([
      expect.objectContaining({ period: 'week', scheduledTime: '2025-11-07T09:00:00.000Z', created: 1 }),
    ]);
    const list = await api.call<ReportPage>('GET', `/v1/plans/${plan.id}/reports`);
    expect(list.body.items[0]).toMatchObject({ periodKey: '2025-W45', asOf: '2025-11-07T09:00:00.000Z' });
  });
});
