import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DutyRepository, SweepItem } from '../db/duty-repository.js';
import type { LevelDecision, NoticeRepository } from '../db/notice-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import { withRetry } from '../db/retry.js';
import type { SweepClaim, SweepClaimRepository } from '../db/sweep-claim-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import {
  createWorkingCalendar,
  type WorkingCalendar,
  workingDaysLate,
} from '../domain/calendar/working-calendar.js';
import { awaitingReceipt, RECEIPT_LEVEL, sweepWakeAt } from '../domain/duty/receipt.js';
import { type Addressee, levelLabel, levelsDue, type ScheduledLevel } from '../domain/escalation/ladder.js';
import { NotFoundError } from '../errors.js';
import { newId } from '../ids.js';
import { errorField, writeLog } from '../log.js';
import type { DutyRecord } from '../schemas/duties.js';
import type { Notice, SweepResult } from '../schemas/notices.js';
import type { Plan } from '../schemas/plans.js';
import { authorize } from './access.js';
import type { CaseSweeper } from './case-sweep.js';
import type { CounterService } from './counter-service.js';
import type { RecurrenceService } from './recurrence-service.js';

export interface SweepService {
  /** Writes every notice whose time has come by `now`, for one plan or all; safe to run concurrently. */
  sweep(principal: Principal, request: { planId?: string | undefined }, now: Date): Promise<SweepResult>;
}

/** The notice id is fixed by (duty, round, level): the key of the exactly-once guarantee. */
export const noticeIdFor = (dutyId: string, round: number, level: string) => `${dutyId}-r${round}-${level}`;
/** The id of the audit event recording a notice, fixed by it, so the event is written once too. */
export const escalationEventIdFor = (noticeId: string) => `escalate-${noticeId}`;

const MAX_ATTEMPTS_PER_DUTY = 6;
/**
 * How long a page's claim is its sweep's own: twice the sweep function's timeout (5 minutes), so
 * no live sweep is recovered under its feet; a sweep that stopped is finished by the first sweep
 * after that, the next one but one on the 15-minute schedule at worst.
 */
export const CLAIM_LEASE_MS = 10 * 60_000;
/** How many duties one sweep works on at once (each is a few sequential writes per level). */
export const SWEEP_CONCURRENCY = 8;

