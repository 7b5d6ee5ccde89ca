import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { NoticeRepository } from '../db/notice-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import { withRetry } from '../db/retry.js';
import type { UnitRepository } from '../db/unit-repository.js';
import {
  createWorkingCalendar,
  type WorkingCalendar,
  workingDaysLate,
} from '../domain/calendar/working-calendar.js';
import { type Addressee, levelLabel, levelsDue, type ScheduledLevel } from '../domain/escalation/ladder.js';
import { NotFoundError } from '../errors.js';
import { errorField, writeLog } from '../log.js';
import type { DutyRecord } from '../schemas/duties.js';
import type { Notice, SweepResult } from '../schemas/notices.js';
import type { Plan } from '../schemas/plans.js';
import { authorize } from './access.js';
import type { CounterService } from './counter-service.js';
import type { RecurrenceService } from './recurrence-service.js';

export interface SweepService {
  /** Writes every notice whose time has come by `now`, for one plan or all; safe to run concurrently. */
  sweep(principal: Principal, request: { planId?: string | undefined }, now: Date): Promise<SweepResult>;
}

/** The notice id is fixed by (duty, round, level): the key of the exactly-once guarantee. */
export const noticeIdFor = (dutyId: string, round: number, level: string) => `${dutyId}-r${round}-${level}`;

const MAX_ATTEMPTS_PER_DUTY = 6;
/** How many duties one sweep works on at once (each is a few sequential transactions). */
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
  units: UnitRepository;
  calendars: CalendarRepository;
  recurrences: RecurrenceService;
  counters: Pick<CounterService, 'upkeep'>;
  onItemError?: (err: unknown, itemId: string) => void;
}): SweepService {
  const { plans, duties, notices, units, calendars, recurrences, counters } = deps;
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
          if (duty.status !== 'open') return;
          const round = { dueAt: new Date(duty.dueAt), startedAt: new Date(duty.roundStartedAt) };
          const { due, next } = levelsDue(
            duty.escalation,
            duty.nextLevelIndex,
            round,
            now,
            plan.timezone,
            cal,
          );
          if (due.length === 0) return;
          let interrupted = false;
          let fromIndex = duty.nextLevelIndex;
          let lastLevel = duty.lastNoticeLevel;
          for (const [i, scheduled] of due.entries()) {
            const following: ScheduledLevel | null = due[i + 1] ?? next;
            const notice = await buildNotice(plan, duty, scheduled, cal);
            const advance = {
              planId: plan.id,
              dutyId: duty.id,
              round: duty.round,
              fromIndex,
              toIndex: scheduled.index + 1,
              nextActionAt: following === null ? null : following.fireAt.toISOString(),
            };
            const audit = auditEvent(
              principal,
              'duty.escalate',
              { type: 'duty', id: duty.id, planId: plan.id },
              {
                before: { nextLevelIndex: fromIndex, lastNoticeLevel: lastLevel },
                after: {
                  nextLevelIndex: advance.toIndex,
                  lastNoticeLevel: notice.level,
                  nextActionAt: advance.nextActionAt,
                  noticeId: notice.id,
                  recipients: notice.recipients,
                },
              },
              now,
            );
            const outcome = await withRetry(() => notices.writeLevel(notice, advance, audit));
            if (outcome === 'written') {
              result.written++;
              fromIndex = scheduled.index + 1;
              lastLevel = notice.level;
              continue;
            }
            if (outcome === 'exists') result.alreadyWritten++;
            if (outcome === 'conflict') await new Promise((r) => setTimeout(r, 10 + Math.random() * 40));
            // Someone else moved this duty on (a concurrent sweep, a submit): start from what is stored.
            interrupted = true;
            break;
          }
          if (!interrupted) return;
          duty = await withRetry(() => duties.get(first.id));
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
        for await (const page of duties.dueForSweep(plan.id, nowIso)) {
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
              result.failed++;
              onItemError(err, item.entity === 'Task' ? item.task.id : item.duty.id);
            }
          });
        }
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
