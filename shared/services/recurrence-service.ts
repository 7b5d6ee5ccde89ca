import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { PlanRepository } from '../db/plan-repository.js';
import { type WorkingCalendar, workingDayAdjuster } from '../domain/calendar/working-calendar.js';
import { expandOccurrences, type Occurrence } from '../domain/duty/recurrence.js';
import { addDays, endOfLocalDay, localDateOf } from '../domain/time/zoned-time.js';
import type { Plan } from '../schemas/plans.js';
import type { Recurrence } from '../schemas/recurrence.js';
import type { Task } from '../schemas/tasks.js';
import { newDuty, occurrenceDutyId, policyFor } from './duty-factory.js';

/**
 * Occurrences are created 35 days ahead: a unit sees its next month of reports in its list, and
 * the day-before reminder of each has its duty in place in time. The sweep tops a task up once a
 * week, so there are always at least four weeks ahead, and the number of duties that exist stays
 * proportional to what is near, not to the whole (possibly open-ended) plan.
 */
/** Occurrences created by the sweep are recorded as the scheduler's. */
const SYSTEM: Principal = { sub: 'scheduler', role: 'office' };

export const HORIZON_DAYS = 35;
export const TOP_UP_EVERY_DAYS = 7;
const MAX_OCCURRENCES_PER_TOP_UP = 200;

export interface RecurrenceService {
  /** Creates the occurrences due within the horizon that do not exist yet; returns duties created. */
  topUp(plan: Plan, task: Task, now: Date, calendar: WorkingCalendar, actor?: Principal): Promise<number>;
  /**
   * A task that requires progress reports (`progressReports`, 按期报告进度): each unit's report duty
   * for every period due after `now` and no later than the task's due date (the plan's end when it
   * has none), on the task's ladder. Ids are fixed by task, unit and period, so running it again
   * creates nothing twice. Returns duties created.
   */
  createProgressReports(
    plan: Plan,
    task: Task,
    now: Date,
    calendar: WorkingCalendar,
    actor?: Principal,
  ): Promise<number>;
}

/** The id of one unit's progress-report duty for one period of a task's `progressReports`. */
export const progressReportDutyId = (taskId: string, unitId: string, occurrenceKey: string): string =>
  occurrenceDutyId(taskId, unitId, `progress|${occurrenceKey}`);

/**
 * The task as its progress-report duties see it: a recurring 定期报告 on the progress schedule,
 * titled 报告进度:<title> (each duty adds its period, e.g. 第23周 6月1日—6月7日, 2026年6月).
 */
export function progressReportTask(task: Task, rule: Recurrence): Task {
  const { progressReports: _rule, ...rest } = task;
  return { ...rest, title: `报告进度:${task.title}`, kind: 'report', recurrence: rule };
}

export function recurrenceService(plans: PlanRepository): RecurrenceService {
  /** Each occurrence's duties (one per unit) and its audit, in one transaction each; returns duties created. */
  async function writeOccurrences(
    plan: Plan,
    task: Task,
    occurrences: readonly Occurrence[],
    idOf: (taskId: string, unitId: string, occurrenceKey: string) => string,
    now: Date,
    calendar: WorkingCalendar,
    actor: Principal,
  ): Promise<number> {
    let created = 0;
    const units = [task.leadUnitId, ...task.coUnitIds];
    for (const occurrence of occurrences) {
      const dueAt = occurrence.dueAt.toISOString();
      const duties = units.map((unitId) =>
        newDuty({
          id: idOf(task.id, unitId, occurrence.occurrenceKey),
          plan,
          task,
          unitId,
          dueAt,
          occurrenceKey: occurrence.occurrenceKey,
          now,
          calendar,
        }),
      );
      const audit = auditEvent(
        actor,
        'task.occurrence',
        { type: 'task', id: task.id, planId: plan.id },
        {
          before: null,
          after: {
            occurrenceKey: occurrence.occurrenceKey,
            dueAt,
            policy: policyFor(plan, task),
            dutyIds: duties.map((d) => d.id),
          },
        },
        now,
      );
      if (await plans.createOccurrence(duties, audit)) created += duties.length;
    }
    return created;
  }

  return {
    async topUp(plan, task, now, calendar, actor = SYSTEM) {
      if (task.recurrence === null) return 0;
      const phase = plan.phases.find((p) => p.key === task.phaseKey);
      const lastPhase = plan.phases.at(-1);
      const planEnd = lastPhase?.end;
      const horizonEnd = addDays(localDateOf(now, plan.timezone), HORIZON_DAYS);
      const end = planEnd !== undefined && planEnd < horizonEnd ? planEnd : horizonEnd;
      const after = task.occurrencesUntil === null ? undefined : new Date(task.occurrencesUntil);
      const adjust = workingDayAdjuster(calendar);
      const start = phase?.start ?? localDateOf(new Date(task.createdAt), plan.timezone);
      const occurrences = expandOccurrences(task.recurrence, {
        timeZone: plan.timezone,
        start,
        end,
        ...(after === undefined ? {} : { after }),
        limit: MAX_OCCURRENCES_PER_TOP_UP,
        adjust,
      });

      const created = await writeOccurrences(plan, task, occurrences, occurrenceDutyId, now, calendar, actor);

      const coveredUntil = endOfLocalDay(end, plan.timezone).toISOString();
      // Anything left after the covered span? Then come back in a week; else leave the sweep index.
      const more = expandOccurrences(task.recurrence, {
        timeZone: plan.timezone,
        start,
        ...(planEnd === undefined ? {} : { end: planEnd }),
        after: new Date(coveredUntil),
        limit: 1,
        adjust,
      });
      const nextMaterializeAt =
        more.length === 0 ? null : new Date(now.getTime() + TOP_UP_EVERY_DAYS * 86_400_000).toISOString();
      await plans.advanceOccurrences(task, task.occurrencesUntil, {
        occurrencesUntil: coveredUntil,
        nextMaterializeAt,
      });
      return created;
    },

    async createProgressReports(plan, task, now, calendar, actor = SYSTEM) {
      const rule = task.progressReports;
      if (rule == null || task.recurrence !== null) return 0;
      const planEnd = plan.phases.at(-1)?.end;
      const end = task.dueAt === null ? planEnd : localDateOf(new Date(task.dueAt), plan.timezone);
      const occurrences = expandOccurrences(rule, {
        timeZone: plan.timezone,
        start: localDateOf(now, plan.timezone),
        ...(end === undefined ? {} : { end }),
        after: now,
        limit: MAX_OCCURRENCES_PER_TOP_UP,
        adjust: workingDayAdjuster(calendar),
      }).filter((o) => task.dueAt === null || o.dueAt.getTime() <= Date.parse(task.dueAt));
      const reportTask = progressReportTask(task, rule);
      return writeOccurrences(plan, reportTask, occurrences, progressReportDutyId, now, calendar, actor);
    },
  };
}
