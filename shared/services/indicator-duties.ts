import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { auditEvent, changedFields } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { IndicatorRepository } from '../db/indicator-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import { createWorkingCalendar, type WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { type DutyStatus, transition } from '../domain/duty/duty-status.js';
import { periodWords } from '../domain/indicator/period.js';
import {
  keysOwed,
  type PlanSpan,
  phaseOnDate,
  planSpan,
  REPORT_DUTY_TITLE,
  reportDueDate,
  reportDutyTitle,
  reportPeriodDates,
  reportsOwed,
} from '../domain/indicator/report-duty.js';
import { endOfLocalDay, startOfLocalDay } from '../domain/time/zoned-time.js';
import { ConflictError, PhaseClosedError } from '../errors.js';
import type { DutyRecord } from '../schemas/duties.js';
import type { Indicator } from '../schemas/indicators.js';
import type { Plan } from '../schemas/plans.js';
import type { Task } from '../schemas/tasks.js';
import { newDuty, occurrenceDutyId, policyFor } from './duty-factory.js';

/** Who the audit trail names for the report duties the indicators create and close. */
export const INDICATOR_SYSTEM: Principal = { sub: 'system:indicators', role: 'office' };

/** Duties per transaction: DynamoDB takes 100 items, two of which are the phase gate and the audit. */
const DUTIES_PER_WRITE = 90;

/** The fixed id of a plan's report task for one period: defining indicators twice creates it once. */
export const reportTaskId = (planId: string, period: string) =>
  `task-ind-${createHash('sha256').update(`${planId}|${period}`).digest('hex').slice(0, 24)}`;

/** The fixed id of a unit's report duty for one period. */
export const reportDutyId = (planId: string, unitId: string, period: string) =>
  occurrenceDutyId(reportTaskId(planId, period), unitId, period);

export interface IndicatorDuties {
  /**
   * Creates the report duties the plan's indicators call for and that do not exist yet: one per
   * (reporting unit, period), under one task per period; returns how many were created.
   */
  ensure(plan: Plan, indicators: readonly Indicator[], now: Date): Promise<number>;
  /**
   * Closes (办结) the unit's report duty for the period once it has a figure for every indicator it
   * owes then; true when this call closed it.
   */
  closeIfComplete(
    plan: Plan,
    indicators: readonly Indicator[],
    unitId: string,
    period: string,
    reporter: Principal,
    now: Date,
  ): Promise<boolean>;
}

