import { beforeAll, describe, expect, it } from 'vitest';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import type { FindingView } from '../../shared/schemas/findings.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Report } from '../../shared/schemas/reports.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { OFFICE, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { parseCsv } from '../fixtures/report-facts.js';
import { accountabilityScenario, CUT_OFF, FINDING_A, FINDING_B } from './accountability-scenario.js';
import { webApp } from './web-harness.js';

type Api = Awaited<ReturnType<typeof testApp>>;

describe('a report with extension requests and supervision findings', () => {
  let api: Api;
  let plan: Plan;
  let report: Report;
  let schoolDutyId: string;
  const unit = (id: string) => {
    const row = report.units.find((u) => u.unitId === id);
    if (row === undefined) throw new Error(`no row for ${id}`);
    return row;
  };

  beforeAll(async () => {
    api = await testApp();
    const scenario = await accountabilityScenario(api.services, api.setNow);
    plan = scenario.plan;
    schoolDutyId = scenario.duties.school.id;
    const res = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    report = res.body;
  });

  it('counts each unit’s extension requests: made, this period’s, approved, refused, pending at the cut-off', () => {
    expect(report.asOf).toBe(CUT_OFF.toISOString());
    expect(unit('village').extensions).toEqual({
      requested: 1,
      inPeriod: 0,
      approved: 1,
      refused: 0,
      pending: 0,
      late: 0,
    });
    expect(unit('town').extensions).toEqual({
      requested: 1,
      inPeriod: 0,
      approved: 0,
      refused: 1,
      pending: 0,
      late: 0,
    });
    expect(unit('school').extensions).toEqual({
      requested: 1,
      inPeriod: 1,
      approved: 0,
      refused: 0,
      pending: 1,
      late: 0,
    });
    expect(report.totals.extensions).toEqual({
      requested: 3,
      inPeriod: 1,
      approved: 1,
      refused: 1,
      pending: 1,
      late: 0,
    });
    expect(report.rules.extensions).toContain('延期');
  });

  it('counts each unit’s rectification duties apart, and in its ranking figures', () => {
    expect(unit('village').rectification).toEqual({
      assigned: 1,
      accepted: 1,
      submitted: 0,
      openNotDue: 0,
      overdue: 0,
    });
    expect(unit('town').rectification).toEqual({
      assigned: 1,
      accepted: 0,
      submitted: 0,
      openNotDue: 0,
      overdue: 1,
    });
    // The town's overdue rectification is one of its two overdue duties: it counts in the ranking.
    expect(unit('town')).toMatchObject({ assigned: 2, overdue: 2, onTimeRate: 0 });
    expect(report.ranking.at(-1)?.unitId).toBe('town');
    expect(report.rules.ranking).toContain('督查整改任务与其他任务一样计入');
  });

  it('lists the findings apart: open first, each with its units, due time and whether it is closed (销号)', () => {
    const section = report.rectifications;
    expect(section).toMatchObject({ findings: 2, closed: 1, duties: 3, accepted: 2, overdue: 1 });
    expect(section?.items.map((f) => [f.title, f.sourceLabel, f.closed])).toEqual([
      [FINDING_A, '四不两直暗访', false],
      [FINDING_B, '县级检查', true],
    ]);
    const [a, b] = section?.items ?? [];
    expect(a?.units.map((u) => [u.unitName, u.status, u.overdue])).toEqual([
      ['城关镇', 'open', true],
      ['东街村', 'accepted', false],
    ]);
    expect(a).toMatchObject({ dueAt: '2025-09-30T15:59:59.999Z', phaseKey: 'improve', closedAt: null });
    expect(b).toMatchObject({ closedAt: '2025-09-29T02:00:00.000Z', accepted: 1, duties: 1 });
  });

  it('shows a unit only the findings that name it, with its own part', async () => {
    const res = await api.call<Report>('GET', `/v1/reports/${report.id}`, { as: unitUser('school') });
    expect(res.status).toBe(200);
    expect(res.body.rectifications?.items.map((f) => f.title)).toEqual([FINDING_B]);
    expect(res.body.rectifications?.items[0]?.units.map((u) => u.unitId)).toEqual(['school']);
    expect(res.body.units.map((u) => u.unitId)).toEqual(['school']);
    // The section's counts are those of the findings it sees and of its own duties.
    expect(res.body.rectifications).toMatchObject({
      findings: 1,
      closed: 1,
      duties: 1,
      accepted: 1,
      overdue: 0,
    });
  });

  it('gives a unit the same findings through the API as in the report: those that name it, its own part', async () => {
    type Items = { items: FindingView[] };
    const path = `/v1/plans/${plan.id}/findings`;
    const all = (await api.call<Items>('GET', path)).body.items;
    expect(all.map((f) => f.title).sort()).toEqual([FINDING_A, FINDING_B].sort());
    const a = all.find((f) => f.title === FINDING_A);
    expect(a?.unitIds).toEqual(['town', 'village']);
    expect(a?.dutyIds).toHaveLength(2);

    const school = await api.call<Items>('GET', path, { as: unitUser('school') });
    expect(school.status).toBe(200);
    expect(school.body.items.map((f) => [f.title, f.unitIds])).toEqual([[FINDING_B, ['school']]]);

    const village = (await api.call<Items>('GET', path, { as: unitUser('village') })).body.items;
    expect(village.map((f) => f.title)).toEqual([FINDING_A]);
    const [mine] = village;
    expect(mine?.unitIds).toEqual(['village']);
    expect(mine?.dutyIds).toHaveLength(1);
    expect(a?.dutyIds).toContain(mine?.dutyIds[0]);
    const duty = await api.services.duties.get(OFFICE, mine?.dutyIds[0] ?? '-', CUT_OFF);
    expect(duty.unitId).toBe('village');
    // The finding's own state stays: one of its two duties done, not closed.
    expect(mine).toMatchObject({ status: 'open', accepted: 1, total: 2 });

    // A unit no finding names sees none, here as in the report.
    await api.services.units.create(
      OFFICE,
      CreateUnitSchema.parse({ id: 'bureau', name: '县教育体育局', kind: 'bureau' }),
      CUT_OFF,
    );
    const bureau = await api.call<Items>('GET', path, { as: unitUser('bureau') });
    expect(bureau.body.items).toEqual([]);
    const narrowed = await api.call<Report>('GET', `/v1/reports/${report.id}`, { as: unitUser('bureau') });
    expect(narrowed.body.rectifications?.items).toEqual([]);
  });

  it('puts the extension and rectification counts and the findings in the CSV', async () => {
    const token = await issueHs256Token(TEST_SECRET, OFFICE);
    const res = await api.app.request(`/v1/reports/${report.id}?format=csv`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''));
    const header = rows[0] ?? [];
    // Units by name: the file carries no unit id.
    const names = new Map(report.ranking.map((r) => [r.unitId, r.unitName]));
    const cell = (unitId: string, column: string) =>
      rows.find((r) => r[1] === names.get(unitId))?.[header.indexOf(column)];
    expect(header).toEqual(
      expect.arrayContaining(['延期申请', '其中本期申请', '批准延期', '驳回延期', '待审批延期', '整改任务']),
    );
    expect(cell('village', '批准延期')).toBe('1');
    expect(cell('town', '驳回延期')).toBe('1');
    expect(cell('school', '待审批延期')).toBe('1');
    expect(cell('school', '其中本期申请')).toBe('1');
    expect(cell('town', '逾期未整改')).toBe('1');

    const gap = rows.findIndex((r) => r.length === 1 && r[0] === '');
    expect(gap).toBe(4);
    expect(rows[gap + 1]).toEqual(['督查整改:问题 2 个,已销号 1 个']);
    const findingHeader = rows[gap + 2] ?? [];
    expect(findingHeader.slice(0, 5)).toEqual(['问题', '来源', '阶段', '责任单位及整改情况', '整改期限']);
    // Up to the next empty line: the 量化考评 section follows.
    const end = rows.findIndex((r, i) => i > gap && r.length === 1 && r[0] === '');
    const findings = rows.slice(gap + 3, end === -1 ? undefined : end);
    expect(findings.map((r) => [r[0], r[findingHeader.indexOf('销号')]])).toEqual([
      [FINDING_A, '未销号'],
      [FINDING_B, '已销号'],
    ]);
    expect(findings[0]?.[3]).toBe('城关镇(逾期)、东街村(已办结)');
    expect(findings[0]?.[4]).toBe('2025-09-30 23:59');
  });

  it('stays as it was frozen when a pending request is decided later', async () => {
    api.setNow(new Date('2025-10-11T02:00:00Z'));
    const school = await api.services.duties.get(OFFICE, schoolDutyId, new Date());
    if (school.pendingExtensionId === null) throw new Error('no pending request');
    const approved = await api.call(
      'POST',
      `/v1/duties/${school.id}/extension-requests/${school.pendingExtensionId}/approve`,
      {
        body: {},
      },
    );
    expect(approved.status).toBe(200);
    const again = await api.call<Report>('GET', `/v1/reports/${report.id}`);
    expect(again.body.units.find((u) => u.unitId === 'school')?.extensions?.pending).toBe(1);
    // The next week's report sees the decision.
    api.setNow(new Date('2025-10-17T09:00:00Z'));
    const next = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } });
    expect(next.status).toBe(201);
    expect(next.body.units.find((u) => u.unitId === 'school')?.extensions).toEqual({
      requested: 1,
      inPeriod: 0,
      approved: 1,
      refused: 0,
      pending: 0,
      late: 0,
    });
  });
});