async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function sweepService(deps: {
  plans: PlanRepository;
  duties: DutyRepository;
  notices: NoticeRepository;
  claims: SweepClaimRepository;
  units: UnitRepository;
  calendars: CalendarRepository;
  recurrences: RecurrenceService;
  counters: Pick<CounterService, 'upkeep'>;
  /** 控辍保学: the cases whose escalation day has come, walked by every sweep of all plans. */
  cases?: CaseSweeper;
  onItemError?: (err: unknown, itemId: string) => void;
}): SweepService {
  const { plans, duties, notices, claims, units, calendars, recurrences, counters } = deps;
  const onItemError =
    deps.onItemError ??
    ((err: unknown, itemId: string) =>
      writeLog({ level: 'error', message: 'sweep item failed', itemId, error: errorField(err) }));

  async function allPlans(): Promise<Plan[]> {
    const found: Plan[] = [];
    let cursor: string | undefined;
    do {
      const page = await plans.list({ limit: 100, cursor });
      found.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return found;
  }

  return {
    async sweep(principal, request, now) {
      authorize(principal, 'sweep.run');
      const nowIso = now.toISOString();
      const calendar = createWorkingCalendar(await calendars.list());
      const targets = request.planId === undefined ? await allPlans() : [await mustGetPlan(request.planId)];
      const parents = new Map<string, string | null>();
      const result: SweepResult = {
        asOf: nowIso,
        plans: targets.length,
        examined: 0,
        written: 0,
        alreadyWritten: 0,
        occurrencesCreated: 0,
        failed: 0,
        itemsRead: 0,
        casesExamined: 0,
        casesErased: 0,
        calendarFallbackYears: [],
      };

      async function parentOf(unitId: string): Promise<string | null> {
        const cached = parents.get(unitId);
        if (cached !== undefined) return cached;
        const parent = (await units.get(unitId))?.parentId ?? null;
        parents.set(unitId, parent);
        return parent;
      }

      async function recipientsFor(duty: DutyRecord, addressees: readonly Addressee[]): Promise<string[]> {
        // The duty's own unit always sees notices about its duty, whoever else they go to.
        const recipients = new Set<string>([`unit:${duty.unitId}`]);
        for (const a of addressees) {
          if (a === 'leaders') recipients.add('role:leaders');
          else if (a === 'office') recipients.add('role:office');
          else if (a === 'parent') {
            const parent = await parentOf(duty.unitId);
            // A unit at the top of the tree has no parent; its escalation still reaches the leaders
            // and the office through their own levels.
            if (parent !== null) recipients.add(`unit:${parent}`);
          }
        }
        return [...recipients];
      }

      async function sweepDuty(plan: Plan, first: DutyRecord, cal: WorkingCalendar) {
        let duty: DutyRecord | undefined = first;
        for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_DUTY && duty !== undefined; attempt++) {
          // A new round's notices are not in this page's claim: the next sweep writes them.
          if (duty.status !== 'open' || duty.round !== first.round) return;
          duty = await sweepReceipt(plan, duty, cal);
          const round = { dueAt: new Date(duty.dueAt), startedAt: new Date(duty.roundStartedAt) };
          const { due, next } = levelsDue(
            duty.escalation,
            duty.nextLevelIndex,
            round,
            now,
            plan.timezone,
            cal,
          );
          if (due.length === 0) {
            // Woken with nothing due: the wake-up was a 签收 deadline that a signature (or the
            // notice) made moot; the duty's key goes back to its ladder.
            if (attempt === 0) await withRetry(() => duties.resweep(duty as DutyRecord));
            return;
          }
          // Every level due now (several after an outage), then one ladder step past them all.
          const levels: LevelDecision[] = [];
          let fromIndex = duty.nextLevelIndex;
          let lastLevel = duty.lastNoticeLevel;
          for (const [i, scheduled] of due.entries()) {
            const following: ScheduledLevel | null = due[i + 1] ?? next;
            const notice = await buildNotice(plan, duty, scheduled, cal);
            const nextActionAt = following === null ? null : following.fireAt.toISOString();
            // An unsigned 签收 whose deadline comes first keeps the duty's wake-up there.
            const wake = sweepWakeAt({ ...duty, nextActionAt });
            const ladder = {
              fromIndex,
              toIndex: scheduled.index + 1,
              nextActionAt,
              ...(wake === nextActionAt ? {} : { sweepAt: wake }),
            };
            const audit = auditEvent(
              principal,
              'duty.escalate',
              { type: 'duty', id: duty.id, planId: plan.id },
              {
                before: { nextLevelIndex: fromIndex, lastNoticeLevel: lastLevel },
                after: {
                  nextLevelIndex: ladder.toIndex,
                  lastNoticeLevel: notice.level,
                  nextActionAt: ladder.nextActionAt,
                  noticeId: notice.id,
                  recipients: notice.recipients,
                },
              },
              now,
              { id: escalationEventIdFor(notice.id) },
            );
            levels.push({ notice, ladder, audit });
            fromIndex = ladder.toIndex;
            lastLevel = notice.level;
          }
          // Each write is retried on its own while the table throttles; an error left over fails
          // this duty for this run only (everything written is idempotent, so the next run goes on).
          const outcome = await notices.writeLevels(levels);
          result.written += outcome.created;
          result.alreadyWritten += outcome.existed;
          if (outcome.advanced) return;
          // Someone else moved this duty on (a concurrent sweep, a submit): start from what is stored.
          duty = await withRetry(() => duties.get(first.id));
        }
      }

      /**
       * 签收: a duty still unsigned after its deadline gets one `receipt` notice (to its unit and the
       * office), written like the ladder's on a fixed id, then marked on the duty. Returns the duty
       * as it then stands.
       */
      async function sweepReceipt(plan: Plan, duty: DutyRecord, cal: WorkingCalendar): Promise<DutyRecord> {
        const receipt = duty.receipt;
        if (!awaitingReceipt(duty) || receipt === null || duty.receiptNoticedAt !== null) return duty;
        if (receipt.dueAt > nowIso) return duty;
        const own = cal.view();
        const id = noticeIdFor(duty.id, receipt.round, RECEIPT_LEVEL);
        const addressees: Addressee[] = ['unit', 'office'];
        const notice: Notice = {
          id,
          planId: plan.id,
          taskId: duty.taskId,
          dutyId: duty.id,
          unitId: duty.unitId,
          dutyTitle: duty.title,
          round: receipt.round,
          level: RECEIPT_LEVEL,
          levelLabel: levelLabel(RECEIPT_LEVEL),
          offsetWorkingDays: 0,
          addressees,
          recipients: await recipientsFor(duty, addressees),
          dueAt: duty.dueAt,
          scheduledAt: receipt.dueAt,
          createdAt: nowIso,
          workingDaysLate: workingDaysLate(new Date(receipt.dueAt), now, plan.timezone, own),
          calendarFallback: own.fallbackYearsUsed().length > 0,
          acks: {},
        };
        const audit = auditEvent(
          principal,
          'duty.receipt-overdue',
          { type: 'duty', id: duty.id, planId: plan.id },
          { before: { receiptNoticedAt: null }, after: { noticeId: id, recipients: notice.recipients } },
          now,
          { id: escalationEventIdFor(id) },
        );
        if (await notices.writeNotice({ notice, audit })) result.written++;
        else result.alreadyWritten++;
        await notices.markReceiptNoticed(duty.id, receipt.round, nowIso);
        return { ...duty, receiptNoticedAt: nowIso };
      }

      /**
       * One page of the sweep index. Its duties' notices are claimed first, so that a crash
       * half-way is finished by a later sweep even for a duty that leaves the index meanwhile; the
       * claim is released once every duty of the page went through.
       */
      async function sweepPage(plan: Plan, page: readonly SweepItem[]) {
        const dutiesOfPage = page.flatMap((item) => (item.entity === 'Duty' ? [item.duty] : []));
        const claim: SweepClaim | undefined =
          dutiesOfPage.length === 0
            ? undefined
            : {
                id: newId('claim', now),
                planId: plan.id,
                noticeIds: dutiesOfPage.flatMap((d) =>
                  d.escalation.slice(d.nextLevelIndex).map((l) => noticeIdFor(d.id, d.round, l.level)),
                ),
                leaseUntil: new Date(now.getTime() + CLAIM_LEASE_MS).toISOString(),
              };
        if (claim !== undefined) {
          try {
            await withRetry(() => claims.put(claim));
          } catch (err) {
            // Nothing of the page is written without its claim; it all stays for the next run.
            result.failed += page.length;
            onItemError(err, claim.id);
            return;
          }
        }
        let dutyFailed = false;
        // Duties are independent: their notices are written side by side, a bounded number at a
        // time, so a sweep's time follows the slowest write, not the sum of them.
        await forEachLimit(page, SWEEP_CONCURRENCY, async (item) => {
          // One duty's failure must not stop the others: it stays in the index, so the next run
          // takes it up again; the count makes the run fail loudly (alarm, retry, DLQ).
          // Each item gets its own view of the calendar; the sweep's calendar still sums up
          // every year any of them fell back for.
          const cal = calendar.view();
          try {
            if (item.entity === 'Task') {
              // Awaited first, then added: `total += await …` would read the total before the
              // wait and drop what the other items added meanwhile.
              const created = await recurrences.topUp(plan, item.task, now, cal);
              result.occurrencesCreated += created;
            } else {
              result.examined++;
              await sweepDuty(plan, item.duty, cal);
            }
          } catch (err) {
            if (item.entity === 'Duty') dutyFailed = true;
            result.failed++;
            onItemError(err, item.entity === 'Task' ? item.task.id : item.duty.id);
          }
        });
        // A duty that failed may have left a notice half-written: its claim stays until the lease
        // runs out, and the sweep after that finishes it.
        if (claim === undefined || dutyFailed) return;
        try {
          await withRetry(() => claims.release(claim));
        } catch (err) {
          result.failed++;
          onItemError(err, claim.id);
        }
      }

      async function buildNotice(
        plan: Plan,
        duty: DutyRecord,
        scheduled: ScheduledLevel,
        cal: WorkingCalendar,
      ): Promise<Notice> {
        const dueAt = new Date(duty.dueAt);
        // This notice's own view: what other duties, swept side by side, ask the calendar meanwhile
        // must not mark it.
        const own = cal.view();
        const late = workingDaysLate(dueAt, now, plan.timezone, own);
        return {
          id: noticeIdFor(duty.id, duty.round, scheduled.level.level),
          planId: plan.id,
          taskId: duty.taskId,
          dutyId: duty.id,
          unitId: duty.unitId,
          dutyTitle: duty.title,
          round: duty.round,
          level: scheduled.level.level,
          levelLabel: levelLabel(scheduled.level.level),
          offsetWorkingDays: scheduled.level.offsetWorkingDays,
          addressees: scheduled.level.addressees,
          recipients: await recipientsFor(duty, scheduled.level.addressees),
          dueAt: duty.dueAt,
          scheduledAt: scheduled.fireAt.toISOString(),
          createdAt: nowIso,
          workingDaysLate: late,
          calendarFallback:
            own.fallbackYearsUsed().length > 0 || yearsFellBack(own, dueAt, now, plan.timezone),
          acks: {},
        };
      }

      for (const plan of targets) {
        // A creation whose request died before applying its counter deltas is finished here, and
        // a plan stored before counters existed gets its first recount.
        try {
          await counters.upkeep(principal, plan.id, now);
        } catch (err) {
          result.failed++;
          onItemError(err, plan.id);
        }
        // First what a sweep that stopped half-way left: usually one Query that finds nothing.
        for await (const page of claims.expired(plan.id, nowIso)) {
          result.itemsRead += page.length;
          for (const claim of page) {
            try {
              result.alreadyWritten += await notices.finishStored(claim.noticeIds);
              await withRetry(() => claims.release(claim));
            } catch (err) {
              result.failed++;
              onItemError(err, claim.id);
            }
          }
        }
        for await (const page of duties.dueForSweep(plan.id, nowIso)) {
          result.itemsRead += page.length;
          await sweepPage(plan, page);
        }
      }
      // Units stored before pattern U3 (下级单位) get its keys once; later sweeps find the marker.
      if (request.planId === undefined) {
        try {
          await units.keyBelow(nowIso);
        } catch (err) {
          result.failed++;
          onItemError(err, 'units-below');
        }
      }
      // Cases belong to no plan: a sweep of every plan walks them too, a sweep of one plan does not.
      if (request.planId === undefined && deps.cases !== undefined) {
        const cases = await deps.cases.sweep(principal, now, calendar, onItemError);
        result.casesExamined += cases.examined;
        result.itemsRead += cases.itemsRead;
        result.written += cases.written;
        result.alreadyWritten += cases.alreadyWritten;
        result.failed += cases.failed;
        result.casesErased += cases.erased;
      }
      result.calendarFallbackYears = calendar.fallbackYearsUsed();
      return result;
    },
  };

  async function mustGetPlan(id: string): Promise<Plan> {
    const plan = await plans.get(id);
    if (plan === undefined) throw new NotFoundError('工作方案', id);
    return plan;
  }
}

function yearsFellBack(cal: WorkingCalendar, from: Date, to: Date, timeZone: string): boolean {
  const first = Number(from.toLocaleString('en-CA', { timeZone, year: 'numeric' }));
  const last = Number(to.toLocaleString('en-CA', { timeZone, year: 'numeric' }));
  for (let y = Math.min(first, last); y <= Math.max(first, last); y++) {
    if (cal.sourceOf(y) === 'weekdays') return true;
  }
  return false;
}
