import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { type DutyFact, dutyAt } from '../../shared/domain/report/duty-at.js';
import { RANKING_RULE, rankUnits, rateOf, UNASSESSED_LABEL } from '../../shared/domain/report/ranking.js';
import { createReportBuilder, type ReportBuilderInput } from '../../shared/domain/report/report-builder.js';
import { reportView } from '../../shared/domain/report/report-view.js';
import type { ReportSummary } from '../../shared/schemas/reports.js';
import { dutyFact } from '../fixtures/report-facts.js';

const TZ = 'Asia/Shanghai';
// Tuesday 2025-09-30 17:00 Shanghai; National Day runs 10-01..10-08, Saturday 10-11 is worked (调休).
const DUE = '2025-09-30T09:00:00.000Z';
const CREATED = '2025-09-01T02:00:00.000Z';
const calendar = () => createWorkingCalendar([]);

let seq = 0;
function fact(overrides: Partial<DutyFact> = {}): DutyFact {
  seq++;
  return dutyFact({
    id: `duty-${seq}`,
    taskId: 'task-1',
    unitId: 'town',
    title: `任务${seq}`,
    dueAt: DUE,
    createdAt: CREATED,
    ...overrides,
  });
}

const accepted = (submittedAt: string, extra: Partial<DutyFact> = {}) =>
  fact({
    status: 'accepted',
    submittedAt,
    acceptedAt: '2025-10-09T02:00:00.000Z',
    reviews: [{ decision: 'accepted', round: 1, at: '2025-10-09T02:00:00.000Z', newDueAt: null }],
    ...extra,
  });

function build(asOf: string, duties: DutyFact[], extra: Partial<ReportBuilderInput> = {}) {
  const builder = createReportBuilder({
    asOf: new Date(asOf),
    timezone: TZ,
    phases: [
      { key: 'mobilize', name: '部署发动阶段', start: '2025-09-01', end: '2025-09-10' },
      { key: 'work', name: '整改阶段', start: '2025-09-11' },
    ],
    levels: ['remind', 'overdue', 'escalate', 'accountability'],
    calendar: calendar(),
    ...extra,
  });
  builder.addDuties(duties);
  return builder;
}

const NAMES = new Map([
  ['town', '城关镇'],
  ['village', '东街村'],
  ['bureau', '县教育体育局'],
]);