describe('the report page', () => {
  it('shows the extension and rectification columns and the 督查整改 section', async () => {
    const web = await webApp({ now: CUT_OFF });
    const { plan } = await accountabilityScenario(web.services, web.setNow);
    const { report } = await web.services.reports.create(OFFICE, plan.id, { period: 'week' }, CUT_OFF);
    const page = web.browser();
    await page.signIn('office');
    const res = await page.get(`/reports/${report.id}`);
    expect(res.status).toBe(200);
    expect(res.html).toContain('延期申请');
    expect(res.html).toContain('督查整改(问题 2 个,已销号 1 个)');
    const town = res.html.slice(res.html.indexOf('data-report-unit="town"'));
    expect(town.slice(0, town.indexOf('</tr>'))).toContain('1(本期 0):批准 0 · 驳回 1 · 待审批 0');
    const a = res.html.slice(res.html.indexOf('data-finding="'));
    expect(a.slice(0, a.indexOf('</tr>'))).toContain(FINDING_A);
    expect(a.slice(0, a.indexOf('</tr>'))).toContain('未销号');
    expect(res.html).toContain('四不两直暗访');
  });

  it('shows a unit its narrowed report, and on the findings page the findings that name it', async () => {
    const web = await webApp({ now: CUT_OFF });
    const { plan } = await accountabilityScenario(web.services, web.setNow);
    const { report } = await web.services.reports.create(OFFICE, plan.id, { period: 'week' }, CUT_OFF);
    const page = web.browser();
    await page.signIn('unit:school');
    const view = await page.get(`/reports/${report.id}`);
    expect(view.status).toBe(200);
    expect(view.html).toContain('督查整改(问题 1 个,已销号 1 个)');
    expect(view.html).not.toContain(FINDING_A);

    const findings = await page.get(`/plans/${plan.id}/findings`);
    expect(findings.status).toBe(200);
    expect(findings.html).toContain(FINDING_B);
    expect(findings.html).not.toContain(FINDING_A);
    expect(findings.html).not.toContain('登记督查问题');
  });
});
