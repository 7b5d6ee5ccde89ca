import { beforeAll, describe, expect, it } from 'vitest';
import type { FindingView } from '../../shared/schemas/findings.js';
import type { FigureResult, Indicator, IndicatorTableView } from '../../shared/schemas/indicators.js';
import type { Notice } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { LEADER, OFFICE, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { field: string; message: string }[] } };
}

const VILLAGES = ['east', 'west', 'north'];

const ratio = (name: string, direction: string, target: string, extra: Record<string, unknown> = {}) => ({
  name,
  measure: 'ratio',
  unitOfMeasure: '%',
  direction,
  target,
  period: 'monthly',
  reportingUnitIds: VILLAGES,
  ...extra,
});

/** Seed 003's targets, with their names and numbers as the plan writes them. */
const SEED_003: Record<string, Record<string, unknown>> = {
  'primary-enrolment': ratio('小学适龄儿童入学率', 'gte', '100'),
  'junior-gross': ratio('初中阶段毛入学率', 'gte', '100', { mayExceedWhole: true }),
  'junior-net': ratio('初中阶段净入学率', 'gte', '98', { warningBand: '0.5' }),
  disabled: ratio('适龄残疾儿童少年入学率', 'gte', '90'),
  'dropout-primary': ratio('小学年辍学率', 'lte', '0.2'),
  'dropout-junior': ratio('初中年辍学率', 'lte', '1.2'),
  'completion-15': ratio('15周岁人口初等教育完成率', 'gte', '98.5'),
  'completion-17': ratio('17周岁人口初级中等教育完成率', 'gte', '94'),
  'illiteracy-15': ratio('15周岁人口文盲率', 'lte', '0.51'),
  'literacy-15-50': ratio('15至50周岁人口识字率', 'gte', '99.05'),
  coverage: ratio('义务教育全覆盖', 'eq', '100', { veto: true }),
  'd-grade': {
    name: 'D级危房',
    measure: 'count',
    unitOfMeasure: '间',
    direction: 'lte',
    target: '0',
    veto: true,
    period: 'semester',
    reportingUnitIds: VILLAGES,
  },
  hazards: {
    name: '校园安全隐患',
    measure: 'count',
    unitOfMeasure: '处',
    direction: 'lte',
    target: '0',
    veto: true,
    period: 'monthly',
    reportingUnitIds: VILLAGES,
  },
  funding: {
    name: '教育经费投入',
    measure: 'amount',
    unitOfMeasure: '元',
    direction: 'gte',
    target: '12500000',
    veto: true,
    period: 'once',
    reportingUnitIds: ['county'],
  },
};

let api: Api;
let plan: Plan;

const put = (key: string, period: string, body: Record<string, unknown>, as = unitUser('east')) =>
  api.call<FigureResult & ErrorBody>('PUT', `/v1/plans/${plan.id}/indicators/${key}/figures/${period}`, {
    as,
    body,
  });
const table = async (period: string) => {
  const res = await api.call<IndicatorTableView>(
    'GET',
    `/v1/plans/${plan.id}/indicators/table?period=${period}`,
  );
  expect(res.status, res.text).toBe(200);
  return res.body;
};
const row = (t: IndicatorTableView, unitId: string) => {
  const r = t.rows.find((x) => x.unitId === unitId);
  if (r === undefined) throw new Error(`no row for ${unitId}`);
  return r;
};
const fields = (res: { body: ErrorBody }) => (res.body.error.details?.fields ?? []).map((f) => f.field);

beforeAll(async () => {
  api = await testApp({ now: new Date('2026-06-10T02:00:00Z') });
  for (const body of [
    { id: 'county', name: '县教育体育局', kind: 'bureau' },
    { id: 'town', name: '城关镇', kind: 'township', parentId: 'county' },
    { id: 'east', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'west', name: '西街村', kind: 'village', parentId: 'town' },
    { id: 'hill', name: '山后乡', kind: 'township', parentId: 'county' },
    { id: 'north', name: '北坡村', kind: 'village', parentId: 'hill' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: {
        title: '义务教育基本均衡迎国检',
        phases: [
          { key: 'self-check', name: '自查补短阶段', start: '2026-03-01', end: '2026-08-31' },
          { key: 'consolidate', name: '稳固待检阶段', start: '2026-09-01', end: '2026-12-31' },
        ],
      },
    })
  ).body;
  for (const [key, body] of Object.entries(SEED_003)) {
    const res = await api.call('PUT', `/v1/plans/${plan.id}/indicators/${key}`, { body });
    expect(res.status, res.text).toBe(200);
  }
});

