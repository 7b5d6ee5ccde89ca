/**
 * Reporting periods of indicators (填报周期): a month (`2026-05`), a semester (`2026-spring`
 * 春季学期 February–July, `2026-autumn` 秋季学期 August–January of the next year), or `once` (一次性).
 * Pure: whether a period is written right for an indicator and whether it falls within the plan.
 */
export const INDICATOR_PERIODS = ['monthly', 'semester', 'once'] as const;
export type IndicatorPeriodicity = (typeof INDICATOR_PERIODS)[number];

export const PERIODICITY_LABELS: Record<IndicatorPeriodicity, string> = {
  monthly: '按月',
  semester: '按学期',
  once: '一次性',
};

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const SEMESTER = /^(\d{4})-(spring|autumn)$/;

/** The first and last calendar dates (YYYY-MM-DD) a period covers; undefined when badly written. */
export function periodDates(period: string): { first: string; last: string } | undefined {
  const month = MONTH.exec(period);
  if (month !== null) {
    const [, y = '', m = ''] = month;
    const days = new Date(Date.UTC(Number(y), Number(m), 0)).getUTCDate();
    return { first: `${y}-${m}-01`, last: `${y}-${m}-${String(days).padStart(2, '0')}` };
  }
  const semester = SEMESTER.exec(period);
  if (semester !== null) {
    const year = Number(semester[1]);
    return semester[2] === 'spring'
      ? { first: `${year}-02-01`, last: `${year}-07-31` }
      : { first: `${year}-08-01`, last: `${year + 1}-01-31` };
  }
  return undefined;
}

/** How a period reads on a page: `2026年5月`, `2026年春季学期`, `一次性`. */
export function periodWords(period: string): string {
  const month = MONTH.exec(period);
  if (month !== null) return `${month[1]}年${Number(month[2])}月`;
  const semester = SEMESTER.exec(period);
  if (semester !== null) return `${semester[1]}年${semester[2] === 'spring' ? '春季' : '秋季'}学期`;
  return period === 'once' ? '一次性' : period;
}

/**
 * What is wrong with `period` for an indicator reported `periodicity`, within a plan running from
 * `planFirst` to `planLast` (dates; `planLast` undefined while the last phase is open-ended), or
 * undefined when it is fine. A period counts as within the plan when any of its days is.
 */
export function periodProblem(
  period: string,
  periodicity: IndicatorPeriodicity,
  planFirst: string,
  planLast: string | undefined,
): string | undefined {
  if (periodicity === 'once') return period === 'once' ? undefined : '一次性指标的填报周期应为 once';
  const dates = periodDates(period);
  const wanted = periodicity === 'monthly' ? MONTH : SEMESTER;
  if (dates === undefined || !wanted.test(period)) {
    return periodicity === 'monthly'
      ? `按月填报的周期应写作“年-月”,如 2026-05,收到“${period}”`
      : `按学期填报的周期应写作 2026-spring(春季学期)或 2026-autumn(秋季学期),收到“${period}”`;
  }
  if (dates.last < planFirst || (planLast !== undefined && dates.first > planLast)) {
    return `${periodWords(period)}不在工作方案的时间范围内(${planFirst} 至 ${planLast ?? '结束未定'})`;
  }
  return undefined;
}
