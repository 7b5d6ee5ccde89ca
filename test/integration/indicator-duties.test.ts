/**
 * Each indicator report is a duty on the ladder: one per (reporting unit, period), created when the
 * indicators are defined (fixed ids: defining again creates nothing), closed when the unit has a
 * figure for every indicator it owes that period, escalated by the sweep when it has not — and the
 * plan's counters agree with a recount through all of it. Real app, DynamoDB Local.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { endOfLocalDay } from '../../shared/domain/time/zoned-time.js';
import type { AuditEventView } from '../../shared/schemas/audit.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Indicator, IndicatorTableView } from '../../shared/schemas/indicators.js';
import type { Notice, SweepResult } from '../../shared/schemas/notices.js';
import type { Plan, RecountResult } from '../../shared/schemas/plans.js';
import type { Report } from '../../shared/schemas/reports.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { reportDutyId, reportTaskId } from '../../shared/services/indicator-duties.js';
import { testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type Page<T> = { items: T[]; nextCursor: string | null };

const START = new Date('2026-06-03T02:00:00Z');
const PHASES = [
  { key: 'self-check', name: '自查补短阶段', start: '2026-05-01', end: '2026-06-30' },
  { key: 'consolidate', name: '稳固待检阶段', start: '2026-07-01', end: '2026-07-31' },
];
const INDICATORS: Record<string, Record<string, unknown>> = {
  enrol: {
    name: '小学适龄儿童入学率',
    measure: 'ratio',
    unitOfMeasure: '%',
    direction: 'gte',
    target: '100',
    period: 'monthly',
    reportingUnitIds: ['east', 'west'],
  },
  hazards: {
    name: '校园安全隐患',
    measure: 'count',
    unitOfMeasure: '处',
    direction: 'lte',
    target: '0',
    veto: true,
    period: 'monthly',
    reportingUnitIds: ['east', 'west'],
  },
  'd-grade': {
    name: 'D级危房',
    measure: 'count',
    unitOfMeasure: '间',
    direction: 'lte',
    target: '0',
    veto: true,
    period: 'semester',
    reportingUnitIds: ['east'],
  },
};

let api: Api;
let plan: Plan;

async function allDuties(): Promise<Duty[]> {
  const all: Duty[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/v1/plans/${plan.id}/duties?limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await api.call<Page<Duty>>('GET', q);
    expect(res.status, res.text).toBe(200);
    all.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return all;
}
async function noticesOf(dutyId: string): Promise<Notice[]> {
  const all: Notice[] = [];
  let cursor: string | null = null;
  do {
    const q: string = `/v1/notices?planId=${plan.id}&limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const res = await api.call<Page<Notice>>('GET', q);
    all.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return all.filter((n) => n.dutyId === dutyId);
}
const duty = async (id: string) => {
  const res = await api.call<Duty>('GET', `/v1/duties/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const history = async (id: string) =>
  (await api.call<Page<AuditEventView>>('GET', `/v1/duties/${id}/history?limit=100`)).body.items;
const defineIndicator = async (key: string, body: Record<string, unknown>) => {
  const res = await api.call<Indicator>('PUT', `/v1/plans/${plan.id}/indicators/${key}`, { body });
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const report = async (key: string, period: string, unitId: string, body: Record<string, unknown>) => {
  const res = await api.call<{ version: number }>(
    'PUT',
    `/v1/plans/${plan.id}/indicators/${key}/figures/${period}`,
    {
      as: unitUser(unitId),
      body: { source: 'report', evidence: [], ...body },
    },
  );
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const sweep = async () => {
  const res = await api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId: plan.id } });
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const recount = async () => {
  const res = await api.call<RecountResult>('POST', `/v1/plans/${plan.id}/counters/recount`);
  expect(res.status, res.text).toBe(200);
  return res.body;
};

beforeAll(async () => {
  api = await testApp({ now: START });
  for (const body of [
    { id: 'county', name: '县教育体育局', kind: 'bureau' },
    { id: 'town', name: '城关镇', kind: 'township', parentId: 'county' },
    { id: 'east', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'west', name: '西街村', kind: 'village', parentId: 'town' },
    { id: 'north', name: '北坡村', kind: 'village', parentId: 'town' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  plan = (await api.call<Plan>('POST', '/v1/plans', { body: { title: '控辍保学指标监测', phases: PHASES } }))
    .body;
  for (const [key, body] of Object.entries(INDICATORS)) await defineIndicator(key, body);
});

describe('indicator reports as duties', () => {
  it('creates one duty per unit and period (not per indicator), titled by the period and due on the 5th working day after it', async () => {
    const duties = await allDuties();
    // May, June, July × east, west for the two monthly indicators; the spring semester × east.
    expect(duties).toHaveLength(7);
    expect(duties.map((d) => `${d.unitId} ${d.title}`).sort()).toEqual([
      'east 报送指标数据(2026年5月)',
      'east 报送指标数据(2026年6月)',
      'east 报送指标数据(2026年7月)',
      'east 报送指标数据(2026年春季学期)',
      'west 报送指标数据(2026年5月)',
      'west 报送指标数据(2026年6月)',
      'west 报送指标数据(2026年7月)',
    ]);
    const may = await duty(reportDutyId(plan.id, 'east', '2026-05'));
    expect(may).toMatchObject({ kind: 'report', status: 'open', phaseKey: 'self-check', role: 'lead' });
    // June 2026: Mon 1st … Fri 5th is the 5th working day.
    expect(may.dueAt).toBe(endOfLocalDay('2026-06-05', 'Asia/Shanghai').toISOString());
    // July's report is due in August, after the last phase: it belongs to the last one begun.
    expect((await duty(reportDutyId(plan.id, 'west', '2026-07'))).phaseKey).toBe('consolidate');
    // The semester's report: 10 working days after 31 July.
    expect((await duty(reportDutyId(plan.id, 'east', '2026-spring'))).dueAt).toBe(
      endOfLocalDay('2026-08-14', 'Asia/Shanghai').toISOString(),
    );
    // One task per period, under a fixed id, naming every unit that owes the report.
    const task = await api.call<Task>(
      'GET',
      `/v1/plans/${plan.id}/tasks/${reportTaskId(plan.id, '2026-05')}`,
    );
    expect(task.status, task.text).toBe(200);
    expect(task.body).toMatchObject({
      title: '报送指标数据(2026年5月)',
      leadUnitId: 'east',
      coUnitIds: ['west'],
    });
    // Its history opens with the assignment by the system.
    expect((await history(may.id))[0]).toMatchObject({ action: 'duty.assign', actor: 'system:indicators' });
  });

  it('defining the indicators again, even at once, creates nothing; a new reporting unit gets only its own duties', async () => {
    const listed = (await api.call<{ items: Indicator[] }>('GET', `/v1/plans/${plan.id}/indicators`)).body;
    const items = Array.isArray(listed) ? (listed as Indicator[]) : listed.items;
    const byKey = new Map(items.map((i) => [i.key, i]));
    await Promise.all(
      ['enrol', 'hazards'].map((key) =>
        defineIndicator(key, { ...INDICATORS[key], expectedVersion: byKey.get(key)?.version }),
      ),
    );
    expect(await allDuties()).toHaveLength(7);
    const enrol = byKey.get('enrol');
    await defineIndicator('enrol', {
      ...INDICATORS.enrol,
      reportingUnitIds: ['east', 'west', 'north'],
      expectedVersion: (enrol?.version ?? 0) + 1,
    });
    const duties = await allDuties();
    expect(duties).toHaveLength(10);
    expect(new Set(duties.map((d) => d.id)).size).toBe(10);
    expect(
      duties
        .filter((d) => d.unitId === 'north')
        .map((d) => d.title)
        .sort(),
    ).toEqual(['报送指标数据(2026年5月)', '报送指标数据(2026年6月)', '报送指标数据(2026年7月)']);
    expect((await recount()).corrections).toEqual([]);
  });

  it('closes a unit’s duty when it has reported every indicator it owes for the period, once, with history', async () => {
    const id = reportDutyId(plan.id, 'east', '2026-05');
    await report('enrol', '2026-05', 'east', { numerator: '98', denominator: '100' });
    expect((await duty(id)).status).toBe('open');
    await report('hazards', '2026-05', 'east', { numerator: '0' });
    const closed = await duty(id);
    expect(closed).toMatchObject({ status: 'accepted', acceptedAt: START.toISOString() });
    expect(closed.reviews.at(-1)).toMatchObject({ decision: 'accepted', by: 'system:indicators' });
    // A second source of a figure already in changes nothing.
    await report('hazards', '2026-05', 'east', { numerator: '0', source: 'archive' });
    const accepts = (await history(id)).filter((e) => e.action === 'duty.accept');
    expect(accepts).toHaveLength(1);
    expect(accepts[0]).toMatchObject({ actor: 'system:indicators', after: { status: 'accepted' } });
    // West's June duty: its two figures arrive at once; it is closed once.
    const west = reportDutyId(plan.id, 'west', '2026-06');
    await Promise.all([
      report('enrol', '2026-06', 'west', { numerator: '100', denominator: '100' }),
      report('hazards', '2026-06', 'west', { numerator: '0' }),
    ]);
    expect((await duty(west)).status).toBe('accepted');
    expect((await history(west)).filter((e) => e.action === 'duty.accept')).toHaveLength(1);
    // East's semester duty is its own: the monthly figures do not close it.
    expect((await duty(reportDutyId(plan.id, 'east', '2026-spring'))).status).toBe('open');
    expect((await recount()).corrections).toEqual([]);
  });

  it('an unreported period is overdue and escalates through the sweep, each level exactly once', async () => {
    const west = reportDutyId(plan.id, 'west', '2026-05');
    const east = reportDutyId(plan.id, 'east', '2026-05');
    // Tue 9 June: May's reports were due Friday the 5th.
    api.setNow(new Date('2026-06-09T02:00:00Z'));
    expect((await duty(west)).overdue).toBe(true);
    await Promise.all([sweep(), sweep(), sweep()]);
    expect((await noticesOf(west)).map((n) => n.level).sort()).toEqual(['overdue', 'remind']);
    // 3 working days after the due time: escalated (督办) to the parent and the leaders; 5: 通报问责.
    api.setNow(new Date('2026-06-15T02:00:00Z'));
    await Promise.all([sweep(), sweep()]);
    await sweep();
    const levels = (await noticesOf(west)).map((n) => n.level).sort();
    expect(levels).toEqual(['accountability', 'escalate', 'overdue', 'remind']);
    expect((await noticesOf(west)).find((n) => n.level === 'escalate')?.recipients).toContain('unit:town');
    // The one that reported in time got no notice at all.
    expect((await noticesOf(east)).map((n) => n.level)).toEqual([]);
    // Reporting late still closes it, late.
    await report('enrol', '2026-05', 'west', { numerator: '99', denominator: '100' });
    await report('hazards', '2026-05', 'west', { numerator: '1' });
    expect((await duty(west)).status).toBe('accepted');
    expect((await recount()).corrections).toEqual([]);
  });
});

describe('figures as of a past cut-off', () => {
  const CUT_OFF = '2026-06-19T17:00:00+08:00';
  const tableAt = async (asOf?: string) => {
    const q = `/v1/plans/${plan.id}/indicators/table?period=2026-06${asOf ? `&asOf=${encodeURIComponent(asOf)}` : ''}`;
    const res = await api.call<IndicatorTableView>('GET', q);
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const cell = (t: IndicatorTableView, unitId: string, key: string) =>
    t.rows.find((r) => r.unitId === unitId)?.cells[key];

  it('a frozen report scores the figures as they stood at its cut-off; corrections after it change neither it nor the past table, and are audited', async () => {
    // West reported June's hazards as 0 on 3 June; on the 22nd it corrects them to 3 (a veto breach).
    api.setNow(new Date('2026-06-22T02:00:00Z'));
    const corrected = await report('hazards', '2026-06', 'west', { numerator: '3', expectedVersion: 1 });
    expect(corrected.version).toBe(2);
    // North's first June figure also comes in after the cut-off.
    await report('enrol', '2026-06', 'north', { numerator: '50', denominator: '50' });

    expect(cell(await tableAt(), 'west', 'hazards')).toMatchObject({ value: '3.00', status: 'breached' });
    const past = await tableAt(CUT_OFF);
    expect(cell(past, 'west', 'hazards')).toMatchObject({ value: '0.00', status: 'met' });
    expect(cell(past, 'north', 'enrol')).toMatchObject({ basis: 'missing', figure: null });
    expect(past.rows.find((r) => r.unitId === 'west')?.vetoed).toBe(false);

    // The week's report, cut off on Friday the 19th and made on Monday the 22nd.
    const made = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, {
      body: { period: 'week', asOf: CUT_OFF },
    });
    expect(made.status, made.text).toBe(201);
    const west = made.body.scoring?.units.find((u) => u.unitId === 'west');
    expect(west).toMatchObject({ vetoed: false, vetoReasons: [] });
    expect(west?.lines).toContainEqual(expect.objectContaining({ label: '校园安全隐患:达标' }));

    // Corrected again the next day, after the report is frozen: the report stays as it was.
    api.setNow(new Date('2026-06-23T02:00:00Z'));
    await report('hazards', '2026-06', 'west', { numerator: '5', expectedVersion: 2 });
    const again = await api.call<Report>('GET', `/v1/reports/${made.body.id}`);
    expect(again.body.scoring).toEqual(made.body.scoring);
    expect(cell(await tableAt(CUT_OFF), 'west', 'hazards')).toMatchObject({ value: '0.00' });
    expect(cell(await tableAt('2026-06-22T10:30:00+08:00'), 'west', 'hazards')).toMatchObject({
      value: '3.00',
    });

    // Each correction is in the audit trail with what it replaced.
    const audit = await api.call<Page<AuditEventView>>(
      'GET',
      `/v1/audit?planId=${plan.id}&actor=west-clerk&limit=100`,
    );
    expect(audit.status, audit.text).toBe(200);
    const corrections = audit.body.items.filter(
      (e) => e.action === 'figure.correct' && e.after?.key === 'hazards' && e.after?.unitId === 'west',
    );
    expect(corrections.map((e) => [e.before?.numerator, e.after?.numerator]).sort()).toEqual([
      ['0', '3'],
      ['3', '5'],
    ]);
  });

  it('refuses a cut-off that is not a time with its offset, naming the field', async () => {
    const res = await api.call<{ error: { details?: { fields?: { field: string }[] } } }>(
      'GET',
      `/v1/plans/${plan.id}/indicators/table?period=2026-06&asOf=yesterday`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details?.fields?.map((f) => f.field)).toContain('asOf');
  });
});