describe('indicators as data (seed 003 as written)', () => {
  it('keeps every target with its name, direction, veto and period', async () => {
    const res = await api.call<{ items: Indicator[] }>('GET', `/v1/plans/${plan.id}/indicators`, {
      as: unitUser('east'),
    });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(14);
    const byKey = new Map(res.body.items.map((i) => [i.key, i]));
    expect(byKey.get('literacy-15-50')).toMatchObject({ name: '15至50周岁人口识字率', target: '99.05' });
    expect(byKey.get('dropout-junior')).toMatchObject({ direction: 'lte', target: '1.2' });
    expect(byKey.get('funding')).toMatchObject({ measure: 'amount', veto: true, period: 'once' });
    expect(
      res.body.items
        .filter((i) => i.veto)
        .map((i) => i.key)
        .sort(),
    ).toEqual(['coverage', 'd-grade', 'funding', 'hazards']);
  });

  it('is written by the office only, and changed only at its current version', async () => {
    const body = SEED_003['junior-net'];
    expect(
      (await api.call('PUT', `/v1/plans/${plan.id}/indicators/x`, { as: unitUser('east'), body })).status,
    ).toBe(403);
    expect((await api.call('PUT', `/v1/plans/${plan.id}/indicators/x`, { as: LEADER, body })).status).toBe(
      403,
    );
    const again = await api.call<ErrorBody>('PUT', `/v1/plans/${plan.id}/indicators/junior-net`, { body });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('indicator_exists');
    const stale = await api.call<ErrorBody>('PUT', `/v1/plans/${plan.id}/indicators/junior-net`, {
      body: { ...body, expectedVersion: 7 },
    });
    expect(stale.status).toBe(409);
    const bad = await api.call<ErrorBody>('PUT', `/v1/plans/${plan.id}/indicators/bad`, {
      body: { ...body, target: '98%', reportingUnitIds: ['nowhere'] },
    });
    expect(bad.status).toBe(400);
    expect(fields(bad)).toEqual(expect.arrayContaining(['target']));
    const ghost = await api.call<ErrorBody>('PUT', `/v1/plans/${plan.id}/indicators/bad`, {
      body: { ...body, reportingUnitIds: ['nowhere'] },
    });
    expect(ghost.status).toBe(400);
    expect(fields(ghost)).toEqual(['reportingUnitIds.0']);
  });
});

describe('figures', () => {
  it('a unit reports only its own figures; others are refused and nothing is written', async () => {
    const body = { source: 'report', numerator: '5', denominator: '10', unitId: 'west' };
    expect((await put('completion-17', '2026-04', body)).status).toBe(403);
    expect((await put('completion-17', '2026-04', body, unitUser('town'))).status).toBe(403);
    expect((await put('completion-17', '2026-04', body, LEADER)).status).toBe(403);
    const t = await table('2026-04');
    expect(row(t, 'west').cells['completion-17']).toMatchObject({ basis: 'missing', figure: null });
  });

  it('refuses bad numerators, denominators, periods and units with 400 naming the field', async () => {
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['completion-15', '2026-04', { source: 'report', numerator: '1001', denominator: '1000' }, 'numerator'],
      ['completion-15', '2026-04', { source: 'report', numerator: '98.5%', denominator: '100' }, 'numerator'],
      ['completion-15', '2026-04', { source: 'report', numerator: '-3', denominator: '100' }, 'numerator'],
      ['completion-15', '2026-04', { source: 'report', numerator: '98' }, 'denominator'],
      ['completion-15', '2026-04', { source: 'report', numerator: '98', denominator: '0' }, 'denominator'],
      ['completion-15', '2027-04', { source: 'report', numerator: '98', denominator: '100' }, 'period'],
      ['completion-15', '2026-spring', { source: 'report', numerator: '98', denominator: '100' }, 'period'],
      ['hazards', '2026-04', { source: 'report', numerator: '2', denominator: '3' }, 'denominator'],
      ['hazards', '2026-04', { source: 'report', numerator: '-1' }, 'numerator'],
      ['funding', 'once', { source: 'report', numerator: '100' }, 'unitId'],
      ['completion-15', '2026-04', { source: 'rumour', numerator: '98', denominator: '100' }, 'source'],
    ];
    for (const [key, period, body, field] of cases) {
      const res = await put(key, period, body);
      expect(res.status, `${key} ${JSON.stringify(body)}`).toBe(400);
      expect(fields(res), JSON.stringify(body)).toContain(field);
    }
    // A gross enrolment rate may exceed the whole.
    expect(
      (await put('junior-gross', '2026-04', { source: 'report', numerator: '105', denominator: '100' }))
        .status,
    ).toBe(200);
    const t = await table('2026-04');
    expect(row(t, 'east').cells['completion-15']?.basis).toBe('missing');
  });

  it('is corrected only at its current version', async () => {
    const body = { source: 'report', numerator: '99', denominator: '100' };
    expect((await put('primary-enrolment', '2026-05', body)).status).toBe(200);
    const twice = await put('primary-enrolment', '2026-05', body);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('figure_exists');
    const fixed = await put('primary-enrolment', '2026-05', {
      ...body,
      numerator: '100',
      expectedVersion: 1,
    });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ version: 2, status: 'met' });
    expect((await put('primary-enrolment', '2026-05', { ...body, expectedVersion: 1 })).status).toBe(409);
    // The correction is in the plan's audit trail with what it replaced.
    const audit = await api.call<{ items: { action: string; before: { numerator?: string } | null }[] }>(
      'GET',
      `/v1/audit?planId=${plan.id}`,
    );
    expect(audit.status, audit.text).toBe(200);
    const correction = audit.body.items.find((e) => e.action === 'figure.correct');
    expect(correction?.before?.numerator).toBe('99');
  });
});

