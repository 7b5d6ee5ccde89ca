import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import type { DutyFact } from '../../shared/domain/report/duty-at.js';
import { RANKING_RULE } from '../../shared/domain/report/ranking.js';
import { createReportBuilder, REPORT_RULES } from '../../shared/domain/report/report-builder.js';
import { reportView } from '../../shared/domain/report/report-view.js';
import { rectificationTable } from '../../shared/export/report-table.js';
import {
  ReportContentSchema,
  type ReportExtensionFact,
  type ReportFindingFact,
  type ReportSummary,
} from '../../shared/schemas/reports.js';
import { dutyFact } from '../fixtures/report-facts.js';

const TZ = 'Asia/Shanghai';
// Friday 2025-10-10 17:00 Shanghai, in week 2025-W41 (Monday 10-06).
const AS_OF = '2025-10-10T09:00:00.000Z';
const DUE = '2025-09-30T09:00:00.000Z';
const NAMES = new Map([
  ['town', '城关镇'],
  ['village', '东街村'],
  ['school', '城关小学'],
]);

const duty = (id: string, unitId: string, extra: Partial<DutyFact> = {}): DutyFact =>
  dutyFact({ id, unitId, dueAt: DUE, ...extra });

const acceptedOnTime = (id: string, unitId: string, extra: Partial<DutyFact> = {}) =>
  duty(id, unitId, {
    status: 'accepted',
    submittedAt: '2025-09-29T02:00:00.000Z',
    acceptedAt: '2025-09-29T06:00:00.000Z',
    ...extra,
  });

function builder(periodStart?: string) {
  return createReportBuilder({
    asOf: new Date(AS_OF),
    timezone: TZ,
    phases: [{ key: 'work', name: '整改阶段', start: '2025-09-01' }],
    levels: ['overdue'],
    calendar: createWorkingCalendar([]),
    ...(periodStart === undefined ? {} : { periodStart }),
  });
}

const ext = (unitId: string, extra: Partial<ReportExtensionFact>): ReportExtensionFact => ({
  unitId,
  status: 'pending',
  requestedAt: '2025-09-10T02:00:00.000Z',
  decidedAt: null,
  ...extra,
});

const finding = (id: string, extra: Partial<ReportFindingFact>): ReportFindingFact => ({
  id,
  title: `问题 ${id}`,
  source: 'unannounced',
  phaseKey: 'work',
  unitIds: [],
  dutyIds: [],
  dueAt: DUE,
  createdAt: '2025-09-15T00:00:00.000Z',
  ...extra,
});

describe('extension requests in the report', () => {
  it('counts each unit’s requests as they stood at the cut-off', () => {
    const b = builder('2025-10-06');
    b.addDuties([duty('d1', 'town'), duty('d2', 'village')]);
    b.addExtensions([
      ext('town', { status: 'approved', decidedAt: '2025-09-11T02:00:00.000Z' }),
      ext('town', { status: 'refused', decidedAt: '2025-09-12T02:00:00.000Z' }),
      // Decided after the cut-off: still pending at it.
      ext('town', {
        status: 'approved',
        requestedAt: '2025-10-06T00:00:00.000Z',
        decidedAt: '2025-10-11T00:00:00.000Z',
      }),
      // Filed after the cut-off: not counted at all.
      ext('village', { requestedAt: '2025-10-10T09:00:00.001Z' }),
    ]);
    const { content } = b.finish(NAMES);
    const town = content.units.find((u) => u.unitId === 'town');
    // 10-06 00:00 Shanghai is 10-05 16:00 UTC: the third request is this period's.
    expect(town?.extensions).toEqual({
      requested: 3,
      inPeriod: 1,
      approved: 1,
      refused: 1,
      pending: 1,
      late: 0,
    });
    expect(content.units.find((u) => u.unitId === 'village')?.extensions).toEqual({
      requested: 0,
      inPeriod: 0,
      approved: 0,
      refused: 0,
      pending: 0,
      late: 0,
    });
    expect(content.totals.extensions).toEqual(town?.extensions);
  });

  it('counts a request filed less than a day before its deadline as late (临期申请)', () => {
    const b = builder('2025-10-06');
    b.addDuties([duty('d1', 'town')]);
    b.addExtensions([
      ext('town', {
        requestedAt: '2025-09-10T02:00:00.000Z',
        dueAtWhenRequested: '2025-09-11T01:59:59.999Z',
      }),
      // Exactly a day ahead is in time.
      ext('town', {
        requestedAt: '2025-09-10T02:00:00.000Z',
        dueAtWhenRequested: '2025-09-11T02:00:00.000Z',
      }),
      // Requests stored before the deadline was kept with them are not judged.
      ext('town', { requestedAt: '2025-09-10T02:00:00.000Z' }),
    ]);
    const { content } = b.finish(NAMES);
    expect(content.units.find((u) => u.unitId === 'town')?.extensions).toMatchObject({
      requested: 3,
      late: 1,
    });
  });

  it('starts the period at local midnight of its first day', () => {
    const b = builder('2025-10-06');
    b.addDuties([duty('d1', 'town')]);
    b.addExtensions([
      ext('town', { requestedAt: '2025-10-05T15:59:59.999Z' }),
      ext('town', { requestedAt: '2025-10-05T16:00:00.000Z' }),
    ]);
    expect(b.finish(NAMES).content.totals.extensions).toMatchObject({ requested: 2, inPeriod: 1 });
  });
});

