import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import { UNASSESSED_LABEL } from '../../shared/domain/report/ranking.js';
import { reportCsv } from '../../shared/export/report-csv.js';
import { SubmitDutySchema } from '../../shared/schemas/duties.js';
import type { Report } from '../../shared/schemas/reports.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { createServices, type Services } from '../../shared/services/index.js';
import { freshTable } from '../fixtures/dynamo.js';
import { parseCsv } from '../fixtures/report-facts.js';

const OFFICE: Principal = { sub: 'test-office', role: 'office' };
// The demo's own "now": the fourth day of 自查补短, three mobilize duties overdue, three submitted.
const NOW = new Date('2026-11-25T10:00:00+08:00');
const OVERDUE_UNITS = ['edu-bureau', 'poverty-alleviation-office', 'yjb'];

/**
 * The ranking a 督办 office would print from the demo: a unit with overdue work never ranks above a
 * unit without, and units with nothing to judge are listed apart, not ranked behind the failing ones.
 */
function expectNoFailingUnitAbove(report: Report) {
  const ranked = report.units.filter((u) => u.rank !== null);
  for (const failing of ranked.filter((u) => u.overdue > 0)) {
    for (const clean of report.units.filter((u) => u.overdue === 0)) {
      // A clean unit is either ranked ahead of the failing one or not ranked at all (本期无考核任务).
      if (clean.rank !== null) expect(clean.rank).toBeLessThan(failing.rank ?? 0);
    }
  }
}

describe('the demo plan’s weekly and monthly reports rank the worst last', () => {
  let services: Services;
  let destroy: () => void = () => {};
  let planId: string;
  const reports: Record<'week' | 'month', Report | undefined> = { week: undefined, month: undefined };

  beforeAll(async () => {
    const { client, doc, tableName } = await freshTable();
    destroy = () => client.destroy();
    services = createServices({ doc, tableName });
    ({ planId } = await seedDemo(services, NOW));
    for (const period of ['week', 'month'] as const) {
      reports[period] = (await services.reports.create(OFFICE, planId, { period }, NOW)).report;
    }
  });
  afterAll(() => destroy());

  async function submitAndAccept(clerk: Principal, duty: { id: string; version: number }) {
    await services.duties.submit(
      clerk,
      duty.id,
      SubmitDutySchema.parse({ note: '已办理', version: duty.version }),
      NOW,
    );
    await services.duties.accept(OFFICE, duty.id, {}, NOW);
  }

  for (const period of ['week', 'month'] as const) {
    it(`${period}: ranks only the units with something to judge; the rest are 本期无考核任务`, () => {
      const report = reports[period];
      if (report === undefined) throw new Error('no report');
      const ranked = report.ranking.filter((r) => r.rank !== null);
      // The three units whose only judged duty is overdue are the only ones ranked (all 0.0%, tied).
      expect(ranked.map((r) => r.unitId).sort()).toEqual(OVERDUE_UNITS);
      expect(ranked.map((r) => [r.rank, r.onTimeRate])).toEqual([
        [1, 0],
        [1, 0],
        [1, 0],
      ]);
      const apart = report.ranking.filter((r) => r.rank === null);
      // Every other unit with a duty in the plan: none accepted, none overdue yet.
      expect(apart).toHaveLength(report.summary.units - 3);
      expect(apart.length).toBeGreaterThan(20);
      for (const r of apart) expect(r.onTimeRate).toBeNull();
      // Listed after the ranked units, never among them.
      expect(report.ranking.slice(0, ranked.length)).toEqual(ranked);
      expectNoFailingUnitAbove(report);
      expect(report.rules.ranking).toContain(UNASSESSED_LABEL);
      expect(report.rules.ranking).toContain('有逾期未办的单位排在没有逾期未办的单位之后');
    });

    it(`${period}: the CSV prints 本期无考核任务 in place of a rank, after the ranked units`, () => {
      const report = reports[period];
      if (report === undefined) throw new Error('no report');
      const rows = parseCsv(reportCsv(report).replace(/^\uFEFF/, ''));
      const body = rows.slice(1, 1 + report.ranking.length);
      expect(body.slice(0, 3).map((r) => r[0])).toEqual(['1', '1', '1']);
      expect(body.slice(3).map((r) => r[0])).toEqual(Array(report.summary.units - 3).fill(UNASSESSED_LABEL));
    });
  }

  it('a unit that finished late outranks one with a better rate that left work overdue', async () => {
    // The demo's three submitted duties were filed after their due time: accepted, they are done
    // late. The bureau also gets a new duty done on time, so it stands at 1 of 3 on time with one
    // duty still overdue; the 迎检办 files its overdue duty late: 0% on time, nothing overdue.
    const submitted = (
      await services.duties.listForPlan(OFFICE, planId, { status: 'submitted' }, { limit: 100 }, NOW)
    ).items;
    expect(submitted.map((d) => d.unitId)).toContain('edu-bureau');
    for (const d of submitted) await services.duties.accept(OFFICE, d.id, {}, NOW);
    const task = await services.plans.createTask(
      OFFICE,
      planId,
      CreateTaskSchema.parse({
        title: '报送自查报告',
        phaseKey: 'self-check',
        leadUnitId: 'edu-bureau',
        dueAt: '2026-12-04',
      }),
      NOW,
    );
    const onTime = task.duties[0];
    if (onTime === undefined) throw new Error('the task made no duty');
    await submitAndAccept({ sub: 'demo-edu-bureau', role: 'unit', unitId: 'edu-bureau' }, onTime);
    const late = (
      await services.duties.listForUnit(OFFICE, 'yjb', { planId }, { limit: 10 }, NOW)
    ).items.find((d) => d.overdue);
    if (late === undefined) throw new Error('the 迎检办 has no overdue duty');
    await submitAndAccept({ sub: 'demo-yjb', role: 'unit', unitId: 'yjb' }, late);

    const nextWeek = new Date(NOW.getTime() + 7 * 86_400_000);
    const { report } = await services.reports.create(OFFICE, planId, { period: 'week' }, nextWeek);
    expect(report.periodKey).not.toBe(reports.week?.periodKey);
    const row = (id: string) => report.units.find((u) => u.unitId === id);
    expect(row('edu-bureau')).toMatchObject({ doneOnTime: 1, doneLate: 1, overdue: 1 });
    expect(row('yjb')).toMatchObject({ onTimeRate: 0, overdue: 0 });
    expect(row('yjb')?.rank).toBeLessThan(row('edu-bureau')?.rank ?? 0);
    expectNoFailingUnitAbove(report);
  });
});