describe('the table', () => {
  it('rolls up by summing numerators and denominators, never averaging rates', async () => {
    const f = (unit: string, numerator: string, denominator: string) =>
      put('completion-15', '2026-06', { source: 'report', numerator, denominator }, unitUser(unit));
    expect((await f('east', '985', '1000')).body.status).toBe('met');
    expect((await f('west', '9', '10')).body.status).toBe('breached');
    expect((await f('north', '100', '100')).body.status).toBe('met');
    const t = await table('2026-06');
    expect(row(t, 'town').cells['completion-15']).toMatchObject({
      basis: 'rolled-up',
      figure: { numerator: '994', denominator: '1010' },
      value: '98.42',
      status: 'breached',
    });
    // 1094 of 1110 is 98.56%: the county meets 98.5% though one village of ten is at 90%.
    expect(t.total.cells['completion-15']).toMatchObject({
      figure: { numerator: '1094', denominator: '1110' },
      value: '98.56',
      status: 'met',
    });
    expect(row(t, 'hill').cells['completion-15']).toMatchObject({ value: '100.00', status: 'met' });
    expect(row(t, 'county').depth).toBe(0);
    expect(row(t, 'east').depth).toBe(2);
    expect(row(t, 'west').light).toBe('red');
    expect(row(t, 'hill').light).toBe('green');
  });

  it('marks a unit and the county red for a breached veto item, whatever else is met', async () => {
    expect(
      (await put('hazards', '2026-07', { source: 'report', numerator: '1' }, unitUser('north'))).body.status,
    ).toBe('breached');
    expect(
      (await put('hazards', '2026-07', { source: 'report', numerator: '0' }, unitUser('east'))).body.status,
    ).toBe('met');
    const t = await table('2026-07');
    expect(row(t, 'north')).toMatchObject({ vetoed: true, light: 'red', vetoReasons: ['校园安全隐患'] });
    expect(row(t, 'hill')).toMatchObject({ vetoed: true, light: 'red' });
    expect(row(t, 'east')).toMatchObject({ vetoed: false, light: 'green' });
    expect(t.total).toMatchObject({ vetoed: true, light: 'red', vetoReasons: ['校园安全隐患'] });
  });

  it('refuses a period no indicator is reported in', async () => {
    const res = await api.call<ErrorBody>('GET', `/v1/plans/${plan.id}/indicators/table?period=2031-01`);
    expect(res.status).toBe(400);
    expect(fields(res)).toEqual(['period']);
  });
});

