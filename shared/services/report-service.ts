import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { CounterRepository } from '../db/counter-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { ReportRepository, StoredReport } from '../db/report-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import {
  createWorkingCalendar,
  type WorkingCalendar,
  type YearCalendar,
} from '../domain/calendar/working-calendar.js';
import { DUTY_STATUSES } from '../domain/duty/duty-status.js';
import { lightRuleText, lightSettingsOf } from '../domain/duty/light.js';
import { INSTRUCTION_LEVEL } from '../domain/escalation/ladder.js';
import { applyDeltas, countsMap, type UnitPhaseCounts } from '../domain/plan/counters.js';
import { periodOf, type ReportPeriod, reportIdFor } from '../domain/report/period.js';
import {
  PROGRESS_FIGURES_RULE,
  type ProgressFact,
  progressFigures,
  withProgressFigures,
} from '../domain/report/progress-figures.js';
import { createReportBuilder, type ReportBuilt } from '../domain/report/report-builder.js';
import type { ScoringInput } from '../domain/report/report-scores.js';
import { type ReportScope, reportView } from '../domain/report/report-view.js';
import { monthlyReportDecision } from '../domain/report/schedule.js';
import { localDateOf } from '../domain/time/zoned-time.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { errorField, writeLog } from '../log.js';
import type { Plan } from '../schemas/plans.js';
import type { CreateReportInput, Report, ReportSummary, ScheduledReportResult } from '../schemas/reports.js';
import { authorize } from './access.js';
import { type IndicatorReader, scoringInputFor } from './report-scoring.js';

export interface ReportService {
  /**
   * The plan's report for the period of `asOf` (default `now`): generated, stored and frozen the
   * first time; every later request for the same period — concurrent ones included — gets that
   * same report back with `created: false`.
   */
  create(
    principal: Principal,
    planId: string,
    input: CreateReportInput,
    now: Date,
  ): Promise<{ report: Report; created: boolean }>;
  /** A plan's reports, newest cut-off first (summaries, without the per-unit content). */
  list(principal: Principal, planId: string, page: PageRequest): Promise<Page<ReportSummary>>;
  /** A report as `principal` may see it (a unit: the ranking, and its own details only). */
  get(principal: Principal, id: string): Promise<Report>;
  /**
   * The schedule's run: every running plan's report for the period of `scheduledTime`. The
   * monthly schedule fires on days 24–31 and acts only on the month's last working day.
   */
  runScheduled(
    principal: Principal,
    request: { period: ReportPeriod; scheduledTime: Date; planId?: string | undefined },
    now: Date,
  ): Promise<ScheduledReportResult>;
}

function scopeOf(principal: Principal): ReportScope {
  if (principal.role !== 'unit') return { scope: 'all' };
  if (principal.unitId === undefined) throw new ForbiddenError('单位用户缺少单位编号');
  return { scope: 'unit', unitId: principal.unitId };
}

/**
 * How close to "now" a cut-off must be for the counters' way: a scheduled report's cut-off is its
 * scheduled time, a few seconds to minutes before it runs.
 */
export const COUNTERS_WINDOW_MS = 10 * 60_000;

export type ReportMethod = 'counters' | 'replay';

export interface ReportComputer {
  /**
   * The plan's report content at `asOf`. From the counters (units × phases items, the open duties
   * due by the cut-off, the reports filed before they are due, the findings' duties by id) when
   * the cut-off is within COUNTERS_WINDOW_MS of `now` and the plan is counted; otherwise, or when
   * `method` says so, by replaying every duty of the plan back to the cut-off. Notices, extension
   * requests and findings are read the same way by both.
   */
  compute(
    plan: Plan,
    input: {
      asOf: Date;
      now: Date;
      calendar: WorkingCalendar;
      periodStart?: string;
      method?: ReportMethod;
      /** 量化考评: every unit scored at the cut-off from the figures both ways compute alike. */
      scoring?: ScoringInput;
    },
  ): Promise<{ built: ReportBuilt; method: ReportMethod; cellsRead: number }>;
}

