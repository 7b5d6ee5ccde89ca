import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import { CreateFindingSchema } from '../../shared/schemas/findings.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };
/** Each page, HTML with its inlined CSS, for a county office's slow line. */
const MAX_PAGE_BYTES = 100 * 1024;

describe('page weight with the demo plan loaded', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let pages: { who: string; path: string }[];

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    const { planId } = await seedDemo(web.services, NOW);
    await web.services.sweeps.sweep(OFFICE, { planId }, NOW);
    // Something on the supervision pages: a pending extension request, a finding for six units.
    const { duties } = await web.services.plans.createTask(
      OFFICE,
      planId,
      CreateTaskSchema.parse({
        title: '延期',
        phaseKey: 'self-check',
        leadUnitId: 'finance-section',
        dueAt: '2026-12-04',
      }),
      NOW,
    );
    await web.services.extensions.request(
      { sub: 'clerk', role: 'unit', unitId: 'finance-section' },
      duties[0]?.id ?? '',
      { reason: '等待数据', progress: '已完成一半', proposedDueAt: '2026-12-10' },
      NOW,
    );
    await web.services.supervision.createFinding(
      OFFICE,
      planId,
      CreateFindingSchema.parse({
        title: '花名册不一致',
        detail: '暗访发现花名册与学籍系统不一致。',
        unitIds: [
          'dongjie-village',
          'liuwan-village',
          'chengguan-primary',
          'hexi-central-school',
          'chengguan-town',
          'hexi-township',
        ],
        dueAt: '2026-12-05',
        source: 'unannounced',
      }),
      NOW,
    );
    const { report } = await web.services.reports.create(OFFICE, planId, { period: 'week' }, NOW);
    const duty = (
      await web.services.duties.listForPlan(OFFICE, planId, { unitId: 'edu-bureau' }, { limit: 1 }, NOW)
    ).items[0];
    pages = [
      { who: 'office', path: '/plans' },
      { who: 'office', path: `/plans/${planId}` },
      { who: 'office', path: `/plans/${planId}?sort=name` },
      { who: 'office', path: `/plans/${planId}/tasks/new` },
      { who: 'office', path: `/plans/${planId}/review` },
      { who: 'office', path: `/plans/${planId}/reports` },
      { who: 'office', path: `/reports/${report.id}` },
      { who: 'office', path: `/duties/${duty?.id}` },
      { who: 'leader', path: `/plans/${planId}` },
      // The schools carry the most duties (their weekly reports); the bureau has notices.
      { who: 'unit:chengguan-primary', path: '/my' },
      { who: 'unit:edu-bureau', path: '/my' },
      { who: 'unit:edu-bureau', path: `/duties/${duty?.id}` },
      { who: 'office', path: `/plans/${planId}/extensions` },
      { who: 'office', path: `/plans/${planId}/findings` },
      { who: 'unit:chengguan-town', path: '/review' },
    ];
  });

  it('keeps the sign-in page under 100 KB', async () => {
    const res = await web.browser().get('/signin');
    expect(res.status).toBe(200);
    expect(res.bytes).toBeLessThan(MAX_PAGE_BYTES);
  });

  it('keeps every signed-in page under 100 KB', async () => {
    const sizes: Record<string, number> = {};
    for (const { who, path } of pages) {
      const page = web.browser();
      await page.signIn(who);
      const res = await page.get(path);
      expect(res.status, `${who} ${path}`).toBe(200);
      expect(res.html).toContain('<style>');
      sizes[`${who} ${path}`] = res.bytes;
    }
    for (const [page, bytes] of Object.entries(sizes)) expect(bytes, page).toBeLessThan(MAX_PAGE_BYTES);
  });
});
