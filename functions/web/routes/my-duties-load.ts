import type { Principal } from '../../../shared/auth/principal.js';
import { decide, recipientOf } from '../../../shared/domain/access/policy.js';
import type { WorkingCalendar } from '../../../shared/domain/calendar/working-calendar.js';
import { periodRefusal } from '../../../shared/domain/duty/occurrence-period.js';
import { awaitingReceipt } from '../../../shared/domain/duty/receipt.js';
import { localDateOf } from '../../../shared/domain/time/zoned-time.js';
import type { Delivery } from '../../../shared/schemas/channels.js';
import type { Duty } from '../../../shared/schemas/duties.js';
import type { ExtensionRequest } from '../../../shared/schemas/extensions.js';
import type { Notice } from '../../../shared/schemas/notices.js';
import type { Plan } from '../../../shared/schemas/plans.js';
import { DEFAULT_TIMEZONE } from '../../../shared/schemas/plans.js';
import type { Task } from '../../../shared/schemas/tasks.js';
import type { Unit } from '../../../shared/schemas/units.js';
import type { DutyPartner } from '../../../shared/services/duty-service.js';
import type { AppDeps } from '../../api/deps.js';
import { MAX_ROWS } from '../collect.js';
import { newestPlanId, unitDirectory, workingCalendar } from '../context.js';
import { ancestorsIn, descendantsIn } from '../duty-parts.js';

/** Overdue first (longest overdue on top), then by due time. */
const byUrgency = (a: Duty, b: Duty) =>
  Number(b.overdue) - Number(a.overdue) || a.dueAt.localeCompare(b.dueAt);

/** The inbox shows at most this many open duties (the most urgent) and submitted ones. */
const OPEN_SHOWN = 500;
const SUBMITTED_SHOWN = 200;

/** What the unit's inbox (我的任务) shows, read through the services as the signed-in unit. */
export interface Inbox {
  unitId: string;
  now: Date;
  /** The plans of the duties and notices shown, by id (titles and time zones). */
  plans: Map<string, Plan>;
  /** The newest plan, for the page's tabs. */
  navPlanId: string | undefined;
  units: Map<string, Unit>;
  /** Open duties, most urgent first. */
  duties: Duty[];
  openTruncated: boolean;
  submitted: Duty[];
  notices: Notice[];
  /** Each shown notice's deliveries to the channels (已推送 / 失败 and why), by notice id. */
  deliveries: Map<string, Delivery[]>;
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
  // The unit's open and submitted duties in every plan, in one Query (D2 across plans): the reads
  // grow with the unit's own duties, not with the number of plans.
  const [mine, notices, units, navPlanId] = await Promise.all([
    deps.duties.listForUnitAcrossPlans(p, unitId, ['open', 'submitted'], MAX_ROWS, now),
    deps.notices.list(p, {}, { limit: 50 }),
    unitDirectory(deps, p),
    newestPlanId(deps, p),
  ]);
  const open = mine.items.filter((d) => d.status === 'open').sort(byUrgency);
  const submitted = mine.items.filter((d) => d.status === 'submitted');
  // Titles and time zones of the plans shown, read together by id.
  const [plans, deliveries] = await Promise.all([
    deps.plans.getMany(p, [
      ...new Set([
        ...mine.items.map((d) => d.planId),
        // A 控辍保学 notice belongs to no plan.
        ...notices.items.flatMap((n) => (n.planId === '' ? [] : [n.planId])),
      ]),
    ]),
    deps.channels.deliveriesFor(p, notices.items),
  ]);
  const duties = open.slice(0, OPEN_SHOWN);
  const yearOf = (instant: Date, tz: string) => Number(localDateOf(instant, tz).slice(0, 4));
  const calendar = await workingCalendar(deps, p, [
    yearOf(now, DEFAULT_TIMEZONE),
    ...[...plans.values()].map((plan) => yearOf(now, plan.timezone)),
    // The lights count working days from each shown duty's round start to its due date.
    ...duties.flatMap((d) =>
      [d.dueAt, d.roundStartedAt].map((at) => yearOf(new Date(at), timeZoneOf(plans, d.planId))),
    ),
  ]);
  return {
    unitId,
    now,
    plans,
    navPlanId,
    units,
    duties,
    openTruncated: mine.truncated || open.length > duties.length,
    submitted: submitted.slice(0, SUBMITTED_SHOWN),
    notices: notices.items,
    deliveries,
    me: recipientOf(p),
    calendar,
    hasBelow: descendantsIn(units, unitId).length > 0,
  };
}

