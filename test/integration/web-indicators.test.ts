import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { PutFigureSchema, PutIndicatorSchema } from '../../shared/schemas/indicators.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { block, webApp } from './web-harness.js';

const NOW = new Date('2026-06-10T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };
const unit = (unitId: string): Principal => ({ sub: `clerk-${unitId}`, role: 'unit', unitId });

describe('page: 指标监测', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let planId: string;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    const s = web.services;
    for (const u of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' as const },
      { id: 'town', name: '城关镇', kind: 'township' as const, parentId: 'county' },
      { id: 'east', name: '东街村', kind: 'village' as const, parentId: 'town' },
      { id: 'west', name: '西街村', kind: 'village' as const, parentId: 'town' },
    ]) {
      await s.units.create(OFFICE, u, NOW);
    }
    planId = (
      await s.plans.create(
        OFFICE,
        CreatePlanSchema.parse({
          title: '迎国检',
          phases: [{ key: 'self-check', name: '自查补短阶段', start: '2026-03-01', end: '2026-12-31' }],
        }),
        NOW,
      )
    ).id;
    const indicator = (key: string, body: Record<string, unknown>) =>
      s.indicators.put(OFFICE, planId, key, PutIndicatorSchema.parse(body), NOW);
    await indicator('junior-net', {
      name: '初中阶段净入学率',
      measure: 'ratio',
      unitOfMeasure: '%',
      direction: 'gte',
      target: '98',
      period: 'monthly',
      reportingUnitIds: ['east', 'west'],
    });
    await indicator('hazards', {
      name: '校园安全隐患',
      measure: 'count',
      unitOfMeasure: '处',
      direction: 'lte',
      target: '0',
      veto: true,
      period: 'monthly',
      reportingUnitIds: ['east', 'west'],
    });
    const figure = (u: string, key: string, body: Record<string, unknown>) =>
      s.indicators.putFigure(unit(u), planId, key, '2026-06', PutFigureSchema.parse(body), NOW);
    await figure('east', 'junior-net', { source: 'report', numerator: '990', denominator: '1000' });
    await figure('east', 'junior-net', { source: 'registry', numerator: '985', denominator: '1000' });
    await figure('west', 'junior-net', { source: 'report', numerator: '99', denominator: '100' });
    await figure('west', 'hazards', { source: 'report', numerator: '2' });
    await figure('east', 'hazards', { source: 'report', numerator: '0' });
  });

  it('shows the period table with lights, veto marks and 三一致, linked from the plan nav', async () => {
    const page = web.browser();
    await page.signIn('office');
    const res = await page.get(`/plans/${planId}/indicators?period=2026-06`);
    expect(res.status).toBe(200);
    expect(res.html).toContain('指标监测');
    expect(res.html).toContain(`href="/plans/${planId}/indicators"`);
    expect(res.html).toContain('初中阶段净入学率');
    expect(res.html).toContain('≥ 98%');
    const west = block(res.html, 'unit', 'west', 'tr');
    expect(west).toContain('data-light="red"');
    expect(west).toContain('一票否决:校园安全隐患');
    const east = block(res.html, 'unit', 'east', 'tr');
    expect(east).toContain('三不一致');
    expect(east).toContain('不一致');
    expect(east).toContain('data-light="green"');
    const town = block(res.html, 'unit', 'town', 'tr');
    expect(town).toContain('1089/1100');
    expect(town).toContain('汇总');
    expect(res.html).toContain('data-county-light="red"');
  });

  it('a unit reads it too; a period outside the plan says why', async () => {
    const page = web.browser();
    await page.signIn('unit:east');
    expect((await page.get(`/plans/${planId}/indicators?period=2026-06`)).status).toBe(200);
    const wrong = await page.get(`/plans/${planId}/indicators?period=2030-01`);
    expect(wrong.status).toBe(400);
    expect(wrong.html).toContain('不在工作方案的时间范围内');
  });

  it('draws each indicator’s trend over the periods begun as an SVG line, the unit’s own beside the county’s', async () => {
    const s = web.services;
    const may = (u: string, numerator: string, denominator: string) =>
      s.indicators.putFigure(
        unit(u),
        planId,
        'junior-net',
        '2026-05',
        PutFigureSchema.parse({ source: 'report', numerator, denominator }),
        NOW,
      );
    await may('east', '950', '1000');
    await may('west', '100', '100');
    const office = web.browser();
    await office.signIn('office');
    const table = await office.get(`/plans/${planId}/indicators?period=2026-06`);
    expect(table.html).toContain(`href="/plans/${planId}/indicators/junior-net/trend"`);
    const res = await office.get(`/plans/${planId}/indicators/junior-net/trend`);
    expect(res.status).toBe(200);
    expect(res.html).toContain('<svg');
    expect(res.html).toContain('data-trend="junior-net"');
    expect(res.html).toContain('data-target="98"');
    // March to June have begun; the county's May is 1050/1100 (95.45%, breached), June 1089/1100 (met).
    expect(block(res.html, 'period', '2026-05', 'tr')).toContain('95.45%');
    expect(res.html).toMatch(/data-point="2026-05"[^>]*data-status="breached"/);
    expect(res.html).toMatch(/data-point="2026-06"[^>]*data-status="met"/);
    expect(block(res.html, 'period', '2026-03', 'tr')).toContain('未报');
    expect(res.html).not.toContain('data-period="2026-07"');
    expect(res.html).not.toContain('data-line="unit"');

    const east = web.browser();
    await east.signIn('unit:east');
    const own = await east.get(`/plans/${planId}/indicators/junior-net/trend`);
    expect(own.status).toBe(200);
    expect(own.html).toContain('data-line="unit"');
    expect(block(own.html, 'period', '2026-05', 'tr')).toContain('95.00%');
    expect((await office.get(`/plans/${planId}/indicators/no-such/trend`)).status).toBe(404);
  });
});
