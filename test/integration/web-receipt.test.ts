/**
 * 签收 and 催办 on the pages (issue 15): the unit's duty page shows 待签收 with a 签收 button, the
 * office's page of an overdue duty a 催办 form (one notice per rendered form), and the overview
 * who has not signed and how fast each unit signs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { webApp } from './web-harness.js';

// Monday 2026-05-18 10:00 in Asia/Shanghai.
const NOW = new Date('2026-05-18T02:00:00Z');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };
const keyOn = (html: string) => html.match(/name="_formKey" value="([^"]+)"/)?.[1];

describe('pages: 签收 and 催办', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let planId: string;
  let duty: Duty;
  let overdue: Duty;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    await web.services.units.create(OFFICE, { id: 'town', name: '城关镇', kind: 'township' }, NOW);
    await web.services.units.create(
      OFFICE,
      { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
      NOW,
    );
    const plan = await web.services.plans.create(
      OFFICE,
      {
        title: '控辍保学',
        timezone: 'Asia/Shanghai',
        phases: [{ key: 'work', name: '整改', start: '2026-05-01' }],
        escalation: [{ level: 'overdue', offsetWorkingDays: 0, addressees: ['unit'] }],
        receiptRequired: true,
      },
      NOW,
    );
    planId = plan.id;
    const task = (dueAt: string) =>
      web.services.plans.createTask(
        OFFICE,
        planId,
        {
          title: `摸排${dueAt}`,
          phaseKey: 'work',
          leadUnitId: 'village',
          dueAt,
          coUnitIds: [],
          kind: 'task',
          signOffLevels: 0,
        },
        NOW,
      );
    duty = (await task('2026-06-30')).duties[0] as Duty;
    overdue = (await task('2026-05-15')).duties[0] as Duty;
  });

  it('shows the unit 待签收 and signs with the button', async () => {
    const page = web.browser();
    await page.signIn('unit:village');
    const mine = await page.get('/my');
    expect(mine.html).toContain('待签收');
    const before = await page.get(`/duties/${duty.id}`);
    expect(before.html).toContain(`action="/duties/${duty.id}/receive"`);
    const signed = await page.post(`/duties/${duty.id}/receive`, {});
    expect(signed.status).toBe(303);
    expect(signed.location).toBe(`/duties/${duty.id}?ok=received#receipt`);
    const after = await page.get(`/duties/${duty.id}`);
    expect(after.html).toContain('已签收');
    expect(after.html).not.toContain(`action="/duties/${duty.id}/receive"`);
    // The unit presses no 催办 on its own duty.
    expect((await page.get(`/duties/${overdue.id}`)).html).not.toContain('/reminders"');
  });

  it('gives the office a 催办 form on an overdue duty, one notice per rendered form', async () => {
    const page = web.browser();
    await page.signIn('office');
    expect((await page.get(`/duties/${duty.id}`)).html).not.toContain('/reminders"');
    const form = await page.get(`/duties/${overdue.id}`);
    expect(form.html).toContain(`action="/duties/${overdue.id}/reminders"`);
    const fields = { _formKey: keyOn(form.html) ?? '', text: '请今天下班前报送' };
    const [a, b] = await Promise.all([
      page.post(`/duties/${overdue.id}/reminders`, fields),
      page.post(`/duties/${overdue.id}/reminders`, fields),
    ]);
    expect([a.status, b.status]).toEqual([303, 303]);
    const bad = await page.post(`/duties/${overdue.id}/reminders`, {
      _formKey: keyOn(form.html) ?? '',
      text: '催'.repeat(201),
    });
    expect(bad.status).toBe(400);
    const notices = await web.services.notices.list(OFFICE, { planId, level: 'manual' }, { limit: 100 });
    expect(notices.items.filter((n) => n.dutyId === overdue.id)).toHaveLength(1);
  });

  it('shows who has not signed and the average signing time on the overview', async () => {
    const page = web.browser();
    await page.signIn('office');
    const overview = await page.get(`/plans/${planId}`);
    expect(overview.html).toContain('签收情况');
    expect(overview.html).toContain('data-receipt-unit="village"');
    expect(overview.html).toContain(`href="/duties/${overdue.id}#remind"`);
  });

  it('shows 签收情况 as frozen in a report', async () => {
    const { report } = await web.services.reports.create(OFFICE, planId, { period: 'week' }, NOW);
    expect(report.receipts?.units.map((u) => u.unitId)).toEqual(['village']);
    const page = web.browser();
    await page.signIn('office');
    const shown = await page.get(`/reports/${report.id}`);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('签收情况');
    expect(shown.html).toContain('data-receipt-unit="village"');
  });
});
