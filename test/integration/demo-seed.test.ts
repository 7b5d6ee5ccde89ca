import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_DUTY_COUNT,
  DEMO_PLAN_TITLE,
  DEMO_TASKS,
  DEMO_UNITS,
  DEMO_WEEKLY_REPORT_UNITS,
  seedDemo,
} from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page, PageRequest } from '../../shared/db/pagination.js';
import { ForbiddenError } from '../../shared/errors.js';
import { createServices, type Services } from '../../shared/services/index.js';
import { freshTable } from '../fixtures/dynamo.js';

const OFFICE: Principal = { sub: 'test-office', role: 'office' };
// 2026-11-25 in Shanghai: the fourth day of 自查补短 once the seed's phases are shifted.
const NOW = new Date('2026-11-25T10:00:00+08:00');

async function all<T>(fetch: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch({ limit: 100, cursor });
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return items;
}

/** Five Fridays fall in the 35 days after 2026-11-25, for each of the two schools. */
const WEEKLY_REPORT_DUTIES = 5 * DEMO_WEEKLY_REPORT_UNITS.length;

describe('seedDemo', () => {
  let services: Services;
  let destroy: () => void = () => {};
  let seeded: { planId: string; units: number; tasks: number };

  beforeAll(async () => {
    const { client, doc, tableName } = await freshTable();
    destroy = () => client.destroy();
    services = createServices({ doc, tableName });
    seeded = await seedDemo(services, NOW);
  });
  afterAll(() => destroy());

  it('reports what it created', () => {
    expect(seeded.units).toBe(DEMO_UNITS.length);
    // The 25 tasks of 工作职责 plus the schools' weekly report.
    expect(seeded.tasks).toBe(DEMO_TASKS.length + 1);
    expect(DEMO_TASKS.length).toBe(25);
    expect(DEMO_DUTY_COUNT).toBe(32);
  });

  it('makes a live plan: now is the fourth day of 自查补短', async () => {
    const plan = await services.plans.view(OFFICE, seeded.planId, NOW);
    expect(plan.title).toBe(DEMO_PLAN_TITLE);
    expect(plan.timezone).toBe('Asia/Shanghai');
    expect(plan.phases.map((p) => p.key)).toEqual(['mobilize', 'self-check', 'improve', 'consolidate']);
    expect(plan.currentPhase?.key).toBe('self-check');
    expect(plan.currentPhase?.start).toBe('2026-11-22');
    // The windows keep their lengths: 5, 13, 5 days, and an open end.
    expect(plan.phases).toEqual([
      { key: 'mobilize', name: '部署发动阶段', start: '2026-11-17', end: '2026-11-21' },
      { key: 'self-check', name: '自查补短阶段', start: '2026-11-22', end: '2026-12-04' },
      { key: 'improve', name: '完善提升阶段', start: '2026-12-05', end: '2026-12-09' },
      { key: 'consolidate', name: '稳固待检阶段', start: '2026-12-10' },
    ]);
  });

  it('builds the unit tree: the bureau, its sections, townships with villages and schools', async () => {
    const units = await all((page) => services.units.list(OFFICE, page));
    expect(units).toHaveLength(DEMO_UNITS.length);
    const byId = new Map(units.map((u) => [u.id, u]));
    expect(byId.get('edu-bureau')).toMatchObject({ name: '县教育体育局', kind: 'bureau', parentId: null });
    const sections = units.filter((u) => u.kind === 'section');
    expect(sections.map((u) => u.id).sort()).toEqual(
      [
        'edu-section',
        'finance-section',
        'personnel-section',
        'logistics-office',
        'admissions-office',
        'sports-center',
      ].sort(),
    );
    for (const s of sections) expect(s.parentId).toBe('edu-bureau');
    expect(byId.get('culture-tourism-bureau')?.name).toBe('县文化旅游和广播影视局');
    expect(byId.get('health-bureau')?.name).toBe('县卫生和计划生育局');
    for (const kind of ['township', 'village', 'school'] as const) {
      expect(units.filter((u) => u.kind === kind)).toHaveLength(2);
    }
    for (const u of units.filter((x) => x.kind === 'village' || x.kind === 'school')) {
      expect(byId.get(u.parentId ?? '')?.kind).toBe('township');
    }
  });

  it('creates one task per duty of 六、工作职责 with one duty per responsible unit', async () => {
    const tasks = await all((page) => services.plans.listTasks(OFFICE, seeded.planId, page));
    expect(tasks).toHaveLength(DEMO_TASKS.length + 1);
    const cleaning = tasks.find((t) => t.title === '清理整顿学校周边环境');
    expect(cleaning?.leadUnitId).toBe('comprehensive-governance-office');
    expect(cleaning?.coUnitIds).toHaveLength(3);
    const poverty = tasks.find((t) => t.leadUnitId === 'poverty-alleviation-office');
    expect(poverty?.coUnitIds).toEqual(['edu-bureau']);
    // A date-only due time is the end of that day in Shanghai.
    expect(tasks.find((t) => t.title === '核定落实教师编制')?.dueAt).toBe('2026-12-04T15:59:59.999Z');

    const duties = await all((page) => services.duties.listForPlan(OFFICE, seeded.planId, {}, page, NOW));
    expect(duties).toHaveLength(DEMO_DUTY_COUNT + WEEKLY_REPORT_DUTIES);
  });

  it('creates the weekly report ahead: each Friday 12:00 of the next 35 days, per school', async () => {
    const reports = await all((page) =>
      services.duties.listForUnit(OFFICE, 'chengguan-primary', { planId: seeded.planId }, page, NOW),
    );
    const weekly = reports.filter((d) => d.kind === 'report').map((d) => d.dueAt);
    expect(weekly.sort()).toEqual([
      '2026-11-27T04:00:00.000Z',
      '2026-12-04T04:00:00.000Z',
      '2026-12-11T04:00:00.000Z',
      '2026-12-18T04:00:00.000Z',
      '2026-12-25T04:00:00.000Z',
    ]);
  });

  it('shows submitted and overdue duties in the plan view', async () => {
    const { counts } = await services.plans.view(OFFICE, seeded.planId, NOW);
    expect(counts.all.total).toBe(DEMO_DUTY_COUNT + WEEKLY_REPORT_DUTIES);
    expect(counts.all.submitted).toBe(3);
    expect(counts.all.overdue).toBe(3);
    expect(counts.all.open).toBe(DEMO_DUTY_COUNT + WEEKLY_REPORT_DUTIES - 3);
    expect(counts.byPhase.mobilize).toMatchObject({ total: 6, submitted: 3, overdue: 3 });
    expect(counts.byPhase['self-check']).toMatchObject({ overdue: 0, submitted: 0 });

    const overdue = await all((page) =>
      services.duties.listForPlan(OFFICE, seeded.planId, { overdue: true }, page, NOW),
    );
    expect(overdue.map((d) => d.unitId).sort()).toEqual(['edu-bureau', 'poverty-alleviation-office', 'yjb']);
  });

  it('lets a unit list only its own duties', async () => {
    const unit: Principal = { sub: 'demo-edu-bureau', role: 'unit', unitId: 'edu-bureau' };
    const own = await all((page) => services.duties.listForUnit(unit, 'edu-bureau', {}, page, NOW));
    expect(own).toHaveLength(2);
    for (const d of own) expect(d.unitId).toBe('edu-bureau');
    const submitted = own.find((d) => d.status === 'submitted');
    expect(submitted?.submission?.submittedBy).toBe('demo-edu-bureau');
    expect(submitted?.submission?.evidence).toHaveLength(1);
    expect(own.find((d) => d.role === 'co')?.overdue).toBe(true);

    const inPlan = await all((page) => services.duties.listForPlan(unit, seeded.planId, {}, page, NOW));
    expect(inPlan.map((d) => d.id).sort()).toEqual(own.map((d) => d.id).sort());

    await expect(
      services.duties.listForUnit(unit, 'finance-bureau', {}, { limit: 10 }, NOW),
    ).rejects.toBeInstanceOf(ForbiddenError);
  });
});
