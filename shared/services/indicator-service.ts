import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { TableRef } from '../db/client.js';
import type { IndicatorRepository } from '../db/indicator-repository.js';
import { writeStandaloneNotice } from '../db/notice-level-writer.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { compareSources, FIGURE_SOURCE_LABELS, mismatchWords } from '../domain/indicator/consistency.js';
import {
  displayValue,
  figureProblems,
  type IndicatorDefinition,
  statusOf,
  targetWords,
} from '../domain/indicator/indicator.js';
import { periodDates, periodProblem, periodWords } from '../domain/indicator/period.js';
import { periodsWithin, planSpan } from '../domain/indicator/report-duty.js';
import {
  buildIndicatorTable,
  figuresAsOf,
  type TableIndicator,
  type TableUnit,
} from '../domain/indicator/table.js';
import { localDateOf } from '../domain/time/zoned-time.js';
import { ConflictError, type FieldProblem, NotFoundError, ValidationError } from '../errors.js';
import type {
  FigureRecord,
  FigureResult,
  Indicator,
  IndicatorTableView,
  IndicatorTrend,
  PutFigureInput,
  PutIndicatorInput,
} from '../schemas/indicators.js';
import type { Notice } from '../schemas/notices.js';
import type { Plan } from '../schemas/plans.js';
import { authorize } from './access.js';
import type { IndicatorDuties } from './indicator-duties.js';
import type { SupervisionService } from './supervision-service.js';

export interface IndicatorService {
  /** Creates or (at `expectedVersion`) replaces one of a plan's indicators; the office only. */
  put(
    principal: Principal,
    planId: string,
    key: string,
    input: PutIndicatorInput,
    now: Date,
  ): Promise<Indicator>;
  list(principal: Principal, planId: string): Promise<Indicator[]>;
  /**
   * A unit's figure for one indicator, period and source. Then, exactly once per (indicator, unit,
   * period): a breach notice when the figure misses its target; and a self-check finding when the
   * unit's sources disagree (三一致), resolved when they agree again.
   */
  putFigure(
    principal: Principal,
    planId: string,
    key: string,
    period: string,
    input: PutFigureInput,
    now: Date,
  ): Promise<FigureResult>;
  /**
   * One indicator over the periods begun so far (趋势): the county's rolled-up value and status in
   * each, and a unit reader's own beside it. Reads that indicator's figures only.
   */
  trend(principal: Principal, planId: string, key: string, now: Date): Promise<IndicatorTrend>;
  /**
   * The period's table: every unit's figures rolled up village → township → county; with `asOf`,
   * the figures as they stood then (a correction made later is not in it).
   */
  table(principal: Principal, planId: string, period: string, asOf?: Date): Promise<IndicatorTableView>;
}

/** The level breach notices carry, beside the escalation ladder's own levels. */
export const BREACH_LEVEL = 'indicator-breach';
export const BREACH_LEVEL_LABEL = '指标未达标';

const digest = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);
/** Fixed ids: one breach notice and one self-check finding per (plan, indicator, unit, period). */
export const breachNoticeId = (planId: string, key: string, unitId: string, period: string) =>
  `indicator-breach-${digest(planId, key, unitId, period)}`;
export const consistencyFindingId = (planId: string, key: string, unitId: string, period: string) =>
  `finding-ck-${digest(planId, key, unitId, period)}`;

const sourced = (f: FigureRecord) => ({ key: f.key, unitId: f.unitId, source: f.source, figure: f });

/** Periods a trend shows at most: the latest two years of months. */
const TREND_PERIODS = 24;

/** Days a unit has to put its sources right (三一致整改). */
const RECTIFY_DAYS = 7;

/** The dates a plan runs: its first phase's start to its last phase's end (open-ended: undefined). */
function planDates(plan: Plan): { first: string; last: string | undefined } {
  const first = plan.phases[0]?.start ?? '0000-01-01';
  return { first, last: plan.phases.at(-1)?.end };
}

const definitionOf = (i: Indicator): TableIndicator & IndicatorDefinition => ({
  key: i.key,
  name: i.name,
  measure: i.measure,
  unitOfMeasure: i.unitOfMeasure,
  direction: i.direction,
  target: i.target,
  ...(i.warningBand === undefined ? {} : { warningBand: i.warningBand }),
  mayExceedWhole: i.mayExceedWhole,
  veto: i.veto,
  reportingUnitIds: i.reportingUnitIds,
  tolerance: i.tolerance,
});