export function indicatorDuties(deps: {
  plans: PlanRepository;
  duties: DutyRepository;
  calendars: CalendarRepository;
  indicators: IndicatorRepository;
}): IndicatorDuties {
  const { plans, duties, indicators } = deps;

  /** The period's task, written once (a concurrent or repeated definition finds it there). */
  async function taskFor(
    plan: Plan,
    period: string,
    units: string[],
    dueAt: string,
    phaseKey: string,
    now: Date,
  ) {
    const id = reportTaskId(plan.id, period);
    const existing = await plans.getTask(plan.id, id);
    if (existing !== undefined) return existing;
    const [lead = '', ...co] = units;
    const task: Task = {
      id,
      planId: plan.id,
      title: reportDutyTitle(period),
      description: `各填报单位报送${periodWords(period)}的指标数据(按指标逐项填写分子、分母及数据来源);全部报齐后自动办结。`,
      phaseKey,
      leadUnitId: lead,
      coUnitIds: co,
      dueAt,
      recurrence: null,
      kind: 'report',
      escalation: null,
      signOffLevels: 0,
      occurrencesUntil: null,
      nextMaterializeAt: null,
      createdAt: now.toISOString(),
      createdBy: INDICATOR_SYSTEM.sub,
    };
    const audit = auditEvent(
      INDICATOR_SYSTEM,
      'task.create',
      { type: 'task', id, planId: plan.id },
      { before: null, after: { ...task, policy: policyFor(plan, task), dutyIds: [] } },
      now,
    );
    try {
      await plans.createTaskWithDuties(task, [], audit);
      return task;
    } catch (err) {
      if (err instanceof ConflictError && err.code === 'task_exists') return plans.getTask(plan.id, id);
      if (err instanceof PhaseClosedError) return undefined;
      throw err;
    }
  }

  /** Writes the duties as occurrences of their task, a transaction per chunk; one by one if a chunk meets one already there. */
  async function create(plan: Plan, task: Task, records: DutyRecord[], now: Date): Promise<number> {
    const write = (batch: DutyRecord[]) =>
      plans.createOccurrence(
        batch,
        auditEvent(
          INDICATOR_SYSTEM,
          'task.occurrence',
          { type: 'task', id: task.id, planId: plan.id },
          {
            before: null,
            after: {
              occurrenceKey: batch[0]?.occurrenceKey ?? null,
              dueAt: task.dueAt,
              policy: policyFor(plan, task),
              dutyIds: batch.map((d) => d.id),
            },
          },
          now,
        ),
      );
    let created = 0;
    for (let i = 0; i < records.length; i += DUTIES_PER_WRITE) {
      const batch = records.slice(i, i + DUTIES_PER_WRITE);
      if (await write(batch)) created += batch.length;
      else for (const d of batch) if (await write([d])) created += 1;
    }
    return created;
  }

  async function ensurePeriod(
    plan: Plan,
    span: PlanSpan,
    period: string,
    units: string[],
    now: Date,
    calendar: WorkingCalendar,
  ): Promise<number> {
    const dueDate = reportDueDate(period, span, calendar);
    const phaseKey = phaseOnDate(plan.phases, dueDate);
    if (phaseKey === undefined || plan.phaseClosures[phaseKey] !== undefined) return 0;
    const dueAt = endOfLocalDay(dueDate, plan.timezone).toISOString();
    const task = await taskFor(plan, period, units, dueAt, phaseKey, now);
    if (task === undefined) return 0;
    const idOf = (unitId: string) => reportDutyId(plan.id, unitId, period);
    const existing = await duties.getMany(units.map(idOf));
    const dates = reportPeriodDates(period, span);
    const records = units
      .filter((unitId) => !existing.has(idOf(unitId)))
      .map(
        (unitId): DutyRecord => ({
          ...newDuty({
            id: idOf(unitId),
            plan,
            task,
            unitId,
            dueAt,
            occurrenceKey: period,
            now,
            calendar,
          }),
          // Each unit reports its own figures: nobody waits for anybody else's (no co-units).
          role: 'lead',
          coUnits: 0,
          phaseKey,
          title: reportDutyTitle(period),
          period: {
            start: dates.first,
            end: dates.last,
            label: periodWords(period),
            opensAt: startOfLocalDay(dates.first, plan.timezone).toISOString(),
          },
        }),
      );
    return records.length === 0 ? 0 : create(plan, task, records, now);
  }

  return {
    async ensure(plan, defs, now) {
      const span = planSpan(plan.phases);
      if (span === undefined || defs.length === 0) return 0;
      const calendar = createWorkingCalendar(await deps.calendars.list());
      let created = 0;
      for (const [period, units] of reportsOwed(defs, span)) {
        created += await ensurePeriod(plan, span, period, units, now, calendar);
      }
      return created;
    },

    async closeIfComplete(plan, defs, unitId, period, reporter, now) {
      const owed = keysOwed(defs, unitId, period);
      if (owed.length === 0) return false;
      const reported = await Promise.all(
        owed.map((key) => indicators.hasFigure(plan.id, period, key, unitId)),
      );
      if (!reported.every(Boolean)) return false;
      const id = reportDutyId(plan.id, unitId, period);
      // A lost race (the sweep moved the ladder, the unit submitted) is read again and retried.
      for (let attempt = 0; attempt < 3; attempt++) {
        const duty = await duties.get(id);
        if (duty === undefined || duty.status === 'accepted') return false;
        const nowIso = now.toISOString();
        // Through the state machine: an open duty is submitted and accepted, a submitted one accepted.
        let status: DutyStatus = duty.status;
        for (const event of duty.status === 'open'
          ? (['submit', 'accept'] as const)
          : (['accept'] as const)) {
          const step = transition(status, event);
          if (!step.ok) return false;
          status = step.to;
        }
        const next: DutyRecord = {
          ...duty,
          status,
          submission: duty.submission ?? {
            note: `已报齐${periodWords(period)}应报的 ${owed.length} 项指标数据`,
            evidence: [],
            nothingToReport: false,
            contributions: [],
            submittedAt: nowIso,
            submittedBy: reporter.sub,
          },
          awaitingConfirmationFrom: null,
          acceptedAt: nowIso,
          reviews: [
            ...duty.reviews,
            {
              decision: 'accepted',
              round: duty.round,
              note: `${REPORT_DUTY_TITLE}:应报指标已全部填报,系统核对后自动办结`,
              newDueAt: null,
              at: nowIso,
              by: INDICATOR_SYSTEM.sub,
            },
          ],
          updatedAt: nowIso,
          version: duty.version + 1,
        };
        const audit = auditEvent(
          INDICATOR_SYSTEM,
          'duty.accept',
          { type: 'duty', id, planId: plan.id },
          changedFields(duty, next),
          now,
        );
        if ((await duties.replace(next, { ...duty, read: duty }, audit)).ok) return true;
      }
      return false;
    },
  };
}