describe('a duty at the cut-off', () => {
  it('did not exist before it was created', () => {
    expect(dutyAt(fact(), '2025-08-31T00:00:00.000Z')).toBeUndefined();
  });

  it('is open until its submission, submitted until its acceptance, then accepted', () => {
    const d = accepted('2025-09-29T02:00:00.000Z');
    expect(dutyAt(d, '2025-09-28T00:00:00.000Z')).toMatchObject({ status: 'open', exact: true });
    expect(dutyAt(d, '2025-10-01T00:00:00.000Z')).toMatchObject({ status: 'submitted', exact: true });
    expect(dutyAt(d, '2025-10-09T02:00:00.000Z')).toMatchObject({ status: 'accepted', exact: true });
  });

  it('is in its second round, due at the rework deadline, once returned', () => {
    const d = fact({
      status: 'open',
      round: 2,
      returns: 1,
      dueAt: '2025-10-15T15:59:59.999Z',
      submittedAt: '2025-09-29T02:00:00.000Z',
      reviews: [
        {
          decision: 'returned',
          round: 1,
          at: '2025-09-30T02:00:00.000Z',
          newDueAt: '2025-10-15T15:59:59.999Z',
        },
      ],
    });
    // Round 1's due time is gone (the return replaced it), but a submitted duty does not need it.
    expect(dutyAt(d, '2025-09-29T12:00:00.000Z')).toMatchObject({
      status: 'submitted',
      round: 1,
      returns: 0,
      exact: true,
    });
    expect(dutyAt(d, '2025-09-28T12:00:00.000Z')).toMatchObject({ status: 'open', round: 1, exact: false });
    expect(dutyAt(d, '2025-10-01T00:00:00.000Z')).toMatchObject({
      status: 'open',
      round: 2,
      dueAt: '2025-10-15T15:59:59.999Z',
      returns: 1,
      exact: true,
    });
  });

  it('says when a later return hid what it was (a resubmission replaced the submission)', () => {
    const d = fact({
      status: 'submitted',
      round: 2,
      returns: 1,
      dueAt: '2025-10-15T15:59:59.999Z',
      submittedAt: '2025-10-10T02:00:00.000Z',
      reviews: [
        {
          decision: 'returned',
          round: 1,
          at: '2025-10-09T02:00:00.000Z',
          newDueAt: '2025-10-15T15:59:59.999Z',
        },
      ],
    });
    // Before the return, round 1 had been submitted at some time no longer recorded.
    expect(dutyAt(d, '2025-10-08T00:00:00.000Z')).toMatchObject({
      status: 'submitted',
      round: 1,
      exact: false,
    });
  });
  it('counts an approved extension as a round of its own (it records no review)', () => {
    // Submitted 09-29, returned 09-30 (rework by 10-15), extension approved 10-12 to 10-31.
    const d = fact({
      status: 'open',
      round: 3,
      returns: 1,
      extensions: 1,
      roundStartedAt: '2025-10-12T02:00:00.000Z',
      dueAt: '2025-10-31T15:59:59.999Z',
      submittedAt: '2025-09-29T02:00:00.000Z',
      reviews: [
        {
          decision: 'returned',
          round: 1,
          at: '2025-09-30T02:00:00.000Z',
          newDueAt: '2025-10-15T15:59:59.999Z',
        },
      ],
    });
    // After everything: open (the return sent the submission back), due at the extended time.
    expect(dutyAt(d, '2025-10-20T00:00:00.000Z')).toEqual({
      status: 'open',
      round: 3,
      dueAt: '2025-10-31T15:59:59.999Z',
      submittedAt: null,
      returns: 1,
      exact: true,
    });
    // Between the return and the extension: round 2, due at the rework deadline.
    expect(dutyAt(d, '2025-10-10T00:00:00.000Z')).toMatchObject({
      status: 'open',
      round: 2,
      dueAt: '2025-10-15T15:59:59.999Z',
      exact: true,
    });
    // Extended, then submitted: submitted in the extended round, on time.
    const submitted = fact({
      status: 'submitted',
      round: 2,
      extensions: 1,
      roundStartedAt: '2025-09-25T02:00:00.000Z',
      dueAt: '2025-10-20T15:59:59.999Z',
      submittedAt: '2025-10-10T02:00:00.000Z',
    });
    expect(dutyAt(submitted, '2025-10-11T00:00:00.000Z')).toEqual({
      status: 'submitted',
      round: 2,
      dueAt: '2025-10-20T15:59:59.999Z',
      submittedAt: '2025-10-10T02:00:00.000Z',
      returns: 0,
      exact: true,
    });
    // Before the extension the first due time is not kept: open and said to be approximate.
    expect(dutyAt(submitted, '2025-09-24T00:00:00.000Z')).toMatchObject({ status: 'open', exact: false });
  });
});