export function indicatorService(deps: {
  indicators: IndicatorRepository;
  plans: PlanRepository;
  units: UnitRepository;
  supervision: Pick<SupervisionService, 'raiseSystemFinding'>;
  table: TableRef;
  /** Each (unit, period) report as a duty on the ladder (absent: figures are not duties). */
  reportDuties?: IndicatorDuties;
}): IndicatorService {
  const { indicators, plans, units } = deps;

  async function mustPlan(id: string): Promise<Plan> {
    const plan = await plans.get(id);
    if (plan === undefined) throw new NotFoundError('工作方案', id);
    return plan;
  }
  async function mustIndicator(planId: string, key: string): Promise<Indicator> {
    const found = await indicators.get(planId, key);
    if (found === undefined) throw new NotFoundError('指标', key);
    return found;
  }

  /** Whom a breach goes to: like an escalation (督办) — the unit, its parent, the leaders; a veto item also the office. */
  async function breachRecipients(unitId: string, veto: boolean): Promise<string[]> {
    const parent = (await units.get(unitId))?.parentId ?? null;
    return [
      `unit:${unitId}`,
      ...(parent === null ? [] : [`unit:${parent}`]),
      'role:leaders',
      ...(veto ? ['role:office'] : []),
    ];
  }

  async function noticeBreach(
    plan: Plan,
    ind: Indicator,
    figure: FigureRecord,
    principal: Principal,
    now: Date,
  ) {
    const def = definitionOf(ind);
    const id = breachNoticeId(plan.id, ind.key, figure.unitId, figure.period);
    const value = displayValue(def, figure) ?? '';
    const addressees: Notice['addressees'] = ind.veto
      ? ['unit', 'parent', 'leaders', 'office']
      : ['unit', 'parent', 'leaders'];
    const notice: Notice = {
      id,
      planId: plan.id,
      taskId: '',
      dutyId: '',
      unitId: figure.unitId,
      dutyTitle: `${ind.veto ? '【一票否决】' : ''}${ind.name} ${periodWords(figure.period)} ${value}${ind.unitOfMeasure},目标 ${targetWords(def)}`,
      round: 0,
      level: BREACH_LEVEL,
      levelLabel: BREACH_LEVEL_LABEL,
      offsetWorkingDays: 0,
      addressees,
      recipients: await breachRecipients(figure.unitId, ind.veto),
      dueAt: now.toISOString(),
      scheduledAt: now.toISOString(),
      createdAt: now.toISOString(),
      workingDaysLate: 0,
      calendarFallback: false,
      acks: {},
    };
    const audit = auditEvent(
      principal,
      'indicator.breach',
      { type: 'notice', id, planId: plan.id },
      {
        before: null,
        after: { key: ind.key, unitId: figure.unitId, period: figure.period, value, source: figure.source },
      },
      now,
      { id: `breach-${id}` },
    );
    await writeStandaloneNotice(deps.table, notice, audit);
    return id;
  }

  /** The units shown and the ones above them, a tree level at a time (one BatchGet per level). */
  async function treeOf(unitIds: readonly string[]): Promise<TableUnit[]> {
    const tree = new Map<string, TableUnit>();
    let level = [...new Set(unitIds)];
    for (let depth = 0; level.length > 0 && depth < 8; depth++) {
      const found = await units.getMany(level);
      for (const id of level) {
        const u = found.get(id);
        tree.set(id, { id, name: u?.name ?? id, parentId: u?.parentId ?? null });
      }
      level = [...new Set([...found.values()].map((u) => u.parentId))].filter(
        (p): p is string => p !== null && !tree.has(p),
      );
    }
    return [...tree.values()];
  }

  return {
    async trend(principal, planId, key, now) {
      authorize(principal, 'indicator.read');
      const [plan, ind] = await Promise.all([mustPlan(planId), mustIndicator(planId, key)]);
      const span = planSpan(plan.phases);
      const today = localDateOf(now, plan.timezone);
      // The periods begun by today, the latest TREND_PERIODS of them (a one-off figure: its one period).
      const periods =
        span === undefined
          ? []
          : periodsWithin(
              ind.period,
              { first: span.first, last: [today, span.last].sort()[0] ?? today },
              Infinity,
            )
              .filter((p) => (periodDates(p)?.first ?? '') <= today)
              .slice(-TREND_PERIODS);
      // One Query per period, of this indicator's figures only: O(units × periods) items.
      const perPeriod = await Promise.all(periods.map((p) => indicators.figuresOfIndicator(planId, p, key)));
      const tree = await treeOf([...ind.reportingUnitIds, ...perPeriod.flat().map((f) => f.unitId)]);
      const def = definitionOf(ind);
      const own = principal.role === 'unit' ? principal.unitId : undefined;
      return {
        indicator: { ...ind, targetWords: targetWords(def) },
        unitId: own ?? null,
        points: periods.map((period, i) => {
          const built = buildIndicatorTable([def], (perPeriod[i] ?? []).map(sourced), tree);
          const county = built.total.cells[key];
          const mine = own === undefined ? undefined : built.rows.find((r) => r.unitId === own)?.cells[key];
          return {
            period,
            label: periodWords(period),
            value: county?.value ?? null,
            status: county?.status ?? null,
            unitValue: mine?.value ?? null,
            unitStatus: mine?.status ?? null,
          };
        }),
      };
    },

    async put(principal, planId, key, input, now) {
      authorize(principal, 'indicator.write');
      const plan = await mustPlan(planId);
      const problems: FieldProblem[] = [];
      if (input.measure === 'ratio' && !['%', '‰'].includes(input.unitOfMeasure)) {
        problems.push({ field: 'unitOfMeasure', message: '比率指标的计量单位应为 % 或 ‰' });
      }
      if (input.measure !== 'ratio' && input.mayExceedWhole) {
        problems.push({ field: 'mayExceedWhole', message: '只有比率指标才有分子、分母' });
      }
      const found = await units.getMany(input.reportingUnitIds);
      input.reportingUnitIds.forEach((id, i) => {
        if (!found.has(id)) problems.push({ field: `reportingUnitIds.${i}`, message: `单位不存在:${id}` });
      });
      if (problems.length > 0) throw new ValidationError('指标信息有误', problems);
      const before = await indicators.get(planId, key);
      const indicator: Indicator = {
        planId: plan.id,
        key,
        name: input.name,
        measure: input.measure,
        unitOfMeasure: input.unitOfMeasure,
        direction: input.direction,
        target: input.target,
        ...(input.warningBand === undefined ? {} : { warningBand: input.warningBand }),
        mayExceedWhole: input.mayExceedWhole,
        veto: input.veto,
        period: input.period,
        reportingUnitIds: input.reportingUnitIds,
        ...(input.tolerance === undefined ? {} : { tolerance: input.tolerance }),
        version: (input.expectedVersion ?? 0) + 1,
        updatedAt: now.toISOString(),
        updatedBy: principal.sub,
      };
      const audit = auditEvent(
        principal,
        before === undefined ? 'indicator.create' : 'indicator.update',
        { type: 'plan', id: planId, planId },
        { before: before ?? null, after: indicator },
        now,
      );
      if (!(await indicators.put(indicator, input.expectedVersion, audit))) {
        throw before === undefined || input.expectedVersion === undefined
          ? new ConflictError('indicator_exists', `指标已存在:${key}(修改时请带上 expectedVersion)`, {
              version: before?.version ?? null,
            })
          : new ConflictError('version_conflict', '指标刚被他人修改,请刷新后重试', {
              version: before.version,
            });
      }
      // Every report the indicators now call for is a duty (fixed ids: a redefinition adds only the new ones).
      await deps.reportDuties?.ensure(plan, await indicators.list(planId), now);
      return indicator;
    },

    async list(principal, planId) {
      authorize(principal, 'indicator.read');
      await mustPlan(planId);
      return indicators.list(planId);
    },

    async putFigure(principal, planId, key, period, input, now) {
      const unitId = input.unitId ?? principal.unitId;
      if (unitId === undefined) {
        throw new ValidationError('请指定填报单位', [{ field: 'unitId', message: '办公室代填时须写明单位' }]);
      }
      authorize(principal, 'figure.report', unitId);
      const [plan, ind] = await Promise.all([mustPlan(planId), mustIndicator(planId, key)]);
      const def = definitionOf(ind);
      const problems: FieldProblem[] = [];
      if (!ind.reportingUnitIds.includes(unitId)) {
        problems.push({ field: 'unitId', message: `单位 ${unitId} 不填报“${ind.name}”` });
      }
      const dates = planDates(plan);
      const wrongPeriod = periodProblem(period, ind.period, dates.first, dates.last);
      if (wrongPeriod !== undefined) problems.push({ field: 'period', message: wrongPeriod });
      const figure = {
        numerator: input.numerator,
        ...(input.denominator === undefined ? {} : { denominator: input.denominator }),
      };
      problems.push(...figureProblems(def, figure));
      if (problems.length > 0) throw new ValidationError('指标数据有误', problems);

      const record: FigureRecord = {
        planId,
        key,
        unitId,
        period,
        source: input.source,
        ...figure,
        evidence: input.evidence,
        version: (input.expectedVersion ?? 0) + 1,
        reportedAt: now.toISOString(),
        reportedBy: principal.sub,
      };
      // A correction keeps what it replaced in the audit trail (a frozen report keeps its own copy).
      const before = input.expectedVersion === undefined ? undefined : await indicators.getFigure(record);
      const audit = auditEvent(
        principal,
        input.expectedVersion === undefined ? 'figure.report' : 'figure.correct',
        { type: 'plan', id: planId, planId },
        { before: before ?? null, after: record },
        now,
      );
      if (!(await indicators.putFigure(record, input.expectedVersion, audit, before))) {
        const version = (await indicators.getFigure(record))?.version ?? null;
        throw input.expectedVersion === undefined
          ? new ConflictError(
              'figure_exists',
              `本单位该周期“${FIGURE_SOURCE_LABELS[input.source]}”的数字已填报,更正时请带上 expectedVersion`,
              { version },
            )
          : new ConflictError('version_conflict', '该数字刚被更正过,请刷新后重试', { version });
      }

      // The unit's report duty for the period closes once every indicator it owes has a figure.
      if (deps.reportDuties !== undefined && input.expectedVersion === undefined) {
        await deps.reportDuties.closeIfComplete(
          plan,
          await indicators.list(planId),
          unitId,
          period,
          principal,
          now,
        );
      }

      const status = statusOf(def, record) ?? null;
      const breachNoticeId =
        status === 'breached' ? await noticeBreach(plan, ind, record, principal, now) : null;

      // 三一致: every source of this unit's figure, read after this write.
      const sources = await indicators.unitFigures(planId, period, key, unitId);
      const consistency = compareSources(
        sources.map((s) => ({ source: s.source, figure: s })),
        ind.tolerance,
      );
      const findingId = consistencyFindingId(planId, key, unitId, period);
      let raised: string | null = null;
      if (consistency.state === 'mismatch') {
        const state = await indicators.findingState(planId, findingId);
        if (state === 'resolved') await indicators.setFindingResolved(planId, findingId, null);
        if (state === 'absent') {
          const unitName = (await units.get(unitId))?.name ?? unitId;
          const outcome = await deps.supervision.raiseSystemFinding(
            planId,
            {
              findingId,
              title: `${unitName}“${ind.name}”${periodWords(period)}数据三不一致`,
              detail: consistency.mismatches.map((m) => mismatchWords(m)).join(';'),
              unitId,
              dueInDays: RECTIFY_DAYS,
            },
            now,
          );
          if (outcome !== 'skipped') raised = findingId;
        } else raised = findingId;
      } else if (consistency.state === 'agree') {
        await indicators.setFindingResolved(planId, findingId, now.toISOString());
      }
      return { ...record, status, consistency: consistency.state, breachNoticeId, findingId: raised };
    },

    async table(principal, planId, period, asOf) {
      authorize(principal, 'indicator.read');
      const [plan, defs] = await Promise.all([mustPlan(planId), indicators.list(planId)]);
      // The period must be one some indicator of the plan is reported in.
      const dates = planDates(plan);
      if (
        defs.length > 0 &&
        defs.every((d) => periodProblem(period, d.period, dates.first, dates.last) !== undefined)
      ) {
        const first = defs[0] as Indicator;
        throw new ValidationError('周期有误', [
          { field: 'period', message: periodProblem(period, first.period, dates.first, dates.last) ?? '' },
        ]);
      }
      let figures: FigureRecord[] = [];
      for await (const page of indicators.figuresOfPeriod(planId, period)) figures.push(...page);
      // As of a past cut-off: what was reported later is taken back to the version that stood then.
      const cutOff = asOf?.toISOString();
      if (cutOff !== undefined && figures.some((f) => f.reportedAt > cutOff)) {
        const replaced: FigureRecord[] = [];
        for await (const page of indicators.replacedFigures(planId, period)) replaced.push(...page);
        figures = figuresAsOf(figures, replaced, cutOff);
      }
      const tree = await treeOf([
        ...defs.flatMap((d) => d.reportingUnitIds),
        ...figures.map((f) => f.unitId),
      ]);
      const tableDefs = defs.map(definitionOf);
      const built = buildIndicatorTable(tableDefs, figures.map(sourced), tree);
      const strip = (cell: (typeof built.total.cells)[string]) => ({
        ...cell,
        figure:
          cell.figure === null
            ? null
            : {
                numerator: cell.figure.numerator,
                ...(cell.figure.denominator === undefined ? {} : { denominator: cell.figure.denominator }),
              },
      });
      const cells = (c: Record<string, (typeof built.total.cells)[string]>) =>
        Object.fromEntries(Object.entries(c).map(([k, v]) => [k, strip(v)]));
      return {
        planId,
        period,
        indicators: defs.map((d, i) => ({
          ...d,
          targetWords: targetWords(tableDefs[i] as IndicatorDefinition),
        })),
        rows: built.rows.map((r) => ({ ...r, cells: cells(r.cells) })),
        total: { ...built.total, cells: cells(built.total.cells) },
      };
    },
  };
}