export function reportComputer(deps: {
  reports: ReportRepository;
  units: UnitRepository;
  counters: CounterRepository;
}): ReportComputer {
  const { reports, units, counters } = deps;

  /** The counters as they stand (stored items plus creations still parked on the plan), if whole. */
  async function countedCells(planId: string): Promise<UnitPhaseCounts[] | undefined> {
    const [{ cells }, { pending, counted }] = await Promise.all([
      counters.read(planId),
      counters.planState(planId),
    ]);
    if (!counted) return undefined;
    return [
      ...applyDeltas(
        countsMap(cells),
        pending.flatMap((p) => p.deltas),
      ).values(),
    ];
  }

  return {
    async compute(plan, input) {
      const { asOf } = input;
      const asOfIso = asOf.toISOString();
      const builder = createReportBuilder({
        asOf,
        timezone: plan.timezone,
        phases: plan.phases,
        levels: plan.escalation.map((l) => l.level),
        calendar: input.calendar,
        ...(input.periodStart === undefined ? {} : { periodStart: input.periodStart }),
        ...(input.scoring === undefined
          ? {}
          : { scoring: input.scoring, lateExtensionHours: input.scoring.rules.lateExtensionHours }),
      });
      const near = Math.abs(input.now.getTime() - asOf.getTime()) <= COUNTERS_WINDOW_MS;
      const wanted = input.method ?? (near ? 'counters' : 'replay');
      // What both ways read alike: notices, extension requests and findings up to the cut-off.
      const findingsRead = reports.findingFacts(plan.id);
      const common = [
        (async () => {
          // A leader's 批示 is pushed like a notice but is no pressure on the unit: not counted.
          for await (const page of reports.noticeFacts(plan.id, asOfIso))
            builder.addNotices(page.filter((n) => n.level !== INSTRUCTION_LEVEL));
        })(),
        (async () => {
          for await (const page of reports.extensionFacts(plan.id, asOfIso)) builder.addExtensions(page);
        })(),
        (async () => builder.addFindings(await findingsRead))(),
      ];
      let method: ReportMethod = 'replay';
      let cellsRead = 0;
      const knownNames = new Map<string, string>();
      const duties = async () => {
        const cells = wanted === 'counters' ? await countedCells(plan.id) : undefined;
        if (cells === undefined) {
          // The three statuses are three key ranges of the plan's partition, read at once. Pages
          // are folded in as they arrive (the builder does not depend on their order), so memory
          // stays flat.
          await Promise.all(
            DUTY_STATUSES.map(async (status) => {
              for await (const page of reports.dutyFacts(plan.id, status)) builder.addDuties(page);
            }),
          );
          return;
        }
        method = 'counters';
        cellsRead = cells.length;
        for (const cell of cells) if (cell.unitName !== null) knownNames.set(cell.unitId, cell.unitName);
        builder.addCounts(cells);
        await Promise.all([
          (async () => {
            for await (const page of reports.pastDueFacts(plan.id, asOfIso)) builder.addPastDue(page);
          })(),
          (async () => {
            for await (const page of reports.filedNotDueReports(plan.id, asOfIso))
              builder.addFiledNotDue(page);
          })(),
          (async () => {
            // The findings' duties are few (a finding's units): read by id for the per-finding rows.
            const dutyIds = (await findingsRead).flatMap((f) => f.dutyIds);
            builder.addRectificationDuties(await reports.dutyFactsByIds(dutyIds));
          })(),
        ]);
      };
      // 序时进度: the plan's open duties with their last report, read alike by both ways.
      const progressRead = (async () => {
        const facts: ProgressFact[] = [];
        for await (const page of reports.progressFacts(plan.id)) facts.push(...page);
        return facts;
      })();
      await Promise.all([...common, duties(), progressRead]);
      // Counter items carry their unit's name (names never change): only the others are looked up.
      const names = new Map(knownNames);
      const missing = builder.unitIds().filter((id) => !names.has(id));
      for (const [unitId, unit] of await units.getMany(missing)) names.set(unitId, unit.name);
      const built = builder.finish(names);
      const settings = lightSettingsOf(plan, input.calendar);
      built.content = withProgressFigures(
        built.content,
        progressFigures(await progressRead, asOf, settings),
        `${lightRuleText(settings)}。${PROGRESS_FIGURES_RULE}`,
      );
      return { built, method, cellsRead };
    },
  };
}

