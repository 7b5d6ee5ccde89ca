import type { Principal } from '../auth/principal.js';
import { DEFAULT_SCORING_RULES, resolveScoringRules } from '../domain/indicator/scoring.js';
import type { ScoringInput, UnitIndicatorResult } from '../domain/report/report-scores.js';
import { localDateOf } from '../domain/time/zoned-time.js';
import { ValidationError } from '../errors.js';
import type { Plan } from '../schemas/plans.js';
import type { IndicatorService } from './indicator-service.js';

/** What the scoring reads of the indicators: the plan's definitions and one period's table. */
export type IndicatorReader = Pick<IndicatorService, 'list' | 'table'>;

/** The indicator periods a cut-off falls in: its month, its semester (Feb–Jul spring, Aug–Jan autumn), `once`. */
export function indicatorPeriodsAt(
  asOf: Date,
  timezone: string,
): Record<'monthly' | 'semester' | 'once', string> {
  const date = localDateOf(asOf, timezone);
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const semester = month === 1 ? `${year - 1}-autumn` : month <= 7 ? `${year}-spring` : `${year}-autumn`;
  return { monthly: date.slice(0, 7), semester, once: 'once' };
}

/**
 * The rules and indicator results a report is scored by: the plan's rules (or the defaults), and
 * each unit's status in the indicator table of the period the cut-off falls in (the month, the
 * semester, or once, by the indicator's own reporting period). Figures are read as they stood at
 * the cut-off (a correction made after it is not counted); the report then keeps them, frozen.
 */
export async function scoringInputFor(
  plan: Plan,
  asOf: Date,
  principal: Principal,
  indicators: IndicatorReader | undefined,
): Promise<ScoringInput> {
  const levels = plan.escalation.map((l) => l.level);
  if (indicators === undefined) {
    return {
      rules: resolveScoringRules(plan.scoringRules ?? DEFAULT_SCORING_RULES, levels, []),
      indicators: null,
      periods: [],
      note: '本次考评未计入指标结果(未接入指标数据)',
    };
  }
  const defs = await indicators.list(principal, plan.id);
  const rules = resolveScoringRules(
    plan.scoringRules ?? DEFAULT_SCORING_RULES,
    levels,
    defs.map((d) => d.key),
  );
  if (defs.length === 0) {
    return { rules, indicators: new Map(), periods: [], note: '本方案未设指标,考评只按任务办理情况计分' };
  }
  const periodOf = indicatorPeriodsAt(asOf, plan.timezone);
  const results = new Map<string, UnitIndicatorResult[]>();
  const periods: string[] = [];
  const outside: string[] = [];
  for (const periodicity of ['monthly', 'semester', 'once'] as const) {
    const ofKind = defs.filter((d) => d.period === periodicity);
    if (ofKind.length === 0) continue;
    const period = periodOf[periodicity];
    let table: Awaited<ReturnType<IndicatorReader['table']>>;
    try {
      table = await indicators.table(principal, plan.id, period, asOf);
    } catch (err) {
      // The cut-off's period lies outside the plan for these indicators: they are not scored.
      if (err instanceof ValidationError) {
        outside.push(period);
        continue;
      }
      throw err;
    }
    periods.push(period);
    for (const row of table.rows) {
      for (const d of ofKind) {
        const status = row.cells[d.key]?.status ?? null;
        if (status === null) continue;
        const list = results.get(row.unitId) ?? [];
        list.push({ key: d.key, name: d.name, status, veto: d.veto });
        results.set(row.unitId, list);
      }
    }
  }
  const note =
    `指标结果取截止时间所在周期(${periods.join('、') || '无'})的指标监测表(按截止时间已填报的数据,其后的更正不计入,生成后不再改变);` +
    '单位未填报也无下级汇总的指标不计分' +
    (outside.length > 0 ? `;周期 ${outside.join('、')} 不在方案期内,未计入` : '');
  return { rules, indicators: results, periods, note };
}