describe('rectification duties in the report', () => {
  const rect = (id: string, unitId: string, extra: Partial<DutyFact> = {}) =>
    duty(id, unitId, { kind: 'rectification', taskId: 'task-finding', ...extra });

  function built() {
    const b = builder();
    b.addDuties([
      acceptedOnTime('t-town', 'town'),
      acceptedOnTime('t-village', 'village'),
      rect('r-town', 'town'),
      rect('r-village', 'village', {
        status: 'accepted',
        submittedAt: '2025-09-29T02:00:00.000Z',
        acceptedAt: '2025-09-30T02:00:00.000Z',
      }),
      rect('r-school', 'school', {
        status: 'accepted',
        submittedAt: '2025-09-28T02:00:00.000Z',
        acceptedAt: '2025-09-29T02:00:00.000Z',
      }),
      rect('r-late', 'school', { createdAt: '2025-10-11T00:00:00.000Z' }),
    ]);
    b.addFindings([
      finding('f-a', {
        unitIds: ['town', 'village'],
        dutyIds: ['r-town', 'r-village'],
        source: 'self-check',
      }),
      finding('f-b', {
        unitIds: ['school'],
        dutyIds: ['r-school'],
        source: 'county-check',
        dueAt: '2025-09-20T00:00:00.000Z',
      }),
      // Found after the cut-off: not in this report.
      finding('f-c', { unitIds: ['school'], dutyIds: ['r-late'], createdAt: '2025-10-11T00:00:00.000Z' }),
    ]);
    return b.finish(NAMES).content;
  }

  it('counts them per unit apart, while they stay in every other column', () => {
    const content = built();
    const town = content.units.find((u) => u.unitId === 'town');
    expect(town?.rectification).toEqual({
      assigned: 1,
      accepted: 0,
      submitted: 0,
      openNotDue: 0,
      overdue: 1,
    });
    expect(town).toMatchObject({ assigned: 2, doneOnTime: 1, overdue: 1 });
    expect(content.totals.rectification).toEqual({
      assigned: 3,
      accepted: 2,
      submitted: 0,
      openNotDue: 0,
      overdue: 1,
    });
  });

  it('ranks a unit that left a rectification overdue below one that did not', () => {
    const content = built();
    // Town and village each did their ordinary duty on time; only the town's rectification is overdue.
    expect(content.units.map((u) => [u.unitId, u.rank])).toEqual([
      ['school', 1],
      ['village', 1],
      ['town', 3],
    ]);
    expect(RANKING_RULE).toContain('督查整改任务与其他任务一样计入');
    expect(REPORT_RULES.rectification).toContain('销号');
  });

  it('lists each finding with its units, open ones first, closed (销号) only when all are accepted', () => {
    const section = built().rectifications;
    expect(section).toMatchObject({ findings: 2, closed: 1, duties: 3, accepted: 2, overdue: 1 });
    expect(section?.items.map((f) => [f.findingId, f.closed, f.closedAt, f.sourceLabel])).toEqual([
      ['f-a', false, null, '自查'],
      ['f-b', true, '2025-09-29T02:00:00.000Z', '县级检查'],
    ]);
    expect(section?.items[0]?.units.map((u) => [u.unitName, u.status, u.overdue])).toEqual([
      ['城关镇', 'open', true],
      ['东街村', 'accepted', false],
    ]);
  });

  it('shows a unit the findings that name it, with its own part only', () => {
    const summary = { id: 'rpt-x', asOf: AS_OF } as ReportSummary;
    const view = reportView(summary, built(), { scope: 'unit', unitId: 'village' });
    expect(view.rectifications?.items.map((f) => f.findingId)).toEqual(['f-a']);
    expect(view.rectifications?.items[0]?.units.map((u) => u.unitId)).toEqual(['village']);
    // The finding's own state still shows: it is not closed while another unit's part is open.
    expect(view.rectifications?.items[0]).toMatchObject({ closed: false, duties: 2, accepted: 1 });
  });

  it('exports the section one finding a row', () => {
    const summary = { id: 'rpt-x', asOf: AS_OF, timezone: TZ } as ReportSummary;
    const table = rectificationTable(reportView(summary, built(), { scope: 'all' }));
    expect(table?.rows.map((r) => [r[0], r[1], r[3], r[9]])).toEqual([
      ['问题 f-a', '自查', '城关镇(逾期)、东街村(已办结)', '未销号'],
      ['问题 f-b', '县级检查', '城关小学(已办结)', '已销号'],
    ]);
  });

  it('reads a report frozen before the section existed as "not counted", not as zeros', () => {
    const summary = { id: 'rpt-x', asOf: AS_OF, timezone: TZ } as ReportSummary;
    // What a report stored before these fields existed holds: none of them.
    const { rectifications: _r, ...rest } = built();
    const stored = JSON.parse(
      JSON.stringify({
        ...rest,
        units: rest.units.map(({ extensions: _e, rectification: _c, ...u }) => u),
      }),
    );
    const old = ReportContentSchema.parse(stored);
    expect(old.rectifications).toBeNull();
    expect(old.units.every((u) => u.extensions === null && u.rectification === null)).toBe(true);
    expect(rectificationTable(reportView(summary, old, { scope: 'all' }))).toBeNull();
  });
});
