import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import { webApp } from './web-harness.js';

// The fourth day of 自查补短 in the demo plan (as web-pages.test.ts): mid-month, mid-week.
const NOW = new Date('2026-11-25T10:00:00+08:00');

type Web = Awaited<ReturnType<typeof webApp>>;

describe('pages a clerk can use without training (issue 17)', () => {
  let web: Web;
  let planId: string;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
  });

  describe('reports', () => {
    it('asks before freezing a monthly report while the month runs, and only makes it once confirmed', async () => {
      const page = web.browser();
      await page.signIn('office');
      const ask = await page.post(`/plans/${planId}/reports`, { period: 'month' });
      expect(ask.status).toBe(200);
      expect(ask.html).toContain('2026年11月尚未结束(到 11月30日 结束),生成后本月不再更新');
      expect(ask.html).toMatch(/data-confirm-month[\s\S]*name="confirm" value="1"/);
      const list = await page.get(`/plans/${planId}/reports`);
      expect(list.html).toContain('还没有通报');

      const made = await page.post(`/plans/${planId}/reports`, { period: 'month', confirm: '1' });
      expect(made.status).toBe(303);
      expect(made.location).toMatch(/^\/reports\/rpt-[a-z0-9-]+-2026-11\?ok=report$/);
      // Once made, asking again is not needed: the frozen report is shown.
      const again = await page.post(`/plans/${planId}/reports`, { period: 'month' });
      expect(again.status).toBe(303);
      expect(again.location).toMatch(/\?ok=report-existing$/);
      // A weekly report is made at once, as before.
      const week = await page.post(`/plans/${planId}/reports`, { period: 'week' });
      expect(week.status).toBe(303);
    });

    it('says whose duties the phase table counts: 全县 for the office, the unit by name for a unit', async () => {
      const office = web.browser();
      await office.signIn('office');
      const made = await office.post(`/plans/${planId}/reports`, { period: 'week' });
      const path = made.location?.split('?')[0] ?? '';
      expect((await office.get(path)).html).toContain('各阶段(全县)');
      const unit = web.browser();
      await unit.signIn('unit:edu-bureau');
      const mine = await unit.get(path);
      expect(mine.status).toBe(200);
      expect(mine.html).toContain('各阶段(仅本单位:县教育体育局)');
      expect(mine.html).not.toContain('各阶段(全县)');
    });
  });

  describe('on a phone (390 px wide)', () => {
    it('shows the phase timeline as a list legible at phone width, the Gantt strip on wide screens', async () => {
      const page = web.browser();
      await page.signIn('office');
      const res = await page.get(`/plans/${planId}`);
      expect(res.status).toBe(200);
      const list = res.html.slice(res.html.indexOf('<ol class="phase-list"'), res.html.indexOf('</ol>'));
      expect(list).toContain('今天 11月25日');
      expect(list).toMatch(/data-phase-state="ended">[\s\S]*部署发动[\s\S]*11月21日/);
      expect(list).toMatch(/data-phase-state="active">[\s\S]*自查补短/);
      expect(list).toContain('办结 ');
      expect(res.html).toContain('<svg class="gantt"');
      // Below 700px the strip (13px text in a 960-unit box: about 5px at 390) gives way to the list.
      const phone = res.html.slice(res.html.indexOf('@media (max-width:700px)'));
      expect(phone).toContain('svg.gantt{display:none}');
      expect(phone).toContain('.phase-list{display:block}');
    });

    it('says a wide table scrolls sideways, and lets the keyboard scroll it', async () => {
      const page = web.browser();
      await page.signIn('office');
      const ledger = await page.get(`/plans/${planId}/ledger/duties`);
      expect(ledger.status).toBe(200);
      expect(ledger.html).toContain('<div class="scroll" tabindex="0"><table');
      const phone = ledger.html.slice(ledger.html.indexOf('@media (max-width:700px)'));
      expect(phone).toContain('.scroll:has(>table)::before{content:"表格较宽,可左右滑动查看 →"');
    });
  });
});
