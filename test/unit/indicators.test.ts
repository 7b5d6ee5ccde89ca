import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareSources, mismatchWords } from '../../shared/domain/indicator/consistency.js';
import {
  displayValue,
  type Figure,
  figureProblems,
  type IndicatorDefinition,
  rollUp,
  statusOf,
  targetWords,
} from '../../shared/domain/indicator/indicator.js';
import {
  rankByScore,
  rulesWords,
  type ScoringRules,
  scoreUnit,
} from '../../shared/domain/indicator/scoring.js';

const ratio = (
  key: string,
  name: string,
  direction: IndicatorDefinition['direction'],
  target: string,
  extra: Partial<IndicatorDefinition> = {},
): IndicatorDefinition => ({
  key,
  name,
  measure: 'ratio',
  unitOfMeasure: '%',
  direction,
  target,
  veto: false,
  ...extra,
});

/** Seed 003's targets, as the plan writes them. */
const SEED_003: IndicatorDefinition[] = [
  ratio('primary-enrolment', '小学适龄儿童入学率', 'gte', '100'),
  ratio('junior-gross', '初中阶段毛入学率', 'gte', '100', { mayExceedWhole: true }),
  ratio('junior-net', '初中阶段净入学率', 'gte', '98'),
  ratio('disabled', '适龄残疾儿童少年入学率', 'gte', '90'),
  ratio('dropout-primary', '小学年辍学率', 'lte', '0.2'),
  ratio('dropout-junior', '初中年辍学率', 'lte', '1.2'),
  ratio('completion-15', '15周岁人口初等教育完成率', 'gte', '98.5'),
  ratio('completion-17', '17周岁人口初级中等教育完成率', 'gte', '94'),
  ratio('illiteracy-15', '15周岁人口文盲率', 'lte', '0.51'),
  ratio('literacy-15-50', '15至50周岁人口识字率', 'gte', '99.05', { warningBand: '0.2' }),
  { ...ratio('coverage', '义务教育全覆盖', 'eq', '100'), veto: true },
  {
    key: 'd-grade',
    name: 'D级危房',
    measure: 'count',
    unitOfMeasure: '间',
    direction: 'lte',
    target: '0',
    veto: true,
  },
  {
    key: 'hazards',
    name: '校园安全隐患',
    measure: 'count',
    unitOfMeasure: '处',
    direction: 'lte',
    target: '0',
    veto: true,
  },
  {
    key: 'funding',
    name: '教育经费投入',
    measure: 'amount',
    unitOfMeasure: '元',
    direction: 'gte',
    target: '12500000',
    veto: true,
  },
];
const seed = (key: string) => SEED_003.find((d) => d.key === key) as IndicatorDefinition;