describe('on time and late', () => {
  it('counts a submission at the exact due instant as on time, a millisecond later as late', () => {
    const built = build('2025-10-10T09:00:00.000Z', [
      accepted(DUE),
      accepted('2025-09-30T09:00:00.001Z'),
    ]).finish(NAMES);
    expect(built.content.totals).toMatchObject({ doneOnTime: 1, doneLate: 1, onTimeRate: 0.5 });
  });

  it('judges a returned duty by the accepted round: its submission against the rework deadline', () => {
    const rework = '2025-10-15T15:59:59.999Z';
    const d = accepted('2025-10-14T02:00:00.000Z', {
      round: 2,
      returns: 1,
      dueAt: rework,
      acceptedAt: '2025-10-15T02:00:00.000Z',
      reviews: [
        { decision: 'returned', round: 1, at: '2025-10-09T02:00:00.000Z', newDueAt: rework },
        { decision: 'accepted', round: 2, at: '2025-10-15T02:00:00.000Z', newDueAt: null },
      ],
    });
    const stats = build('2025-10-16T00:00:00.000Z', [d]).finish(NAMES).content.totals;
    expect(stats).toMatchObject({ doneOnTime: 1, doneLate: 0, returns: 1 });
  });

  it('is not overdue at the exact due instant, overdue a millisecond after', () => {
    const atDue = build(DUE, [fact()]).finish(NAMES).content.totals;
    expect(atDue).toMatchObject({ overdue: 0, openNotDue: 1 });
    const after = build('2025-09-30T09:00:00.001Z', [fact()]).finish(NAMES).content.totals;
    expect(after).toMatchObject({ overdue: 1, openNotDue: 0, worstWorkingDaysLate: 0 });
  });

  it('counts lateness in working days across National Day and its adjusted Saturday', () => {
    // Due Tue 09-30: 10-01..10-08 off, Thu 10-09 and Fri 10-10 worked, Sat 10-11 worked (调休).
    const lateOn = (asOf: string) => build(asOf, [fact()]).finish(NAMES).content.totals.worstWorkingDaysLate;
    expect(lateOn('2025-10-08T09:00:00.000Z')).toBe(0);
    expect(lateOn('2025-10-10T09:00:00.000Z')).toBe(2);
    expect(lateOn('2025-10-11T09:00:00.000Z')).toBe(3);
    expect(lateOn('2025-10-12T09:00:00.000Z')).toBe(3);
  });

  it('leaves submitted-awaiting-review and not-yet-due duties out of the on-time rate', () => {
    const totals = build('2025-10-10T09:00:00.000Z', [
      accepted(DUE),
      fact({ status: 'submitted', submittedAt: '2025-10-02T00:00:00.000Z' }),
      fact({ dueAt: '2025-12-31T15:59:59.999Z' }),
      fact(),
    ]).finish(NAMES).content.totals;
    expect(totals).toMatchObject({
      assigned: 4,
      doneOnTime: 1,
      submitted: 1,
      openNotDue: 1,
      overdue: 1,
      // 1 of the 3 due by the cut-off: the one due at the end of December is not counted yet.
      completionRate: 0.3333,
      onTimeRate: 0.5,
    });
  });

  it('counts in 办结率 only duties due by the cut-off, and those finished early', () => {
    const later = '2025-12-31T15:59:59.999Z';
    const content = build('2025-10-10T09:00:00.000Z', [
      accepted(DUE),
      accepted('2025-10-01T00:00:00.000Z', { dueAt: later }),
      fact({ dueAt: later }),
      fact({ dueAt: later }),
      fact(),
    ]).finish(NAMES).content;
    // Accepted 2; due by the cut-off or finished: 3 (two open duties not yet due are left out).
    expect(content.totals).toMatchObject({ assigned: 5, openNotDue: 2, completionRate: 0.6667 });
    expect(content.units[0]?.completionRate).toBe(0.6667);
    const work = content.phases.find((p) => p.key === 'work');
    expect(work).toMatchObject({ duties: 5, accepted: 2, open: 3, overdue: 1, completionRate: 0.6667 });
    // Nothing due yet and nothing finished: no rate, never 0%.
    const early = build('2025-09-02T00:00:00.000Z', [fact({ dueAt: later })]).finish(NAMES).content;
    expect(early.totals.completionRate).toBeNull();
    // A unit's own view of a phase follows the same rule.
    const summary = {} as ReportSummary;
    const view = reportView(summary, content, { scope: 'unit', unitId: 'town' });
    expect(view.phases.find((p) => p.key === 'work')?.completionRate).toBe(0.6667);
  });
});

describe('ranking', () => {
  /** `counted` is the rate's denominator: accepted (on time or late) plus overdue. */
  const unit = (unitId: string, unitName: string, onTime: number, counted: number, overdue: number) => ({
    unitId,
    unitName,
    doneOnTime: onTime,
    doneLate: counted - onTime - overdue,
    overdue,
  });

  it('orders by on-time rate, then fewest overdue; ties share a rank and list in pinyin order', () => {
    const ranked = rankUnits([
      unit('z', '张村', 1, 2, 1),
      unit('a', '安村', 2, 4, 1),
      unit('b', '北村', 3, 3, 0),
      unit('c', '城关镇', 1, 2, 0),
      unit('d', '东街村', 0, 0, 0),
    ]);
    expect(ranked.map((r) => [r.rank, r.unitName])).toEqual([
      [1, '北村'],
      [2, '城关镇'],
      [3, '安村'],
      [3, '张村'],
      [null, '东街村'],
    ]);
  });

  it('never ranks a unit with overdue work above one without, whatever the rates', () => {
    const ranked = rankUnits([
      unit('a', '安村', 9, 10, 1),
      unit('b', '北村', 0, 1, 0),
      unit('c', '城关镇', 0, 1, 1),
    ]);
    // 北村 finished its one duty late (0%) but left nothing overdue; 安村 is 90% with one overdue.
    expect(ranked.map((r) => [r.rank, r.unitName])).toEqual([
      [1, '北村'],
      [2, '安村'],
      [3, '城关镇'],
    ]);
  });

  it('lists units with nothing to judge apart, after the failing ones, without a rank', () => {
    const ranked = rankUnits([
      unit('d', '东街村', 0, 0, 0),
      unit('z', '张村', 0, 1, 1),
      unit('y', '柳湾村', 0, 1, 1),
      unit('a', '安村', 0, 0, 0),
    ]);
    expect(ranked.map((r) => [r.rank, r.unitName])).toEqual([
      [1, '柳湾村'],
      [1, '张村'],
      [null, '安村'],
      [null, '东街村'],
    ]);
    expect(RANKING_RULE).toContain('有逾期未办的单位排在没有逾期未办的单位之后');
    expect(RANKING_RULE).toContain(UNASSESSED_LABEL);
  });

  it('compares rates exactly, not as rounded decimals', () => {
    const ranked = rankUnits([
      unit('x', '乙', 1, 3, 0),
      unit('y', '甲', 2, 6, 0),
      unit('w', '丙', 3334, 10_000, 0),
    ]);
    expect(ranked.map((r) => r.rank)).toEqual([1, 2, 2]);
    expect(rateOf(1, 3)).toBe(0.3333);
    expect(rateOf(0, 0)).toBeNull();
  });

  it('ranks units in a report, with every unit named', () => {
    const content = build('2025-10-10T09:00:00.000Z', [
      accepted(DUE, { unitId: 'village' }),
      accepted(DUE, { unitId: 'bureau' }),
      fact({ unitId: 'town' }),
      accepted(DUE, { unitId: 'town' }),
    ]).finish(NAMES).content;
    expect(content.units.map((u) => [u.rank, u.unitName, u.onTimeRate])).toEqual([
      [1, '东街村', 1],
      [1, '县教育体育局', 1],
      [3, '城关镇', 0.5],
    ]);
  });
});