export function reportService(deps: {
  reports: ReportRepository;
  plans: PlanRepository;
  units: UnitRepository;
  calendars: CalendarRepository;
  counters: CounterRepository;
  /** The indicators, for the indicator lines of 量化考评 (absent: scored on duties only). */
  indicators?: IndicatorReader;
  onPlanError?: (err: unknown, planId: string) => void;
}): ReportService {
  const { reports, plans, calendars } = deps;
  const computer = reportComputer(deps);
  const onPlanError =
    deps.onPlanError ??
    ((err: unknown, planId: string) =>
      writeLog({ level: 'error', message: 'report failed', planId, error: errorField(err) }));

  async function mustGetPlan(id: string): Promise<Plan> {
    const plan = await plans.get(id);
    if (plan === undefined) throw new NotFoundError('工作方案', id);
    return plan;
  }

  /** Returns the period's stored report, generating and storing it first if there is none. */
  async function makeReport(args: {
    plan: Plan;
    period: ReportPeriod;
    asOf: Date;
    trigger: 'manual' | 'schedule';
    /** Who makes it: the office, or the schedule's system principal; the audit event names them. */
    principal: Principal;
    now: Date;
    /** The office's calendar overrides, when the caller has them already. */
    overrides?: readonly YearCalendar[];
  }): Promise<{ stored: StoredReport; created: boolean }> {
    const { plan, asOf } = args;
    const period = periodOf(asOf, plan.timezone, args.period);
    const id = reportIdFor(plan.id, period.key);
    // The common repeat (a second click, the schedule after a manual report) costs one read.
    const existing = await reports.get(id);
    if (existing !== undefined) return { stored: existing, created: false };

    // One calendar per report, so its fallback years are this report's.
    const calendar = createWorkingCalendar(args.overrides ?? (await calendars.list()));
    const scoring = await scoringInputFor(plan, asOf, args.principal, deps.indicators);
    const { built, method, cellsRead } = await computer.compute(plan, {
      asOf,
      now: args.now,
      calendar,
      periodStart: period.start,
      scoring,
    });
    const { totals } = built.content;
    const summary: ReportSummary = {
      id,
      planId: plan.id,
      planTitle: plan.title,
      timezone: plan.timezone,
      period: args.period,
      periodKey: period.key,
      periodLabel: period.label,
      asOf: asOf.toISOString(),
      generatedAt: args.now.toISOString(),
      generatedBy: args.principal.sub,
      trigger: args.trigger,
      summary: {
        units: built.content.units.length,
        duties: totals.assigned,
        accepted: totals.doneOnTime + totals.doneLate,
        overdue: totals.overdue,
        completionRate: totals.completionRate,
        onTimeRate: totals.onTimeRate,
      },
      source: { method, duties: built.dutiesRead, notices: built.noticesRead, cells: cellsRead },
      approximated: built.approximated,
      calendarFallbackYears: calendar.fallbackYearsUsed(),
    };
    // The creation is audited in the report's own transaction: a period that already has its
    // report writes neither a second report nor a second event.
    const audit = auditEvent(
      args.principal,
      'report.create',
      { type: 'report', id, planId: plan.id },
      {
        before: null,
        after: {
          period: summary.period,
          periodKey: summary.periodKey,
          asOf: summary.asOf,
          trigger: summary.trigger,
          summary: summary.summary,
        },
      },
      args.now,
    );
    if ((await reports.create(summary, built.content, audit)) === 'created') {
      return { stored: { summary, content: built.content }, created: true };
    }
    // Someone else stored this period's report while we computed ours: theirs is the report.
    const winner = await reports.get(id);
    if (winner === undefined) throw new Error(`Report ${id} was reported to exist but cannot be read`);
    return { stored: winner, created: false };
  }

  async function* allPlans(): AsyncGenerator<Plan> {
    let cursor: string | undefined;
    do {
      const page = await plans.list({ limit: 100, cursor });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  return {
    async create(principal, planId, input, now) {
      authorize(principal, 'report.create');
      const plan = await mustGetPlan(planId);
      const asOf = input.asOf === undefined ? now : new Date(input.asOf);
      if (asOf.getTime() > now.getTime()) {
        throw new ValidationError('截止时间不能晚于现在', [
          { field: 'asOf', message: `截止时间 ${input.asOf ?? ''} 晚于现在(${now.toISOString()})` },
        ]);
      }
      if (asOf.toISOString() < plan.createdAt) {
        throw new ValidationError('截止时间早于工作方案的创建时间', [
          { field: 'asOf', message: `工作方案创建于 ${plan.createdAt},此前没有任何任务可以通报` },
        ]);
      }
      const { stored, created } = await makeReport({
        plan,
        period: input.period,
        asOf,
        trigger: 'manual',
        principal,
        now,
      });
      return { report: reportView(stored.summary, stored.content, { scope: 'all' }), created };
    },

    async list(principal, planId, page) {
      authorize(principal, 'report.read');
      await mustGetPlan(planId);
      return reports.list(planId, page);
    },

    async get(principal, id) {
      authorize(principal, 'report.read');
      const scope = scopeOf(principal);
      const stored = await reports.get(id);
      if (stored === undefined) throw new NotFoundError('通报', id);
      return reportView(stored.summary, stored.content, scope);
    },

    async runScheduled(principal, request, now) {
      authorize(principal, 'report.create');
      const overrides = await calendars.list();
      const result: ScheduledReportResult = {
        period: request.period,
        scheduledTime: request.scheduledTime.toISOString(),
        acted: false,
        reason: null,
        asOf: null,
        plans: 0,
        created: 0,
        existing: 0,
        skipped: 0,
        failed: 0,
      };
      let asOf = request.scheduledTime;
      if (request.period === 'month') {
        const decision = monthlyReportDecision(request.scheduledTime, createWorkingCalendar(overrides));
        if (!decision.act) {
          result.reason = `${decision.today} 不是本月最后一个工作日(${decision.lastWorkingDay}),不生成月报`;
          return result;
        }
        asOf = decision.asOf;
      }
      // A scheduler clock a little ahead of ours must not make a cut-off in the future.
      if (asOf.getTime() > now.getTime()) asOf = now;
      result.acted = true;
      result.asOf = asOf.toISOString();

      const targets = request.planId === undefined ? allPlans() : [await mustGetPlan(request.planId)];
      for await (const plan of targets) {
        result.plans++;
        const period = periodOf(asOf, plan.timezone, request.period);
        const today = localDateOf(asOf, plan.timezone);
        const first = plan.phases[0];
        const last = plan.phases.at(-1);
        // Reported while it runs: from its first phase on, up to the period in which its last ended.
        const notStarted = plan.createdAt > result.asOf || (first !== undefined && today < first.start);
        const over = last?.end !== undefined && last.end < period.start;
        if (notStarted || over) {
          result.skipped++;
          continue;
        }
        try {
          const { created } = await makeReport({
            plan,
            period: request.period,
            asOf,
            trigger: 'schedule',
            principal,
            now,
            overrides,
          });
          if (created) result.created++;
          else result.existing++;
        } catch (err) {
          // One plan's failure must not cost the others their report; the count fails the run.
          result.failed++;
          onPlanError(err, plan.id);
        }
      }
      return result;
    },
  };
}
