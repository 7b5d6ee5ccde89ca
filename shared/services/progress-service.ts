import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar, workingDayAdjuster } from '../domain/calendar/working-calendar.js';
import { transition } from '../domain/duty/duty-status.js';
import { milestoneProblems, resolveMilestones } from '../domain/duty/milestones.js';
import { expandOccurrences } from '../domain/duty/recurrence.js';
import { localDateOf } from '../domain/time/zoned-time.js';
import { ConflictError, NotFoundError, UnitInactiveError, ValidationError } from '../errors.js';
import type {
  ApproveMilestonesInput,
  Duty,
  DutyRecord,
  ReportProgressInput,
  SetMilestonesInput,
} from '../schemas/duties.js';
import type { Plan } from '../schemas/plans.js';
import { authorize } from './access.js';
import { toDutyView } from './duty-view.js';
import { progressReportDutyId } from './recurrence-service.js';

export interface ProgressService {
  /**
   * The unit reports how far its open duty has got (a percentage and a note), as often as it likes;
   * the last report is kept on the duty for the light rule (序时进度) and every report is audited.
   */
  report(principal: Principal, dutyId: string, input: ReportProgressInput, now: Date): Promise<Duty>;
  /**
   * Milestones of an open duty: the office's take effect at once (and drop a pending proposal);
   * the owning unit's are a proposal the office approves. Audited either way.
   */
  setMilestones(principal: Principal, dutyId: string, input: SetMilestonesInput, now: Date): Promise<Duty>;
  /** The office approves the unit's proposed milestones: they take effect; 409 when none is pending. */
  approveMilestones(
    principal: Principal,
    dutyId: string,
    input: ApproveMilestonesInput,
    now: Date,
  ): Promise<Duty>;
  /**
   * The office sets the same milestones on every open duty of a task (each duty its own conditional
   * write; setting them again changes nothing). Returns the duties as they stand.
   */
  setTaskMilestones(
    principal: Principal,
    planId: string,
    taskId: string,
    input: Omit<SetMilestonesInput, 'version'>,
    now: Date,
  ): Promise<Duty[]>;
}

