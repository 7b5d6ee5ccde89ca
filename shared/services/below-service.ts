/**
 * 下级任务: what a unit with units below it (a township over its villages and schools) sees of
 * their duties in a plan, like a small overview. Read as the plan view reads the county: the
 * counter items (K1) of the units below, by key, for the figures by status; their open duties (D2,
 * one Query per unit below, status open in the key, projected to the light's fields) for the lights
 * and what is overdue. Never every duty: accepted and submitted work is counted, not read.
 */
import type { Principal } from '../auth/principal.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { CounterRepository } from '../db/counter-repository.js';
import type { DutyRepository, OpenLightTally } from '../db/duty-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar } from '../domain/calendar/working-calendar.js';
import { lightSettingsOf } from '../domain/duty/light.js';
import {
  compareByLight,
  emptyLightCounts,
  lightCountsByUnit,
  lightOfCounts,
} from '../domain/duty/light-counts.js';
import { applyDeltas, countsMap } from '../domain/plan/counters.js';
import { progressFromCounts } from '../domain/plan/progress.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { BelowSummary } from '../schemas/below.js';
import type { Unit } from '../schemas/units.js';
import { authorize } from './access.js';
import { ownerContext } from './unit-tree.js';

export interface BelowService {
  /**
   * The units directly below `unitId`, for a reader allowed to see them (the unit itself, a unit
   * above it, the office, leaders); a unit with none below is a 403, an unknown one a 404.
   */
  unitsBelow(principal: Principal, unitId: string): Promise<Unit[]>;
  /** Per unit below `unitId`: its duties in the plan by status and its open duties by light. */
  summary(principal: Principal, unitId: string, planId: string, now: Date): Promise<BelowSummary>;
}

export function belowService(deps: {
  units: UnitRepository;
  plans: PlanRepository;
  duties: DutyRepository;
  counters: CounterRepository;
  calendars: CalendarRepository;
}): BelowService {
  const { units, plans, duties, counters, calendars } = deps;

  async function unitsBelow(principal: Principal, unitId: string): Promise<Unit[]> {
    authorize(principal, 'below.read', await ownerContext(units, principal, unitId));
    const below = await units.below(unitId);
    if (below.length > 0) return below;
    if ((await units.get(unitId)) === undefined) throw new NotFoundError('单位', unitId);
    throw new ForbiddenError('本单位没有下级单位,没有下级任务可查看');
  }

  async function openDuties(unitId: string, planId: string): Promise<OpenLightTally[]> {
    const found: OpenLightTally[] = [];
    for await (const page of duties.openLightTallies(unitId, planId)) found.push(...page);
    return found;
  }

  return {
    unitsBelow,

    async summary(principal, unitId, planId, now) {
      const [below, found, overrides] = await Promise.all([
        unitsBelow(principal, unitId),
        plans.getWithPending(planId),
        calendars.list(),
      ]);
      if (found === undefined) throw new NotFoundError('工作方案', planId);
      const { plan, pending } = found;
      const ids = below.map((u) => u.id);
      const mine = new Set(ids);
      const phaseKeys = plan.phases.map((p) => p.key);
      const [cells, open] = await Promise.all([
        counters.readCells(planId, ids, phaseKeys),
        Promise.all(ids.map((id) => openDuties(id, planId))).then((lists) => lists.flat()),
      ]);
      // A creation's deltas parked on the plan are counted as the plan view counts them.
      const counts = applyDeltas(
        countsMap(cells),
        pending.flatMap((p) => p.deltas).filter((d) => mine.has(d.unitId)),
      );
      const nowIso = now.toISOString();
      const progress = progressFromCounts(
        phaseKeys,
        counts.values(),
        open.filter((d) => d.dueAt < nowIso),
      );
      const lights = lightCountsByUnit(open, now, lightSettingsOf(plan, createWorkingCalendar(overrides)));
      const rows = below.map((u) => {
        const unitLights = lights.byUnit.get(u.id) ?? emptyLightCounts();
        return {
          unitId: u.id,
          name: u.name,
          kind: u.kind,
          light: lightOfCounts(unitLights),
          lights: unitLights,
          counts: progress.byUnit[u.id] ?? { open: 0, submitted: 0, accepted: 0, overdue: 0, total: 0 },
        };
      });
      rows.sort((a, b) => compareByLight(a.lights, b.lights) || a.name.localeCompare(b.name, 'zh-CN'));
      return {
        unitId,
        planId,
        asOf: nowIso,
        units: rows,
        all: { counts: progress.all, lights: lights.all },
        source: { unitsBelow: below.length, cells: cells.length, openDuties: open.length },
      };
    },
  };
}