describe('zero reports, notices, phases and the overdue list', () => {
  it('counts periods filed against periods due, on or before the cut-off', () => {
    const asOf = '2025-10-10T09:00:00.000Z';
    const report = (dueAt: string, extra: Partial<DutyFact> = {}) =>
      fact({ kind: 'report', dueAt, ...extra });
    const totals = build(asOf, [
      report('2025-09-05T04:00:00.000Z', {
        status: 'accepted',
        submittedAt: '2025-09-05T01:00:00.000Z',
        acceptedAt: '2025-09-06T00:00:00.000Z',
      }),
      report('2025-09-12T04:00:00.000Z', { status: 'submitted', submittedAt: '2025-09-13T01:00:00.000Z' }),
      report('2025-09-19T04:00:00.000Z'),
      report(asOf, { status: 'submitted', submittedAt: '2025-10-10T08:00:00.000Z' }),
      report('2025-10-17T04:00:00.000Z', { status: 'submitted', submittedAt: '2025-10-09T08:00:00.000Z' }),
    ]).finish(NAMES).content.totals;
    expect(totals.reports).toEqual({ due: 4, filed: 3 });
  });

  it('counts notices by level per unit, the plan’s levels first', () => {
    const builder = build('2025-10-10T09:00:00.000Z', [
      fact({ unitId: 'town' }),
      fact({ unitId: 'village' }),
    ]);
    builder.addNotices([
      { unitId: 'town', level: 'overdue' },
      { unitId: 'town', level: 'escalate' },
      { unitId: 'village', level: 'overdue' },
      { unitId: 'village', level: 'special' },
    ]);
    const built = builder.finish(NAMES);
    expect(built.noticesRead).toBe(4);
    expect(built.content.levels.map((l) => l.level)).toEqual([
      'remind',
      'overdue',
      'escalate',
      'accountability',
      'special',
    ]);
    expect(built.content.levels[2]).toEqual({ level: 'escalate', label: '督办' });
    const town = built.content.units.find((u) => u.unitId === 'town');
    expect(town?.notices).toEqual({ remind: 0, overdue: 1, escalate: 1, accountability: 0, special: 0 });
    expect(built.content.totals.notices.overdue).toBe(2);
  });

  it('reports each phase’s progress and whether it ended with work open', () => {
    const content = build('2025-10-10T09:00:00.000Z', [
      fact({ phaseKey: 'mobilize', dueAt: '2025-09-10T09:00:00.000Z' }),
      accepted(DUE, { phaseKey: 'mobilize' }),
      accepted(DUE, { phaseKey: 'work' }),
    ]).finish(NAMES).content;
    expect(
      content.phases.map((p) => [p.key, p.state, p.duties, p.completionRate, p.endedWithOpenWork]),
    ).toEqual([
      ['mobilize', 'ended', 2, 0.5, true],
      ['work', 'active', 1, 1, false],
    ]);
    expect(content.phases[0]?.units).toEqual([
      { unitId: 'town', unitName: '城关镇', duties: 2, accepted: 1, submitted: 0, open: 1, overdue: 1 },
    ]);
  });

  it('keeps the longest overdue up to its cap and says how many there were', () => {
    const duties = [
      fact({ id: 'late-0', dueAt: '2025-10-09T09:00:00.000Z' }),
      fact({ id: 'late-2', dueAt: '2025-09-30T09:00:00.000Z' }),
      fact({ id: 'late-1', dueAt: '2025-10-09T01:00:00.000Z', unitId: 'village' }),
    ];
    const content = build('2025-10-10T09:00:00.000Z', duties, { overdueCap: 2 }).finish(NAMES).content;
    expect(content.overdue).toMatchObject({ total: 3, cap: 2, truncated: true });
    expect(content.overdue.items.map((o) => [o.dutyId, o.workingDaysLate, o.unitName])).toEqual([
      ['late-2', 2, '城关镇'],
      ['late-1', 1, '东街村'],
    ]);
  });
});

