import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { CreatePlanSchema, type Plan } from '../../shared/schemas/plans.js';
import type { Report } from '../../shared/schemas/reports.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { OFFICE, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { block, webApp } from './web-harness.js';

type Api = Awaited<ReturnType<typeof testApp>>;
interface ErrorBody {
  error: { code: string; details?: { fields?: { field: string; message: string }[] } };
}

/** Friday 2026-05-15 17:00 Shanghai: the cut-off of week 2026-W20. */
const FRIDAY = new Date('2026-05-15T09:00:00Z');

const RULES = {
  base: 100,
  perOnTime: 5,
  perOverdueDay: 1,
  overdueCap: 20,
  perReturn: 2,
  perNotice: { overdue: 1, escalate: 3 },
  perMissedReport: 2,
  perLateExtension: 1,
  // A breached veto item costs no points here: the veto alone must put the unit last.
  indicators: { hazards: { weight: { met: 3, warning: 0, breached: 0 } } },
};

let api: Api;
let plan: Plan;
let report: Report;

const fields = (res: { body: ErrorBody }) => (res.body.error.details?.fields ?? []).map((f) => f.field);
const putRules = (body: Record<string, unknown>, as = OFFICE) =>
  api.call<Plan & ErrorBody>('PUT', `/v1/plans/${plan.id}/scoring-rules`, { body, as });
const currentVersion = async () => (await api.call<Plan>('GET', `/v1/plans/${plan.id}`)).body.version;

beforeAll(async () => {
  api = await testApp({ now: new Date('2026-05-04T02:00:00Z') });
  for (const body of [
    { id: 'town', name: '城关镇', kind: 'township' },
    { id: 'east', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'west', name: '西街村', kind: 'village', parentId: 'town' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: {
        title: '控辍保学',
        phases: [{ key: 'work', name: '自查整改阶段', start: '2026-05-01', end: '2026-07-31' }],
      },
    })
  ).body;
  const duties: Duty[] = [];
  for (const leadUnitId of ['east', 'west']) {
    const res = await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { title: '摸排适龄儿童', phaseKey: 'work', leadUnitId, dueAt: '2026-05-08T17:00:00+08:00' },
    });
    expect(res.status, res.text).toBe(201);
    duties.push(...res.body.duties);
  }
  // East is on time; west never submits.
  const east = duties.find((d) => d.unitId === 'east') as Duty;
  api.setNow(new Date('2026-05-07T02:00:00Z'));
  expect(
    (
      await api.call('POST', `/v1/duties/${east.id}/submit`, {
        as: unitUser('east'),
        body: { note: '已完成' },
      })
    ).status,
  ).toBe(200);
  expect((await api.call('POST', `/v1/duties/${east.id}/accept`, { body: {} })).status).toBe(200);
  // 校园安全隐患, a veto item: east has two hazards (breached), west none (met).
  const indicator = await api.call('PUT', `/v1/plans/${plan.id}/indicators/hazards`, {
    body: {
      name: '校园安全隐患',
      measure: 'count',
      unitOfMeasure: '处',
      direction: 'lte',
      target: '0',
      veto: true,
      period: 'monthly',
      reportingUnitIds: ['east', 'west'],
    },
  });
  expect(indicator.status, indicator.text).toBe(200);
  for (const [unitId, numerator] of [
    ['east', '2'],
    ['west', '0'],
  ] as const) {
    const res = await api.call('PUT', `/v1/plans/${plan.id}/indicators/hazards/figures/2026-05`, {
      as: unitUser(unitId),
      body: { unitId, source: 'report', numerator },
    });
    expect(res.status, `${res.text} ${JSON.stringify(api.errors)}`).toBe(200);
  }
  api.setNow(new Date('2026-05-11T02:00:00Z'));
  const set = await putRules({ ...RULES, expectedVersion: await currentVersion() });
  expect(set.status, `${set.text} ${JSON.stringify(api.errors)}`).toBe(200);
  expect(set.body.scoringRules).toEqual(RULES);

  api.setNow(FRIDAY);
  const res = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } });
  expect(res.status, res.text).toBe(201);
  report = res.body;
});