describe('indicator targets (seed 003 as written)', () => {
  it('prints every target the way the plan writes it', () => {
    expect(SEED_003.map(targetWords)).toEqual([
      '≥ 100%',
      '≥ 100%',
      '≥ 98%',
      '≥ 90%',
      '≤ 0.2%',
      '≤ 1.2%',
      '≥ 98.5%',
      '≥ 94%',
      '≤ 0.51%',
      '≥ 99.05%',
      '= 100%',
      '≤ 0间',
      '≤ 0处',
      '≥ 12500000元',
    ]);
  });

  it('judges exactly at the boundary: on the target meets it, one pupil short does not', () => {
    const completion = seed('completion-15');
    expect(statusOf(completion, { numerator: '985', denominator: '1000' })).toBe('met');
    expect(statusOf(completion, { numerator: '984', denominator: '1000' })).toBe('breached');
    // 197 of 200 is 98.5% exactly: on the target.
    expect(statusOf(completion, { numerator: '197', denominator: '200' })).toBe('met');
    const dropout = seed('dropout-primary');
    expect(statusOf(dropout, { numerator: '2', denominator: '1000' })).toBe('met');
    expect(statusOf(dropout, { numerator: '3', denominator: '1000' })).toBe('breached');
    expect(statusOf(seed('illiteracy-15'), { numerator: '51', denominator: '10000' })).toBe('met');
    expect(statusOf(seed('illiteracy-15'), { numerator: '52', denominator: '10000' })).toBe('breached');
  });

  it('warns inside the band above a ≥ target', () => {
    const literacy = seed('literacy-15-50');
    expect(statusOf(literacy, { numerator: '9905', denominator: '10000' })).toBe('warning');
    expect(statusOf(literacy, { numerator: '9924', denominator: '10000' })).toBe('warning');
    expect(statusOf(literacy, { numerator: '9925', denominator: '10000' })).toBe('met');
    expect(statusOf(literacy, { numerator: '9904', denominator: '10000' })).toBe('breached');
  });

  it('judges counts, amounts and = targets', () => {
    expect(statusOf(seed('d-grade'), { numerator: '0' })).toBe('met');
    expect(statusOf(seed('d-grade'), { numerator: '1' })).toBe('breached');
    expect(statusOf(seed('funding'), { numerator: '12500000.00' })).toBe('met');
    expect(statusOf(seed('funding'), { numerator: '12499999.99' })).toBe('breached');
    expect(statusOf(seed('coverage'), { numerator: '1200', denominator: '1200' })).toBe('met');
    expect(statusOf(seed('coverage'), { numerator: '1199', denominator: '1200' })).toBe('breached');
    // Nothing to judge when nobody is counted.
    expect(statusOf(seed('coverage'), { numerator: '0', denominator: '0' })).toBeUndefined();
  });

  it('names the field of every impossible figure', () => {
    expect(figureProblems(seed('junior-net'), { numerator: '101', denominator: '100' })).toEqual([
      { field: 'numerator', message: '分子 101 大于分母 100' },
    ]);
    // A gross rate may exceed the whole.
    expect(figureProblems(seed('junior-gross'), { numerator: '101', denominator: '100' })).toEqual([]);
    expect(figureProblems(seed('junior-net'), { numerator: '-1', denominator: '100' })[0]?.field).toBe(
      'numerator',
    );
    expect(figureProblems(seed('junior-net'), { numerator: '1' })[0]?.field).toBe('denominator');
    expect(figureProblems(seed('junior-net'), { numerator: '1', denominator: '0' })[0]?.field).toBe(
      'denominator',
    );
    expect(figureProblems(seed('d-grade'), { numerator: '1.5' })[0]?.field).toBe('numerator');
    expect(figureProblems(seed('d-grade'), { numerator: '1', denominator: '2' })[0]?.field).toBe(
      'denominator',
    );
    expect(figureProblems(seed('funding'), { numerator: '1250.50' })).toEqual([]);
  });

  it('rolls up by summing numerators and denominators, never averaging rates', () => {
    const villages: Figure[] = [
      { numerator: '9', denominator: '10' },
      { numerator: '90', denominator: '100' },
      { numerator: '100', denominator: '100' },
    ];
    const township = rollUp(villages);
    expect(township).toEqual({ numerator: '199', denominator: '210' });
    // 199/210 = 94.76%, where the average of the three rates would be 93.33%.
    expect(displayValue(seed('junior-net'), township)).toBe('94.76');
    expect(rollUp([{ numerator: '0.10' }, { numerator: '0.25' }])).toEqual({ numerator: '0.35' });
  });

  it('rolls up a county as the sum of its townships, whatever the grouping (fuzz)', () => {
    const figure = fc.record({
      n: fc.integer({ min: 0, max: 5000 }),
      extra: fc.integer({ min: 0, max: 5000 }),
    });
    fc.assert(
      fc.property(fc.array(fc.array(figure, { maxLength: 6 }), { maxLength: 6 }), (townships) => {
        const toFigure = (f: { n: number; extra: number }): Figure => ({
          numerator: String(f.n),
          denominator: String(f.n + f.extra),
        });
        const byTownship = rollUp(townships.map((villages) => rollUp(villages.map(toFigure))));
        const flat = rollUp(townships.flat().map(toFigure));
        return byTownship.numerator === flat.numerator && byTownship.denominator === flat.denominator;
      }),
    );
  });
});

describe('三一致: the same figure from several sources', () => {
  it('agrees, mismatches, and tolerates what the indicator allows', () => {
    expect(
      compareSources([{ source: 'report', figure: { numerator: '1203', denominator: '1210' } }]).state,
    ).toBe('single');
    const agree = compareSources([
      { source: 'report', figure: { numerator: '1203', denominator: '1210' } },
      { source: 'registry', figure: { numerator: '1203', denominator: '1210' } },
    ]);
    expect(agree.state).toBe('agree');
    const mismatch = compareSources([
      { source: 'report', figure: { numerator: '1198', denominator: '1210' } },
      { source: 'registry', figure: { numerator: '1203', denominator: '1210' } },
      { source: 'archive', figure: { numerator: '1200', denominator: '1210' } },
    ]);
    expect(mismatch).toEqual({
      state: 'mismatch',
      sources: ['report', 'registry', 'archive'],
      mismatches: [
        {
          field: 'numerator',
          low: { source: 'report', value: '1198' },
          high: { source: 'registry', value: '1203' },
        },
      ],
    });
    if (mismatch.state !== 'mismatch') throw new Error('expected a mismatch');
    expect(mismatchWords(mismatch.mismatches[0] as (typeof mismatch.mismatches)[0], '人')).toBe(
      '学籍系统 1203人,报表 1198人(分子)',
    );
    const tolerated = compareSources(
      [
        { source: 'aid', figure: { numerator: '1250.00' } },
        { source: 'report', figure: { numerator: '1250.4' } },
      ],
      '0.5',
    );
    expect(tolerated.state).toBe('agree');
    const missing = compareSources([
      { source: 'report', figure: { numerator: '5', denominator: '10' } },
      { source: 'registry', figure: { numerator: '5' } },
    ]);
    expect(missing.state === 'mismatch' && missing.mismatches[0]?.field).toBe('denominator');
  });
});

