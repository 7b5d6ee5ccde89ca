import type { Context } from 'hono';
import type { Principal } from '../../shared/auth/principal.js';
import { decide } from '../../shared/domain/access/policy.js';
import {
  createWorkingCalendar,
  type WorkingCalendar,
  type YearCalendar,
} from '../../shared/domain/calendar/working-calendar.js';
import { localDateOf } from '../../shared/domain/time/zoned-time.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Unit } from '../../shared/schemas/units.js';
import type { AppDeps } from '../api/deps.js';
import { collect } from './collect.js';
import { type Chrome, flashFrom } from './layout.js';
import type { WebEnv } from './session.js';

export type WebContext = Context<WebEnv>;

const ID = /^[a-z0-9-]{1,140}$/;

/** A path id, checked like the API checks it; a malformed one is simply not found. */
export function pathId(c: WebContext, name: string, what: string): string {
  const id = c.req.param(name) ?? '';
  if (!ID.test(id)) throw new NotFoundError(what, id);
  return id;
}

/** The page frame for the signed-in principal; a unit's clerk sees the unit's name. */
export function chromeOf(c: WebContext, extra: Partial<Chrome> = {}): Chrome {
  const principal = c.get('principal');
  // The session check read the signed-in unit already (and refused the request were it gone).
  const who = c.get('unit')?.name ?? principal.unitId;
  // The menu's badges are read while the page loads, from counters (a few reads, whatever the plan).
  const planId = extra.planId;
  // A page that says `counts` itself (even undefined) starts no read here.
  const counts =
    planId === undefined || 'counts' in extra
      ? undefined
      : c
          .get('menuCounts')?.(planId)
          .catch(() => ({}));
  // A unit's menu shows 下级任务 and 下级确认 only when units sit below it: its own record says so.
  const unitsBelow = c.get('unit')?.hasUnitsBelow === true;
  return { principal, csrfToken: c.get('csrfToken'), who, flash: flashFrom(c), counts, unitsBelow, ...extra };
}

/** A directory read a page at a time: a county's units fit in one or two. */
const DIRECTORY_PAGE = 1000;

/**
 * The whole unit directory by id, through the unit service: every page of it, never a silent cut
 * (unit pickers and the tree need every unit). It grows with the county's units, not with plans
 * or duties.
 */
export async function unitDirectory(deps: AppDeps, principal: Principal): Promise<Map<string, Unit>> {
  const { items } = await collect(
    (page) => deps.units.list(principal, page),
    Number.POSITIVE_INFINITY,
    DIRECTORY_PAGE,
  );
  return new Map(items.map((u) => [u.id, u]));
}

/** The newest plan's id, for the tabs of a page that is not about one plan (one item read). */
export async function newestPlanId(deps: AppDeps, principal: Principal): Promise<string | undefined> {
  return (await deps.plans.list(principal, { limit: 1 })).items[0]?.id;
}

/**
 * What a plan's page for those who read every duty (the office, leaders) starts from: anyone else
 * is refused with `refusal`; then the plan, the unit directory and the page's own `more`, read
 * together.
 */
export async function planForReaders<T>(
  deps: AppDeps,
  principal: Principal,
  planId: string,
  refusal: string,
  more: () => Promise<T>,
): Promise<{ plan: Plan; units: Map<string, Unit>; more: T }> {
  if (!decide(principal, 'duty.read').allowed) throw new ForbiddenError(refusal);
  const [plan, units, extra] = await Promise.all([
    deps.plans.get(principal, planId),
    unitDirectory(deps, principal),
    more(),
  ]);
  return { plan, units, more: extra };
}

/** The working calendar in force for the given years, read through the calendar service. */
export async function workingCalendar(
  deps: AppDeps,
  principal: Principal,
  years: Iterable<number>,
): Promise<WorkingCalendar> {
  const overrides: YearCalendar[] = [];
  for (const year of new Set(years)) {
    const view = await deps.calendar.get(principal, year);
    if (view.source === 'override') {
      overrides.push({ year: view.year, holidays: view.holidays, workdays: view.workdays });
    }
  }
  return createWorkingCalendar(overrides);
}

/**
 * The calendar the lights need: the years of today and of each duty's round start and due date
 * (a handful, one calendar read each).
 */
export function lightCalendar(
  deps: AppDeps,
  principal: Principal,
  timeZone: string,
  now: Date,
  duties: Iterable<{ dueAt: string; roundStartedAt: string }>,
): Promise<WorkingCalendar> {
  const years = [Number(localDateOf(now, timeZone).slice(0, 4))];
  for (const d of duties) {
    for (const at of [d.dueAt, d.roundStartedAt])
      years.push(Number(localDateOf(new Date(at), timeZone).slice(0, 4)));
  }
  return workingCalendar(deps, principal, years);
}