describe('量化考评 in a frozen report', () => {
  it('carries every unit’s score, its breakdown line by line and the rules it was given by', () => {
    const scoring = report.scoring;
    expect(scoring).not.toBeNull();
    expect(scoring?.rules).toMatchObject({ base: 100, perOnTime: 5, perOverdueDay: 1 });
    expect(scoring?.rules.indicators?.hazards).toEqual({ weight: { met: 3, warning: 0, breached: 0 } });
    expect(scoring?.rulesWords).toContain('按时办结每项加 5 分');
    expect(scoring?.indicators).toMatchObject({ included: true, periods: ['2026-05'] });
    const east = scoring?.units.find((u) => u.unitId === 'east');
    // On time: its task, and its May indicator report (a duty closed when its figure came in).
    expect(east).toMatchObject({ total: 110, vetoed: true, vetoReasons: ['校园安全隐患'] });
    expect(east?.lines).toEqual([{ label: '按时办结', count: 2, points: 10 }]);
    const west = scoring?.units.find((u) => u.unitId === 'west');
    const rows = report.units.find((u) => u.unitId === 'west');
    const late = rows?.overdueWorkingDays ?? 0;
    expect(late).toBeGreaterThan(0);
    expect(west?.lines).toContainEqual({ label: '逾期(工作日)', count: late, points: -late });
    expect(west?.lines).toContainEqual({ label: '校园安全隐患:达标', count: 1, points: 3 });
    // The total is the base plus every line.
    expect(west?.total).toBe(100 + (west?.lines ?? []).reduce((s, l) => s + l.points, 0));
  });

  it('puts a unit that breached a veto item after every other unit, whatever its points', () => {
    const units = report.scoring?.units ?? [];
    const east = units.find((u) => u.unitId === 'east');
    const west = units.find((u) => u.unitId === 'west');
    expect((east?.total ?? 0) > (west?.total ?? 0)).toBe(true);
    expect(units.map((u) => [u.unitId, u.rank])).toEqual([
      ['west', 1],
      ['east', 2],
    ]);
    // Beside the ranking by on-time rate, which has east first.
    expect(report.ranking[0]?.unitId).toBe('east');
  });

  it('stays as frozen when the rules change afterwards', async () => {
    const changed = await putRules({ ...RULES, perOnTime: 1, expectedVersion: await currentVersion() });
    expect(changed.status, changed.text).toBe(200);
    const again = await api.call<Report>('GET', `/v1/reports/${report.id}`);
    expect(again.body.scoring).toEqual(report.scoring);
  });

  it('shows a unit every unit’s score and only its own breakdown', async () => {
    const mine = await api.call<Report>('GET', `/v1/reports/${report.id}`, { as: unitUser('west') });
    expect(mine.status).toBe(200);
    const units = mine.body.scoring?.units ?? [];
    expect(units.map((u) => u.total)).toEqual(report.scoring?.units.map((u) => u.total));
    expect(units.find((u) => u.unitId === 'west')?.lines.length).toBeGreaterThan(0);
    expect(units.find((u) => u.unitId === 'east')?.lines).toEqual([]);
  });

  it('has a 量化考评 sheet in the workbook and a section in the CSV', async () => {
    const token = await issueHs256Token(TEST_SECRET, OFFICE);
    const headers = { authorization: `Bearer ${token}` };
    const xlsx = await api.app.request(`/v1/reports/${report.id}?format=xlsx`, { headers });
    expect(xlsx.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.getWorksheet('量化考评');
    expect(sheet).toBeDefined();
    const values = (n: number) => ((sheet?.getRow(n).values ?? []) as unknown[]).slice(1);
    expect(values(2).slice(0, 3)).toEqual(['得分排名', '单位', '总分']);
    expect(values(3).slice(0, 3)).toEqual([1, '西街村', report.scoring?.units[0]?.total]);
    expect(values(4)[3]).toBe('否决:校园安全隐患未达标');
    expect(values(4)[4]).toBe('按时办结 2 项 +10');
    const texts: string[] = [];
    sheet?.eachRow((row) => {
      texts.push(...(row.values as unknown[]).filter((v): v is string => typeof v === 'string'));
    });
    expect(texts).toContain('按时办结每项加 5 分');
    const csv = await (await api.app.request(`/v1/reports/${report.id}?format=csv`, { headers })).text();
    expect(csv).toContain('量化考评(按得分排名)');
    expect(csv).toContain('按时办结每项加 5 分');
  });
});

describe('the report page', () => {
  it('prints the ranking by score, each unit’s score card and the rules', async () => {
    const web = await webApp({ now: new Date('2026-05-04T02:00:00Z') });
    await web.services.units.create(OFFICE, { id: 'east', name: '东街村', kind: 'village' }, new Date());
    const p = await web.services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: '控辍保学',
        phases: [{ key: 'work', name: '自查整改阶段', start: '2026-05-01', end: '2026-07-31' }],
      }),
      new Date('2026-05-04T02:00:00Z'),
    );
    await web.services.plans.createTask(
      OFFICE,
      p.id,
      CreateTaskSchema.parse({
        title: '摸排适龄儿童',
        phaseKey: 'work',
        leadUnitId: 'east',
        dueAt: '2026-05-20T17:00:00+08:00',
      }),
      new Date('2026-05-04T02:00:00Z'),
    );
    web.setNow(FRIDAY);
    const { report: made } = await web.services.reports.create(OFFICE, p.id, { period: 'week' }, FRIDAY);
    const page = web.browser();
    await page.signIn('office');
    const res = await page.get(`/reports/${made.id}`);
    expect(res.status).toBe(200);
    expect(res.html).toContain('量化考评');
    expect(block(res.html, 'score-unit', 'east')).toContain('100');
    expect(block(res.html, 'score-card', 'east')).toContain('基础分');
    expect(res.html).toContain('按时办结每项加 1 分');
  });
});

describe('setting the scoring rules', () => {
  it('refuses bad rules with 400 naming each field, and writes nothing', async () => {
    const version = await currentVersion();
    const bad = await putRules({
      ...RULES,
      perOverdueDay: -1,
      perOnTime: 0.25,
      indicators: { hazards: { weight: { met: 1 } } },
      expectedVersion: version,
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(
      expect.arrayContaining(['perOverdueDay', 'perOnTime', 'indicators.hazards.weight.warning']),
    );
    const level = await putRules({ ...RULES, perNotice: { bogus: 1 }, expectedVersion: version });
    expect(level.status).toBe(400);
    expect(fields(level)).toEqual(['perNotice.bogus']);
    expect(await currentVersion()).toBe(version);
  });

  it('is for the office only, and conditional on the plan’s version', async () => {
    const version = await currentVersion();
    expect((await putRules({ ...RULES, expectedVersion: version }, unitUser('east'))).status).toBe(403);
    const stale = await putRules({ ...RULES, expectedVersion: version - 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('version_conflict');
    expect(await currentVersion()).toBe(version);
  });

  it('is audited', async () => {
    const res = await api.call<{ items: { action: string }[] }>(
      'GET',
      `/v1/audit?planId=${plan.id}&limit=100`,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.filter((e) => e.action === 'plan.scoring-rules').length).toBe(2);
  });
});