export function progressService(deps: {
  duties: DutyRepository;
  units: UnitRepository;
  plans: PlanRepository;
  calendars: CalendarRepository;
}): ProgressService {
  const { duties, units, plans, calendars } = deps;
  const stale = (current: { version: number; status: string }) =>
    new ConflictError('version_conflict', '任务已被他人修改,请刷新后重试', {
      currentVersion: current.version,
      status: current.status,
    });

  async function mustGet(dutyId: string): Promise<DutyRecord> {
    const duty = await duties.get(dutyId);
    if (duty === undefined) throw new NotFoundError('任务', dutyId);
    return duty;
  }

  function mustBeOpen(duty: DutyRecord, what: string, version: number | undefined): void {
    if (duty.status !== 'open') {
      throw new ConflictError('invalid_transition', `只有待办任务可以${what}(已提交或已办结的不用再改)`, {
        status: duty.status,
      });
    }
    if (version !== undefined && version !== duty.version) throw stale(duty);
  }

  /**
   * One change of an open duty with its audit record, conditional on the version read (and, for a
   * unit, on the unit still being active).
   */
  async function write(
    principal: Principal,
    duty: DutyRecord,
    change: Partial<DutyRecord>,
    action: string,
    now: Date,
  ): Promise<Duty> {
    const nowIso = now.toISOString();
    const next = { ...duty, ...change, updatedAt: nowIso, version: duty.version + 1 };
    const before = Object.fromEntries(
      Object.keys(change).map((k) => [k, duty[k as keyof DutyRecord] ?? null]),
    );
    const audit = auditEvent(
      principal,
      action,
      { type: 'duty', id: duty.id, planId: duty.planId },
      { before, after: change },
      now,
    );
    const unitId = principal.role === 'unit' ? principal.unitId : undefined;
    const outcome = await duties.replace(
      next,
      { ...duty, read: duty },
      audit,
      'keep',
      unitId === undefined ? [] : [units.activeCheck(unitId)],
    );
    if (outcome.ok) return toDutyView(outcome.duty, now);
    const [current, unit] = await Promise.all([duties.get(duty.id), unitId && units.get(unitId)]);
    if (unitId !== undefined && (unit === undefined || unit === '' || unit.active !== true)) {
      throw new UnitInactiveError();
    }
    throw stale(current ?? duty);
  }

  async function planOf(planId: string): Promise<Plan> {
    const plan = await plans.get(planId);
    if (plan === undefined) throw new NotFoundError('工作方案', planId);
    return plan;
  }

  /** The milestones checked against the due date (in the plan's time zone), then resolved. */
  function checked(input: Omit<SetMilestonesInput, 'version'>, dueAt: string | null, plan: Plan) {
    const dueDate = dueAt === null ? null : localDateOf(new Date(dueAt), plan.timezone);
    const problems = milestoneProblems(input.milestones, dueDate);
    if (problems.length > 0) throw new ValidationError('里程碑有误', problems);
    return resolveMilestones(input.milestones);
  }

  /**
   * 按期报告进度: a progress report on a task's own duty submits that unit's report duty for the
   * period under way (the first one due after now), if it exists and is still open; a report duty
   * already submitted, or a period with none, is left as it is.
   */
  async function submitPeriodReport(
    principal: Principal,
    duty: DutyRecord,
    progress: NonNullable<DutyRecord['progress']>,
    now: Date,
  ): Promise<void> {
    const rule = duty.progressReports;
    if (rule == null || duty.occurrenceKey !== null) return;
    const plan = await planOf(duty.planId);
    const [current] = expandOccurrences(rule, {
      timeZone: plan.timezone,
      start: localDateOf(now, plan.timezone),
      after: now,
      limit: 1,
      adjust: workingDayAdjuster(createWorkingCalendar(await calendars.list())),
    });
    if (current === undefined) return;
    const report = await duties.get(progressReportDutyId(duty.taskId, duty.unitId, current.occurrenceKey));
    if (report === undefined || !transition(report.status, 'submit').ok) return;
    const nowIso = now.toISOString();
    const submission = {
      note:
        progress.note === null ? `进度 ${progress.percent}%` : `进度 ${progress.percent}%:${progress.note}`,
      evidence: [],
      nothingToReport: false,
      contributions: [],
      submittedAt: nowIso,
      submittedBy: principal.sub,
    };
    const next: DutyRecord = {
      ...report,
      status: 'submitted',
      submission,
      updatedAt: nowIso,
      version: report.version + 1,
    };
    const audit = auditEvent(
      principal,
      'duty.submit',
      { type: 'duty', id: report.id, planId: report.planId },
      {
        before: { status: report.status, submission: report.submission },
        after: { status: next.status, submission },
      },
      now,
    );
    // Lost to another writer (the unit submitted it itself, a sweep moved it): that one stands.
    await duties.replace(next, { ...report, read: report }, audit, 'keep');
  }

  return {
    async report(principal, dutyId, input, now) {
      const duty = await mustGet(dutyId);
      authorize(principal, 'duty.submit', duty.unitId);
      mustBeOpen(duty, '报告进度', input.version);
      const progress = {
        percent: input.percent,
        note: input.note ?? null,
        at: now.toISOString(),
        by: principal.sub,
      };
      const reported = await write(principal, duty, { progress }, 'duty.progress', now);
      await submitPeriodReport(principal, duty, progress, now);
      return reported;
    },

    async setMilestones(principal, dutyId, input, now) {
      const duty = await mustGet(dutyId);
      // The office sets them; the owning unit may only propose (duty.submit is the unit's own).
      const office = principal.role === 'office';
      authorize(principal, office ? 'duty.review' : 'duty.submit', duty.unitId);
      mustBeOpen(duty, '设置里程碑', input.version);
      const milestones = checked(input, duty.dueAt, await planOf(duty.planId));
      if (office) {
        return write(principal, duty, { milestones, milestoneProposal: null }, 'duty.milestones', now);
      }
      const milestoneProposal = { milestones, at: now.toISOString(), by: principal.sub };
      return write(principal, duty, { milestoneProposal }, 'duty.milestones-propose', now);
    },

    async approveMilestones(principal, dutyId, input, now) {
      const duty = await mustGet(dutyId);
      // Approving is the office's word: a unit never approves its own (or anyone's) proposal.
      authorize(principal, 'duty.review', duty.unitId);
      mustBeOpen(duty, '批准里程碑', input.version);
      const proposal = duty.milestoneProposal ?? null;
      if (proposal === null) {
        throw new ConflictError('no_milestone_proposal', '该任务没有待批准的里程碑');
      }
      return write(
        principal,
        duty,
        { milestones: proposal.milestones, milestoneProposal: null },
        'duty.milestones-approve',
        now,
      );
    },

    async setTaskMilestones(principal, planId, taskId, input, now) {
      authorize(principal, 'task.create');
      const [plan, task, records] = await Promise.all([
        planOf(planId),
        plans.getTask(planId, taskId),
        duties.ofTask(taskId),
      ]);
      if (task === undefined) throw new NotFoundError('任务', taskId);
      const milestones = checked(input, task.dueAt, plan);
      return Promise.all(
        records
          .filter((r) => r.planId === planId)
          .map((duty) => {
            const same = JSON.stringify(duty.milestones ?? null) === JSON.stringify(milestones);
            // A duty no longer open keeps what it had; one already set so is left as it is.
            if (duty.status !== 'open' || (same && (duty.milestoneProposal ?? null) === null)) {
              return toDutyView(duty, now);
            }
            return write(principal, duty, { milestones, milestoneProposal: null }, 'duty.milestones', now);
          }),
      );
    },
  };
}
