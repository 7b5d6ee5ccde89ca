import type { Principal } from '../../shared/auth/principal.js';
import { AcceptDutySchema, type Duty, SubmitDutySchema } from '../../shared/schemas/duties.js';
import { CreateFindingSchema, type FindingView } from '../../shared/schemas/findings.js';
import { CreatePlanSchema, type Plan } from '../../shared/schemas/plans.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import type { Services } from '../../shared/services/index.js';
import { LEADER, OFFICE, unitUser } from '../fixtures/app.js';

/** Friday 2025-10-10 17:00 Shanghai: the cut-off of week 2025-W41 (Monday 10-06 to Sunday 10-12). */
export const CUT_OFF = new Date('2025-10-10T09:00:00Z');
export const START = new Date('2025-09-01T02:00:00Z');
export const FINDING_A = '东街村花名册与学籍系统不一致';
export const FINDING_B = '城关小学控辍台账缺签字';

/**
 * A plan with every kind of extension decision and two findings, built through the services (so
 * the API tests and the page tests share it):
 * - 东街村 (village): asked for more time on 09-10, approved → due 10-20; its part of finding A
 *   accepted.
 * - 城关镇 (town): asked on 09-10, refused by a leader → overdue since 09-26; its part of finding A
 *   still open → overdue rectification; finding A is therefore not closed (未销号).
 * - 城关小学 (school): asked on 10-07 (this week), still pending at the cut-off; finding B (school
 *   only) accepted on 09-29 → closed (销号).
 */
export async function accountabilityScenario(services: Services, setNow: (d: Date) => void) {
  let now = START;
  const at = (iso: string) => {
    now = new Date(iso);
    setNow(now);
    return now;
  };
  at(START.toISOString());
  for (const body of [
    { id: 'town', name: '城关镇', kind: 'township' },
    { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'school', name: '城关小学', kind: 'school', parentId: 'town' },
  ]) {
    await services.units.create(OFFICE, CreateUnitSchema.parse(body), now);
  }
  const plan: Plan = await services.plans.create(
    OFFICE,
    CreatePlanSchema.parse({
      title: '控辍保学',
      phases: [
        { key: 'self-check', name: '自查补短阶段', start: '2025-09-01', end: '2025-09-20' },
        { key: 'improve', name: '完善提升阶段', start: '2025-09-21', end: '2025-12-31' },
      ],
    }),
    now,
  );
  const duty = async (leadUnitId: string, dueAt: string): Promise<Duty> => {
    const task = await services.plans.createTask(
      OFFICE,
      plan.id,
      CreateTaskSchema.parse({ title: '花名册核实', phaseKey: 'improve', leadUnitId, dueAt }),
      now,
    );
    return task.duties[0] as Duty;
  };
  const village = await duty('village', '2025-09-26');
  const town = await duty('town', '2025-09-26');
  const school = await duty('school', '2025-10-20');

  const ask = (d: Duty, proposedDueAt: string) =>
    services.extensions.request(
      unitUser(d.unitId),
      d.id,
      { reason: '需等待户籍核实数据', progress: '已完成八成', proposedDueAt },
      now,
    );
  at('2025-09-10T02:00:00Z');
  const villageAsk = await ask(village, '2025-10-20');
  const townAsk = await ask(town, '2025-10-15');
  at('2025-09-11T02:00:00Z');
  await services.extensions.approve(OFFICE, village.id, villageAsk.id, {}, now);
  await services.extensions.refuse(LEADER, town.id, townAsk.id, '时间充足,请按期完成。', now);

  at('2025-09-15T02:00:00Z');
  const finding = (title: string, unitIds: string[], source: string): Promise<FindingView> =>
    services.supervision.createFinding(
      OFFICE,
      plan.id,
      CreateFindingSchema.parse({
        title,
        detail: '四不两直暗访发现',
        unitIds,
        dueAt: '2025-09-30',
        source,
        phaseKey: 'improve',
      }),
      now,
    );
  // The town leads finding A, the village is its co-unit (a co-unit's part is its own duty).
  const findingA = await finding(FINDING_A, ['town', 'village'], 'unannounced');
  const findingB = await finding(FINDING_B, ['school'], 'county-check');
  const rectification = async (f: FindingView, unitId: string) => {
    for (const id of f.dutyIds) {
      const d = await services.duties.get(OFFICE, id, now);
      if (d.unitId === unitId) return d;
    }
    throw new Error(`no rectification duty for ${unitId}`);
  };
  const done = async (d: Duty, principal: Principal, submitAt: string, acceptAt: string) => {
    at(submitAt);
    await services.duties.submit(principal, d.id, SubmitDutySchema.parse({ note: '已整改' }), now);
    at(acceptAt);
    await services.duties.accept(OFFICE, d.id, AcceptDutySchema.parse({}), now);
  };
  await done(
    await rectification(findingA, 'village'),
    unitUser('village'),
    '2025-09-25T02:00:00Z',
    '2025-09-26T02:00:00Z',
  );
  await done(
    await rectification(findingB, 'school'),
    unitUser('school'),
    '2025-09-28T02:00:00Z',
    '2025-09-29T02:00:00Z',
  );

  at('2025-10-07T02:00:00Z');
  await ask(school, '2025-10-31');
  at(CUT_OFF.toISOString());
  return { plan, findingA, findingB, duties: { village, town, school } };
}