describe('量化考评: scoring as data', () => {
  const rules: ScoringRules = {
    base: 100,
    perOnTime: 0.5,
    perOverdueDay: 0.2,
    overdueCap: 10,
    perReturn: 1,
    perNotice: { reminder: 0, urge: 1, supervise: 3 },
    perMissedReport: 2,
    perLateExtension: 0.5,
    indicators: {
      'completion-15': { weight: { met: 2, warning: 0, breached: -5 } },
      coverage: { weight: { met: 0, warning: 0, breached: -10 } },
    },
  };
  const label = (l: string) => ({ reminder: '提醒', urge: '催办', supervise: '督办' })[l] ?? l;

  it('gives every point a line the unit can read, and caps lateness', () => {
    const score = scoreUnit(
      rules,
      {
        onTime: 12,
        overdueWorkingDays: 70,
        returns: 2,
        notices: { reminder: 4, urge: 2, supervise: 1 },
        missedReports: 1,
        lateExtensions: 1,
        indicators: [{ key: 'completion-15', name: '15周岁人口初等教育完成率', status: 'met', veto: false }],
      },
      label,
    );
    expect(score.lines).toEqual([
      { label: '按时办结', count: 12, points: 6 },
      { label: '逾期(工作日)', count: 70, points: -10 },
      { label: '退回整改', count: 2, points: -2 },
      { label: '催办', count: 2, points: -2 },
      { label: '督办', count: 1, points: -3 },
      { label: '漏报零报告', count: 1, points: -2 },
      { label: '临期申请延期', count: 1, points: -0.5 },
      { label: '15周岁人口初等教育完成率:达标', count: 1, points: 2 },
    ]);
    expect(score.total).toBe(88.5);
    expect(score.vetoed).toBe(false);
    expect(rulesWords(rules, label)).toContain('督办每次扣 3 分');
  });

  it('lets a breached veto item fail the unit whatever it scores, and ranks it last', () => {
    const good = {
      id: 'a',
      score: scoreUnit(rules, {
        onTime: 40,
        overdueWorkingDays: 0,
        returns: 0,
        notices: {},
        missedReports: 0,
        lateExtensions: 0,
        indicators: [{ key: 'coverage', name: '义务教育全覆盖', status: 'breached', veto: true }],
      }),
    };
    const plain = (id: string, onTime: number) => ({
      id,
      score: scoreUnit(rules, {
        onTime,
        overdueWorkingDays: 0,
        returns: 0,
        notices: {},
        missedReports: 0,
        lateExtensions: 0,
        indicators: [],
      }),
    });
    expect(good.score.vetoed).toBe(true);
    expect(good.score.vetoReasons).toEqual(['义务教育全覆盖']);
    expect(good.score.total).toBe(110);
    const ranked = rankByScore([good, plain('b', 2), plain('c', 4), plain('d', 2)], (x, y) =>
      x.id < y.id ? -1 : 1,
    );
    expect(ranked.map((u) => [u.id, u.rank])).toEqual([
      ['c', 1],
      ['b', 2],
      ['d', 2],
      ['a', 4],
    ]);
  });

  it('never drifts in tenths however many lines add up (fuzz)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 500 }), { minLength: 6, maxLength: 6 }), (counts) => {
        const [onTime = 0, days = 0, returns = 0, urge = 0, missed = 0, late = 0] = counts;
        const s = scoreUnit(
          { ...rules, overdueCap: undefined },
          {
            onTime,
            overdueWorkingDays: days,
            returns,
            notices: { urge },
            missedReports: missed,
            lateExtensions: late,
            indicators: [],
          },
        );
        const expected =
          (1000 + onTime * 5 - days * 2 - returns * 10 - urge * 10 - missed * 20 - late * 5) / 10;
        return s.total === expected;
      }),
    );
  });
});
