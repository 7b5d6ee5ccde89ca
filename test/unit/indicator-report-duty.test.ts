import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import {
  keysOwed,
  periodicityOf,
  periodsWithin,
  phaseOnDate,
  planSpan,
  reportDueDate,
  reportDutyTitle,
  reportsOwed,
} from '../../shared/domain/indicator/report-duty.js';
import { figuresAsOf } from '../../shared/domain/indicator/table.js';

const calendar = createWorkingCalendar([]);
const PHASES = [
  { key: 'mobilize', start: '2026-05-09', end: '2026-05-13' },
  { key: 'self-check', start: '2026-05-14', end: '2026-09-30' },
  { key: 'consolidate', start: '2026-10-01' },
];
const span = { first: '2026-05-09', last: '2026-10-01' };

describe('indicator report duties', () => {
  it('span the plan from its first day to its last dated day (an open-ended last phase: its start)', () => {
    expect(planSpan(PHASES)).toEqual(span);
    expect(planSpan([])).toBeUndefined();
  });

  it('list every period with a day in the span', () => {
    expect(periodsWithin('monthly', span)).toEqual([
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
    ]);
    expect(periodsWithin('semester', span)).toEqual(['2026-spring', '2026-autumn']);
    expect(periodsWithin('semester', { first: '2026-01-10', last: '2026-01-20' })).toEqual(['2025-autumn']);
    expect(periodsWithin('once', span)).toEqual(['once']);
  });

  it('tell a period’s kind from how it is written', () => {
    expect(periodicityOf('2026-05')).toBe('monthly');
    expect(periodicityOf('2026-autumn')).toBe('semester');
    expect(periodicityOf('once')).toBe('once');
    expect(periodicityOf('2026-13')).toBeUndefined();
  });

  it('are due on the working-day calendar: 5th working day of the next month, 10th after a semester', () => {
    // September 2026 ends on a Wednesday; National Day week follows (1–7 October off, 10 October a 调休 working Saturday).
    expect(reportDueDate('2026-09', span, calendar)).toBe('2026-10-13');
    expect(reportDueDate('2026-05', span, calendar)).toBe('2026-06-05');
    expect(reportDueDate('2026-spring', span, calendar)).toBe('2026-08-14');
    // A one-off figure: by the plan's last dated day, or the working day before it.
    expect(reportDueDate('once', span, calendar)).toBe('2026-09-30');
  });

  it('belong to the phase holding their due date, else the latest begun', () => {
    expect(phaseOnDate(PHASES, '2026-06-05')).toBe('self-check');
    expect(phaseOnDate(PHASES, '2027-01-10')).toBe('consolidate');
    expect(phaseOnDate(PHASES, '2026-01-01')).toBe('mobilize');
  });

  it('are one per unit and period however many indicators the unit reports', () => {
    const defs = [
      { key: 'a', period: 'monthly' as const, reportingUnitIds: ['west', 'east'] },
      { key: 'b', period: 'monthly' as const, reportingUnitIds: ['east', 'north'] },
      { key: 'c', period: 'semester' as const, reportingUnitIds: ['east'] },
    ];
    const owed = reportsOwed(defs, { first: '2026-05-01', last: '2026-06-30' });
    expect([...owed]).toEqual([
      ['2026-05', ['east', 'north', 'west']],
      ['2026-06', ['east', 'north', 'west']],
      ['2026-spring', ['east']],
    ]);
    expect(keysOwed(defs, 'east', '2026-05')).toEqual(['a', 'b']);
    expect(keysOwed(defs, 'east', '2026-spring')).toEqual(['c']);
    expect(keysOwed(defs, 'west', 'once')).toEqual([]);
    expect(reportDutyTitle('2026-03')).toBe('报送指标数据(2026年3月)');
  });
});

describe('figures as of a cut-off', () => {
  const f = (unitId: string, version: number, reportedAt: string, numerator: string) => ({
    key: 'k',
    unitId,
    source: 'report',
    version,
    reportedAt,
    numerator,
  });
  it('keeps what was reported by then, takes a later correction back to the version that stood, drops what came later', () => {
    const current = [
      f('a', 1, '2026-06-01T00:00:00Z', '1'),
      f('b', 3, '2026-06-25T00:00:00Z', '30'),
      f('c', 1, '2026-06-25T00:00:00Z', '5'),
    ];
    const replaced = [f('b', 1, '2026-06-02T00:00:00Z', '10'), f('b', 2, '2026-06-10T00:00:00Z', '20')];
    expect(
      figuresAsOf(current, replaced, '2026-06-19T09:00:00.000Z').map((x) => [x.unitId, x.numerator]),
    ).toEqual([
      ['a', '1'],
      ['b', '20'],
    ]);
    expect(figuresAsOf(current, replaced, '2026-06-05T00:00:00.000Z').map((x) => x.numerator)).toEqual([
      '1',
      '10',
    ]);
    expect(figuresAsOf(current, replaced, '2026-07-01T00:00:00.000Z')).toEqual(current);
  });
});

describe('a plan dated over decades', () => {
  it('makes at most three years of monthly report periods per indicator', () => {
    const periods = periodsWithin('monthly', { first: '2026-05-01', last: '9999-12-31' });
    expect(periods).toHaveLength(36);
    expect(periods.at(-1)).toBe('2029-04');
  });
});
