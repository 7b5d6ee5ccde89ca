import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WEEKLY_REPORT_UNITS, seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { block, webApp } from './web-harness.js';

// The case on the demo plan: 2 December, and the school's weekly reports listed to week 53.
const NOW = new Date('2026-12-02T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };
const SCHOOL = DEMO_WEEKLY_REPORT_UNITS[1];

describe('the demo plan’s weekly report: a later week’s zero report waits for its week', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let reports: Duty[];
  let planId: string;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    ({ planId } = await seedDemo(web.services, NOW));
    reports = (
      await web.services.duties.listForPlan(OFFICE, planId, { unitId: SCHOOL }, { limit: 100 }, NOW)
    ).items.filter((d) => d.kind === 'report');
  });

  const weekOf = (key: string) => reports.find((d) => d.occurrenceKey === key) as Duty;

  it('lists week 49 to week 53, each named in words', () => {
    expect(reports.map((d) => d.occurrenceKey).sort()).toEqual([
      '2026-W49',
      '2026-W50',
      '2026-W51',
      '2026-W52',
      '2026-W53',
    ]);
    expect(weekOf('2026-W49').title).toBe('学校周报表(零报告)(第49周 11月30日—12月6日)');
  });

  it('shows 零报告 for this week only; later weeks say from when, and no page shows a week code', async () => {
    const page = web.browser();
    await page.signIn(`unit:${SCHOOL}`);
    const mine = await page.get('/my');
    expect(mine.status).toBe(200);
    expect(mine.html).not.toMatch(/\d{4}-W\d/);
    expect(block(mine.html, 'duty', weekOf('2026-W49').id)).toContain('零报告(本期无情况)');
    const w53 = block(mine.html, 'duty', weekOf('2026-W53').id);
    expect(w53).not.toContain('零报告(本期无情况)');
    expect(w53).toContain('本期(第53周 2026年12月28日—2027年1月3日)尚未开始,12月28日起才能报送');

    const duty = await page.get(`/duties/${weekOf('2026-W53').id}`);
    expect(duty.html).toContain('期次:第53周 2026年12月28日—2027年1月3日');
    expect(duty.html).not.toContain(`action="/duties/${weekOf('2026-W53').id}/submit"`);
    expect(duty.html).not.toMatch(/\d{4}-W\d/);
  });

  it('refuses the one-click zero report of week 53 with the period in words, and writes nothing', async () => {
    const page = web.browser();
    await page.signIn(`unit:${SCHOOL}`);
    const w53 = weekOf('2026-W53');
    const res = await page.post(`/duties/${w53.id}/submit`, {
      version: String(w53.version),
      nothingToReport: '1',
      back: 'my',
    });
    expect(res.status).toBe(409);
    expect(res.html).toContain('本期(第53周 2026年12月28日—2027年1月3日)尚未开始,12月28日起才能报送');
    expect(await web.services.duties.get(OFFICE, w53.id, NOW)).toMatchObject({
      status: 'open',
      version: w53.version,
      submission: null,
    });

    const w49 = weekOf('2026-W49');
    const filed = await page.post(`/duties/${w49.id}/submit`, {
      version: String(w49.version),
      nothingToReport: '1',
      back: 'my',
    });
    expect(filed.location).toBe('/my?ok=zero');
    expect((await web.services.duties.get(OFFICE, w49.id, NOW)).submission?.nothingToReport).toBe(true);
  });

  it('the office sets the lead on the task form; a bad one is said next to the field and creates nothing', async () => {
    const page = web.browser();
    await page.signIn('office');
    const form = {
      title: '提前报送周报',
      phaseKey: 'self-check',
      kind: 'report',
      repeat: 'weekly',
      weekdays: ['5'],
      repeatTime: '12:00',
      leadUnitId: SCHOOL,
    };
    const tasks = async () =>
      (await web.services.plans.listTasks(OFFICE, planId, { limit: 100 })).items.filter(
        (t) => t.title === form.title,
      );
    for (const leadDays of ['31', 'x']) {
      const bad = await page.post(`/plans/${planId}/tasks`, { ...form, leadDays });
      expect(bad.status).toBe(400);
      expect(bad.html).toMatch(/提前报送天数应为 0 至 30/);
    }
    expect(await tasks()).toEqual([]);
    expect((await page.post(`/plans/${planId}/tasks`, { ...form, leadDays: '2' })).status).toBe(303);
    expect((await tasks())[0]?.recurrence).toMatchObject({ freq: 'weekly', leadDays: 2 });
  });
});
