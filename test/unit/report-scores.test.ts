import { describe, expect, it } from 'vitest';
import { DEFAULT_SCORING_RULES, resolveScoringRules } from '../../shared/domain/indicator/scoring.js';
import { emptyUnitStats } from '../../shared/domain/report/report-builder.js';
import { performanceOf, scoreReport } from '../../shared/domain/report/report-scores.js';
import type { ReportUnitRow } from '../../shared/schemas/reports.js';
import { ScoringRulesSchema } from '../../shared/schemas/scoring.js';

const LEVELS = [
  { level: 'remind', label: '提醒' },
  { level: 'overdue', label: '逾期' },
  { level: 'escalate', label: '督办' },
];

const row = (unitId: string, unitName: string, extra: Partial<ReportUnitRow>): ReportUnitRow => ({
  rank: 1,
  unitId,
  unitName,
  ...emptyUnitStats(LEVELS),
  ...extra,
});

describe('the rules a report scores by', () => {
  it('spells out a deduction for every level of the plan and a weight for every indicator', () => {
    const rules = resolveScoringRules(
      {
        ...DEFAULT_SCORING_RULES,
        perNotice: { escalate: 4 },
        indicators: { coverage: { weight: { met: 1, warning: 0, breached: -9 } } },
      },
      ['remind', 'overdue', 'escalate'],
      ['coverage', 'dropout'],
    );
    expect(rules.perNotice).toEqual({ remind: 0, overdue: 0, escalate: 4 });
    expect(rules.indicators).toEqual({
      coverage: { weight: { met: 1, warning: 0, breached: -9 } },
      dropout: { weight: { met: 2, warning: 0, breached: -5 } },
    });
    expect(rules.lateExtensionHours).toBe(24);
  });

  it('are the defaults when the plan has none, and the defaults pass the schema', () => {
    expect(ScoringRulesSchema.safeParse(DEFAULT_SCORING_RULES).success).toBe(true);
    const rules = resolveScoringRules(undefined, ['overdue'], []);
    expect(rules.base).toBe(100);
    expect(rules.perNotice.overdue).toBe(1);
  });

  it('refuse a negative deduction and points finer than a tenth, naming the field', () => {
    const res = ScoringRulesSchema.safeParse({ ...DEFAULT_SCORING_RULES, perReturn: -1, perOnTime: 0.05 });
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['perOnTime', 'perReturn']);
  });
});

describe('a report’s units scored from their rows', () => {
  const rules = resolveScoringRules(DEFAULT_SCORING_RULES, ['remind', 'overdue', 'escalate'], ['hazards']);

  it('reads what the rules count from the row: overdue days summed, missed reports, late requests', () => {
    const p = performanceOf(
      row('east', '东街村', {
        doneOnTime: 3,
        overdueWorkingDays: 7,
        returns: 1,
        notices: { remind: 2, overdue: 1, escalate: 1 },
        reports: { due: 4, filed: 3 },
        extensions: { requested: 2, inPeriod: 1, approved: 1, refused: 0, pending: 1, late: 1 },
      }),
      [],
    );
    expect(p).toMatchObject({
      onTime: 3,
      overdueWorkingDays: 7,
      returns: 1,
      missedReports: 1,
      lateExtensions: 1,
    });
  });

  it('gives each unit its breakdown line by line, and ranks a vetoed unit last', () => {
    const scoring = scoreReport(
      [
        row('east', '东街村', { doneOnTime: 10 }),
        row('west', '西街村', {
          doneOnTime: 2,
          overdueWorkingDays: 4,
          notices: { remind: 1, overdue: 1, escalate: 1 },
          reports: { due: 2, filed: 1 },
        }),
      ],
      {
        rules,
        indicators: new Map([
          ['east', [{ key: 'hazards', name: '校园安全隐患', status: 'breached' as const, veto: true }]],
          ['west', [{ key: 'hazards', name: '校园安全隐患', status: 'met' as const, veto: true }]],
        ]),
        periods: ['2026-05'],
        note: '',
      },
    );
    const west = scoring.units.find((u) => u.unitId === 'west');
    expect(west?.lines).toEqual([
      { label: '按时办结', count: 2, points: 2 },
      { label: '逾期(工作日)', count: 4, points: -2 },
      { label: '逾期催办', count: 1, points: -1 },
      { label: '督办', count: 1, points: -3 },
      { label: '漏报零报告', count: 1, points: -2 },
      { label: '校园安全隐患:达标', count: 1, points: 2 },
    ]);
    expect(west?.total).toBe(96);
    const east = scoring.units.find((u) => u.unitId === 'east');
    expect(east).toMatchObject({ total: 105, vetoed: true, vetoReasons: ['校园安全隐患'] });
    expect(scoring.units.map((u) => [u.unitId, u.rank])).toEqual([
      ['west', 1],
      ['east', 2],
    ]);
    expect(scoring.rulesWords).toContain('督办每次扣 3 分');
    expect(scoring.indicators).toEqual({ included: true, periods: ['2026-05'], note: '' });
  });

  it('says indicators were left out when they were not read', () => {
    const scoring = scoreReport([row('east', '东街村', {})], {
      rules,
      indicators: null,
      periods: [],
      note: '未接入',
    });
    expect(scoring.indicators.included).toBe(false);
    expect(scoring.units[0]).toMatchObject({ total: 100, lines: [], vetoed: false });
  });
});
