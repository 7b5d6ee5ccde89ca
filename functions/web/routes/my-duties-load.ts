import type { Principal } from '../../../shared/auth/principal.js';
import { decide, recipientOf } from '../../../shared/domain/access/policy.js';
import type { WorkingCalendar } from '../../../shared/domain/calendar/working-calendar.js';
import type { DutyStatus } from '../../../shared/domain/duty/duty-status.js';
import { periodRefusal } from '../../../shared/domain/duty/occurrence-period.js';
import { localDateOf } from '../../../shared/domain/time/zoned-time.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { ExtensionRequest } from '../../../shared/schemas/extensions.js';
import type { Notice } from '../../../shared/schemas/notices.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import { DEFAULT_TIMEZONE } from '../../../shared/schemas/plans.js';
import type { Task } from '../../../shared/schemas/tasks.js';
import type { Unit } from '../../../shared/schemas/units.js';
import type { AppDeps } from '../../api/deps.js';
import { collect } from '../collect.js';
import { planDirectory, unitDirectory, workingCalendar } from '../context.js';
import { ancestorsIn, descendantsIn } from '../duty-parts.js';

/** Overdue first (longest overdue on top), then by due time. */
const byUrgency = (a: Duty, b: Duty) =>
  Number(b.overdue) - Number(a.overdue) || a.dueAt.localeCompare(b.dueAt);

/** What the unit's inbox (我的任务) shows, read through the services as the signed-in unit. */
export interface Inbox {
  unitId: string;
  now: Date;
  plans: Map<string, Plan>;
  units: Map<string, Unit>;
  /** Open duties, most urgent first. */
  duties: Duty[];
  openTruncated: boolean;
  submitted: Duty[];
  notices: Notice[];
  /** The principal's key in a notice's acknowledgements. */
  me: string;
  calendar: WorkingCalendar;
  /** The unit has units below it, so it has submissions to confirm. */
  hasBelow: boolean;
}

/** The plan's time zone, or the default one for a plan the reader cannot see. */
export const timeZoneOf = (plans: Map<string, Plan>, planId: string): string =>
  plans.get(planId)?.timezone ?? DEFAULT_TIMEZONE;

export async function loadInbox(deps: AppDeps, p: Principal, unitId: string): Promise<Inbox> {
  const now = deps.clock();
  const plans = await planDirectory(deps, p);
  // Per plan: the unit listing filters by status only within a plan (its key is plan, then status).
  const mine = async (status: DutyStatus, max: number) => {
    const found = await Promise.all(
      [...plans.keys()].map((planId) =>
        collect((page) => deps.duties.listForUnit(p, unitId, { planId, status }, page, now), max),
      ),
    );
    return { items: found.flatMap((f) => f.items), truncated: found.some((f) => f.truncated) };
  };
  const [open, submitted, notices, units] = await Promise.all([
    mine('open', 500),
    mine('submitted', 200),
    deps.notices.list(p, {}, { limit: 50 }),
    unitDirectory(deps, p),
  ]);
  const duties = [...open.items].sort(byUrgency);
  const late = duties.filter((d) => d.overdue);
  const yearOf = (instant: Date, tz: string) => Number(localDateOf(instant, tz).slice(0, 4));
  const calendar = await workingCalendar(deps, p, [
    ...[...plans.values()].map((plan) => yearOf(now, plan.timezone)),
    ...late.map((d) => yearOf(new Date(d.dueAt), timeZoneOf(plans, d.planId))),
  ]);
  return {
    unitId,
    now,
    plans,
    units,
    duties,
    openTruncated: open.truncated,
    submitted: submitted.items,
    notices: notices.items,
    me: recipientOf(p),
    calendar,
    hasBelow: descendantsIn(units, unitId).length > 0,
  };
}

/** One duty's page: the duty, what surrounds it, and which forms the policy lets the reader use. */
export interface DutyPageData {
  duty: Duty;
  now: Date;
  plan: Plan | undefined;
  timeZone: string;
  units: Map<string, Unit>;
  task: Task | undefined;
  requests: ExtensionRequest[];
  calendar: WorkingCalendar;
  canSubmit: boolean;
  /** Why an occurrence cannot be submitted yet (its period has not opened), in words; else null. */
  notYetOpen: string | null;
  canReview: boolean;
  canConfirm: boolean;
  /** May file extension requests for this duty at all. */
  mayRequest: boolean;
  /** May file one now: open, not yet due, none pending. */
  canRequest: boolean;
  /** May decide the pending extension request. */
  canDecideExtension: boolean;
}

export async function loadDutyPage(deps: AppDeps, p: Principal, dutyId: string): Promise<DutyPageData> {
  const now = deps.clock();
  const duty = await deps.duties.get(p, dutyId, now);
  // The duty names its plan and task: read those two by id, never a listing to search.
  const [plan, units, task, requests] = await Promise.all([
    deps.plans.get(p, duty.planId),
    unitDirectory(deps, p),
    deps.plans.getTask(p, duty.planId, duty.taskId),
    deps.extensions.list(p, duty.id),
  ]);
  const timeZone = plan.timezone;
  const owner = { ownerUnitId: duty.unitId };
  const mayRequest = decide(p, 'extension.request', owner).allowed;
  const calendar = await workingCalendar(
    deps,
    p,
    [now, new Date(duty.dueAt)].map((d) => Number(localDateOf(d, timeZone).slice(0, 4))),
  );
  const notYetOpen = duty.status === 'open' && duty.period ? periodRefusal(duty.period, now, timeZone) : null;
  return {
    duty,
    now,
    plan,
    timeZone,
    units,
    task,
    requests,
    calendar,
    canSubmit: duty.status === 'open' && notYetOpen === null && decide(p, 'duty.submit', owner).allowed,
    notYetOpen,
    canReview: duty.status === 'submitted' && decide(p, 'duty.review', owner).allowed,
    // A sign-off level sees the two forms only on its turn; the service checks the same again.
    canConfirm:
      duty.status === 'submitted' &&
      p.unitId !== undefined &&
      duty.awaitingConfirmationFrom === p.unitId &&
      decide(p, 'duty.confirm', { ...owner, ownerAncestors: ancestorsIn(units, duty.unitId) }).allowed,
    mayRequest,
    // 延期申请: before the due time, while open, one pending request at a time.
    canRequest: mayRequest && duty.status === 'open' && !duty.overdue && duty.pendingExtensionId === null,
    canDecideExtension: decide(p, 'extension.decide').allowed,
  };
}