describe('breach notices', () => {
  it('are written exactly once per indicator, unit and period under concurrent reports', async () => {
    // The unit for itself and the office on its behalf, four sources at once, all breaching.
    const results = await Promise.all(
      ['report', 'registry', 'archive', 'platform'].map((source, i) =>
        put(
          'dropout-primary',
          '2026-08',
          { source, numerator: '3', denominator: '1000', unitId: 'west' },
          i % 2 === 0 ? unitUser('west') : OFFICE,
        ),
      ),
    );
    for (const r of results) expect(r.body).toMatchObject({ status: 'breached' });
    const ids = new Set(results.map((r) => r.body.breachNoticeId));
    expect(ids.size).toBe(1);
    const notices = (
      await api.call<{ items: Notice[] }>(
        'GET',
        `/v1/notices?unitId=west&planId=${plan.id}&level=indicator-breach`,
      )
    ).body.items;
    const dropout = notices.filter((n) => n.dutyTitle.includes('小学年辍学率'));
    expect(dropout).toHaveLength(1);
    expect(dropout[0]?.id).toBe([...ids][0]);
    expect(dropout[0]).toMatchObject({ level: 'indicator-breach', levelLabel: '指标未达标', unitId: 'west' });
    expect(dropout[0]?.recipients.sort()).toEqual(['role:leaders', 'unit:town', 'unit:west']);
    const leaders = (
      await api.call<{ items: Notice[] }>('GET', `/v1/notices?planId=${plan.id}`, { as: LEADER })
    ).body.items;
    expect(leaders.filter((n) => n.id === dropout[0]?.id)).toHaveLength(1);
  });
});

describe('三一致 (report, systems and archive agree)', () => {
  const selfChecks = async () =>
    (await api.call<{ items: FindingView[] }>('GET', `/v1/plans/${plan.id}/findings`)).body.items.filter(
      (f) => f.source === 'self-check',
    );

  it('a mismatch makes one finding with a rectification duty; agreement closes it', async () => {
    const east = unitUser('east');
    const first = await put(
      'junior-net',
      '2026-05',
      { source: 'report', numerator: '1198', denominator: '1203' },
      east,
    );
    expect(first.body).toMatchObject({ consistency: 'single', findingId: null });
    const [a, b] = await Promise.all([
      put('junior-net', '2026-05', { source: 'registry', numerator: '1190', denominator: '1203' }, east),
      put('junior-net', '2026-05', { source: 'archive', numerator: '1198', denominator: '1203' }, east),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    let found = await selfChecks();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ unitIds: ['east'], status: 'open', total: 1 });
    expect(found[0]?.detail).toContain('学籍系统 1190');
    expect(found[0]?.title).toContain('东街村');
    // The unit sees its own rectification duty.
    const mine = await api.call<{ items: FindingView[] }>('GET', `/v1/plans/${plan.id}/findings`, {
      as: east,
    });
    expect(mine.body.items.filter((f) => f.source === 'self-check')).toHaveLength(1);
    let t = await table('2026-05');
    expect(row(t, 'east').cells['junior-net']).toMatchObject({ consistency: 'mismatch' });
    expect(row(t, 'east').consistency).toBe('mismatch');

    const fixed = await put(
      'junior-net',
      '2026-05',
      { source: 'registry', numerator: '1198', denominator: '1203', expectedVersion: 1 },
      east,
    );
    expect(fixed.body.consistency).toBe('agree');
    found = await selfChecks();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ status: 'closed' });
    // The frozen report says so too.
    const report = await api.call<{
      rectifications: { items: { findingId: string; closed: boolean }[] } | null;
    }>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } });
    expect(report.status, report.text).toBe(201);
    expect(report.body.rectifications?.items.find((f) => f.findingId === found[0]?.id)?.closed).toBe(true);
    t = await table('2026-05');
    expect(row(t, 'east').cells['junior-net']).toMatchObject({
      consistency: 'agree',
      sources: ['report', 'registry', 'archive'],
    });
  });

  it('agrees within the tolerance the indicator sets', async () => {
    const body = { ...SEED_003.disabled, tolerance: '2', reportingUnitIds: ['north'], expectedVersion: 1 };
    expect((await api.call('PUT', `/v1/plans/${plan.id}/indicators/disabled`, { body })).status).toBe(200);
    const north = unitUser('north');
    await put('disabled', '2026-05', { source: 'report', numerator: '40', denominator: '42' }, north);
    const close = await put(
      'disabled',
      '2026-05',
      { source: 'aid', numerator: '41', denominator: '43' },
      north,
    );
    expect(close.body.consistency).toBe('agree');
    const far = await put(
      'disabled',
      '2026-05',
      { source: 'registry', numerator: '37', denominator: '42' },
      north,
    );
    expect(far.body.consistency).toBe('mismatch');
    expect((await selfChecks()).filter((f) => f.unitIds.includes('north'))).toHaveLength(1);
  });
});