/** 已办结 shows at most this many accepted duties, the most recently accepted first. */
const DONE_SHOWN = 200;

/** The unit's accepted duties (已办结), in one Query across plans (D2), with their plans' titles. */
export async function loadDone(deps: AppDeps, p: Principal, unitId: string) {
  const now = deps.clock();
  const [done, navPlanId] = await Promise.all([
    deps.duties.listForUnitAcrossPlans(p, unitId, ['accepted'], DONE_SHOWN, now),
    newestPlanId(deps, p),
  ]);
  const acceptedAt = (d: Duty) => d.reviews.at(-1)?.at ?? d.updatedAt;
  const duties = [...done.items].sort((a, b) => acceptedAt(b).localeCompare(acceptedAt(a)));
  const plans = await deps.plans.getMany(p, [...new Set(duties.map((d) => d.planId))]);
  return { now, plans, duties, truncated: done.truncated, navPlanId };
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
  /** The lead's co-units, or a co-unit's lead, with what each reported. */
  partners: DutyPartner[];
  calendar: WorkingCalendar;
  canSubmit: boolean;
  /** Why an occurrence cannot be submitted yet (its period has not opened), in words; else null. */
  notYetOpen: string | null;
  canReview: boolean;
  canConfirm: boolean;
  /** 签收: the duty waits for the reader's own unit to sign. */
  canReceive: boolean;
  /** 催办: the duty is overdue and the reader is the office or a unit above. */
  canRemind: boolean;
  /** May file extension requests for this duty at all. */
  mayRequest: boolean;
  /** May file one now: open, not yet due, none pending. */
  canRequest: boolean;
  /** May decide the pending extension request. */
  canDecideExtension: boolean;
  /** May report progress (序时进度) on this duty while it is open. */
  mayReportProgress: boolean;
}

export async function loadDutyPage(deps: AppDeps, p: Principal, dutyId: string): Promise<DutyPageData> {
  const now = deps.clock();
  const duty = await deps.duties.get(p, dutyId, now);
  // The duty names its plan and task: read those two by id, never a listing to search.
  const [plan, units, task, requests, partners] = await Promise.all([
    deps.plans.get(p, duty.planId),
    unitDirectory(deps, p),
    deps.plans.getTask(p, duty.planId, duty.taskId),
    deps.extensions.list(p, duty.id),
    deps.duties.partners(p, duty, now),
  ]);
  const timeZone = plan.timezone;
  const owner = { ownerUnitId: duty.unitId };
  const mayRequest = decide(p, 'extension.request', owner).allowed;
  const calendar = await workingCalendar(
    deps,
    p,
    [now, new Date(duty.dueAt), new Date(duty.roundStartedAt)].map((d) =>
      Number(localDateOf(d, timeZone).slice(0, 4)),
    ),
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
    partners,
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
    mayReportProgress: duty.status === 'open' && decide(p, 'duty.submit', owner).allowed,
    canReceive: awaitingReceipt(duty) && decide(p, 'duty.receive', owner).allowed,
    canRemind:
      duty.status === 'open' &&
      duty.overdue &&
      decide(p, 'duty.remind', { ...owner, ownerAncestors: ancestorsIn(units, duty.unitId) }).allowed,
  };
}