describe('what a unit sees', () => {
  it('sees every unit’s rank and rates, and only its own details and overdue duties', () => {
    const content = build('2025-10-10T09:00:00.000Z', [
      fact({ unitId: 'town' }),
      fact({ unitId: 'village' }),
      accepted(DUE, { unitId: 'village' }),
    ]).finish(NAMES).content;
    const summary = {} as ReportSummary;
    const view = reportView(summary, content, { scope: 'unit', unitId: 'town' });
    expect(view.ranking.map((r) => Object.keys(r).sort())).toEqual(
      Array(2).fill(['completionRate', 'onTimeRate', 'rank', 'unitId', 'unitName']),
    );
    expect(view.units.map((u) => u.unitId)).toEqual(['town']);
    expect(view.overdue).toMatchObject({ total: 1, truncated: false });
    expect(view.overdue.items.map((o) => o.unitId)).toEqual(['town']);
    expect(view.phases.flatMap((p) => p.units.map((u) => u.unitId))).toEqual(['town']);
    // Its totals are its own duties', not the plan's three.
    expect(view.totals.assigned).toBe(1);
    const all = reportView(summary, content, { scope: 'all' });
    expect(all.units).toHaveLength(2);
    expect(all.overdue.items).toHaveLength(2);
    expect(all.totals.assigned).toBe(3);
  });

  it('sees totals, summary figures and phase sheets of its own duties, agreeing with its own row', () => {
    const content = build('2025-10-10T09:00:00.000Z', [
      fact({ unitId: 'town', phaseKey: 'mobilize' }),
      fact({ unitId: 'town', phaseKey: 'mobilize' }),
      fact({ unitId: 'village', phaseKey: 'mobilize' }),
      accepted(DUE, { unitId: 'village', phaseKey: 'work' }),
    ]).finish(NAMES).content;
    const summary = {
      summary: { units: 2, duties: 4, accepted: 1, overdue: 3, completionRate: 0.25, onTimeRate: 0.25 },
    } as ReportSummary;
    const view = reportView(summary, content, { scope: 'unit', unitId: 'village' });
    const own = view.units[0];
    if (own === undefined) throw new Error('the unit has no row');
    const { rank: _rank, unitId: _id, unitName: _name, ...row } = own;
    expect(view.units.map((u) => u.unitId)).toEqual(['village']);
    expect(view.totals).toEqual(row);
    expect(view.totals).toMatchObject({ assigned: 2, doneOnTime: 1, overdue: 1, onTimeRate: 0.5 });
    expect(view.summary).toEqual({
      units: 2,
      duties: 2,
      accepted: 1,
      overdue: 1,
      completionRate: 0.5,
      onTimeRate: 0.5,
    });
    expect(
      view.phases.map((p) => [
        p.key,
        p.duties,
        p.accepted,
        p.open,
        p.overdue,
        p.completionRate,
        p.endedWithOpenWork,
      ]),
    ).toEqual([
      ['mobilize', 1, 0, 1, 1, 0, true],
      ['work', 1, 1, 0, 0, 1, false],
    ]);

    // A unit with no duty in the report sees zeros, never the plan's figures.
    const none = reportView(summary, content, { scope: 'unit', unitId: 'bureau' });
    expect(none.units).toEqual([]);
    expect(none.totals).toMatchObject({ assigned: 0, overdue: 0, onTimeRate: null });
    expect(none.totals.notices).toEqual({ remind: 0, overdue: 0, escalate: 0, accountability: 0 });
    expect(none.phases.map((p) => [p.duties, p.endedWithOpenWork, p.units])).toEqual([
      [0, false, []],
      [0, false, []],
    ]);
    expect(none.summary).toMatchObject({ duties: 0, overdue: 0, completionRate: null });
  });
});
