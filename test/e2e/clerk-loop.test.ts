import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, localDateOf } from '../../shared/domain/time/zoned-time.js';
import { type E2e, SIZES, shot, shotBothSizes, signInAs, startE2e } from './harness.js';

/**
 * Issue 17's proof: ONE task taken through create → submit → return → resubmit → accept in a real
 * Chromium, as the office, a bureau section, a leader, a township, a village and a school would.
 * Every page on the way is photographed at 1366×768 and at 390×844 (test/e2e/screenshots/clerk-*)
 * and checked by axe-core at both sizes; what a clerk must see (退回整改 with the reason, the note
 * prefilled, 已办结) is asserted on the page as shown.
 */
const OFFICE = '领导小组办公室(迎检办)';
const LEADER = '分管领导';
const TOWN = { id: 'chengguan-town', name: '城关镇' };
const SECTION = { id: 'finance-section', name: '计财股' };
const VILLAGE = { id: 'dongjie-village', name: '东街村' };
const SCHOOL = { id: 'chengguan-primary', name: '城关镇中心小学' };
const TITLE = '核查城关镇适龄儿童入学情况';
const FIRST_NOTE = '全镇已逐户核查,适龄儿童 412 人全部入学,名册经村校签字。';
const REASON = '缺少中心小学盖章的确认表,请补充后重新提交';
const EVIDENCE = { title: '全镇适龄儿童花名册汇总表', ref: '镇档案室 2026-12 第 2 卷' };
const SECOND_NOTE = `${FIRST_NOTE}已补中心小学盖章的确认表。`;

describe('one task through the whole loop, every page at two sizes (issue 17)', () => {
  let e2e: E2e | undefined;
  let planId = '';
  let taskId = '';
  /** The township's duty (the lead's) and the section's (a co-unit's). */
  let townDuty = '';
  let sectionDuty = '';
  const pages: Record<string, Page> = {};

  beforeAll(async () => {
    e2e = await startE2e();
    planId = e2e.runtime.seeded?.planId ?? '';
    // One browser context per person, each signed in once.
    for (const [who, label] of Object.entries({
      office: OFFICE,
      leader: LEADER,
      town: TOWN.name,
      section: SECTION.name,
      village: VILLAGE.name,
      school: SCHOOL.name,
    })) {
      const page = await e2e.open();
      await signInAs(page, label);
      pages[who] = page;
    }
  }, 300_000);

  afterAll(async () => {
    await e2e?.close();
  }, 120_000);

  const as = (who: string): Page => pages[who] as Page;

  /** The page as it is now at both sizes (`clerk-<name>-phone.png`, `-desktop.png`), left at desktop size. */
  const shotBoth = (page: Page, name: string) => shotBothSizes(page, `clerk-${name}`);

  /** Opens `path` and photographs it at both sizes. */
  async function visit(page: Page, path: string, name: string): Promise<void> {
    await page.goto(path);
    await shotBoth(page, name);
  }

  /** The duty ids linked from the task's ledger page, by the unit name each link reads. */
  async function dutiesOnTaskPage(page: Page): Promise<Map<string, string>> {
    const links = await page
      .locator('a[href^="/duties/duty-"]')
      .evaluateAll((anchors) =>
        anchors.map((a) => [a.textContent?.trim() ?? '', a.getAttribute('href') ?? ''] as const),
      );
    return new Map(links.map(([name, href]) => [name, href.replace('/duties/', '')]));
  }

  /** Submits the duty page's form with an empty note: the error summary is on the first screen, focused. */
  async function failedSubmitAtBothSizes(page: Page, dutyId: string, name: string): Promise<void> {
    for (const [size, viewport] of SIZES) {
      await page.setViewportSize(viewport);
      await page.goto(`/duties/${dutyId}`);
      await page.fill('#note', '');
      await page.getByRole('button', { name: '提交办结' }).click();
      const summary = page.locator('#error-summary');
      await summary.waitFor();
      expect(await summary.textContent()).toContain('请填写办理情况说明');
      const box = await summary.boundingBox();
      expect(box, `${name} ${size}`).not.toBeNull();
      if (box !== null) expect(box.y + box.height, `${name} ${size}`).toBeLessThanOrEqual(viewport.height);
      expect(await page.evaluate('document.activeElement?.id')).toBe('error-summary');
      // The problem is also said under the field.
      expect(await page.locator('#note + .err-msg').textContent()).toContain('请填写办理情况说明');
      await shot(page, `clerk-${name}-${size}`);
    }
  }

  it('the office creates the task and finds it on the overview, the ledger and its task page', async () => {
    const page = as('office');
    await visit(page, `/plans/${planId}`, '01-overview');
    expect(await page.locator('h1').textContent()).toContain('督办总览');

    await page.goto(`/plans/${planId}/tasks/new`);
    const due = addDays(localDateOf(new Date(), 'Asia/Shanghai'), 10);
    await page.fill('#title', TITLE);
    await page.fill('#description', '逐户核对户籍和学籍,村校签字确认后由城关镇汇总上报。');
    await page.fill('input[name=dueDate]', due);
    await page.fill('input[name=dueTime]', '17:00');
    await page.check(`input[name=leadUnitId][value=${TOWN.id}]`);
    await page.check(`input[name=coUnitIds][value=${SECTION.id}]`);
    await shotBoth(page, '02-task-entry');
    await page.getByRole('button', { name: '创建并交办' }).click();
    await page.waitForURL(/ok=task/);
    expect(await page.locator('.flash.ok').textContent()).toContain('已交办 2 个单位');
    await shotBoth(page, '03-task-created');

    // The flash links the new task's page in the ledger.
    await page.getByRole('link', { name: /查看刚交办的任务/ }).click();
    await page.waitForURL(/\/ledger\/[a-z0-9-]+$/);
    taskId = new URL(page.url()).pathname.split('/').pop() ?? '';
    expect(await page.locator('h1').textContent()).toContain(TITLE);
    const duties = await dutiesOnTaskPage(page);
    townDuty = duties.get(TOWN.name) ?? '';
    sectionDuty = duties.get(SECTION.name) ?? '';
    expect(townDuty).toMatch(/^duty-/);
    expect(sectionDuty).toMatch(/^duty-/);
    await shotBoth(page, '04-ledger-task');

    await visit(page, `/plans/${planId}/ledger?q=${encodeURIComponent('核查城关镇')}`, '05-ledger');
    expect(await page.getByRole('link', { name: TITLE }).count()).toBeGreaterThan(0);
    await visit(page, `/plans/${planId}/ledger/duties?unit=${TOWN.id}`, '06-ledger-duties');
    expect(await page.locator('main').textContent()).toContain(TITLE);
    await visit(page, `/print/plans/${planId}/tasks/${taskId}`, '07-print-task');
    expect(await page.locator('body').textContent()).toContain('督办单');
  }, 600_000);

  it('a leader writes a 批示 on the township’s duty, shown at the top of its page', async () => {
    const page = as('leader');
    // The leader's header says who signed in (分管领导), and the overview is where the leader starts.
    await visit(page, '/', '08-leader-home');
    expect(await page.locator('header .who').textContent()).toContain(LEADER);
    await visit(page, `/duties/${townDuty}`, '09-leader-duty');
    await page.fill('#instruct-text', '务必逐户见人,不漏一户。');
    await page.fill('#instruct-by', '李副县长');
    await page.getByRole('button', { name: '发出批示' }).click();
    await page.waitForURL(/ok=instructed/);
    expect(await page.locator('#instructions').textContent()).toContain('务必逐户见人,不漏一户。');
    await shotBoth(page, '10-leader-instructed');
  }, 600_000);

  it('the section, a co-unit, fails to submit an empty note, then reports its part', async () => {
    const page = as('section');
    await visit(page, '/my', '10-section-my');
    await page.locator('article.duty', { hasText: TITLE }).getByRole('link', { name: TITLE }).click();
    await page.waitForURL(`**/duties/${sectionDuty}`);
    await shotBoth(page, '11-section-duty');
    await failedSubmitAtBothSizes(page, sectionDuty, '12-section-submit-error');
    await page.fill('#note', '计财股已核对 2026 年秋季学期资助名单,无因贫失学。');
    await page.getByRole('button', { name: '提交办结' }).click();
    await page.waitForURL(/ok=submitted/);
    await shotBoth(page, '13-section-submitted');
  }, 600_000);

  it('the township sees the 批示, passes its duty to a village and a school, who report', async () => {
    const town = as('town');
    await visit(town, '/my', '14-town-my');
    await town.goto(`/duties/${townDuty}`);
    expect(await town.locator('#instructions').textContent()).toContain('务必逐户见人,不漏一户。');
    await shotBoth(town, '15-town-duty');
    await town.check(`input[name=unitIds][value=${VILLAGE.id}]`);
    await town.check(`input[name=unitIds][value=${SCHOOL.id}]`);
    await town.fill('#handoff-note', '请各村校本周内逐户核查并签字。');
    await town.getByRole('button', { name: '转办', exact: true }).click();
    await town.waitForURL(/ok=handed-off/);
    expect(await town.locator('#handed-to').textContent()).toContain(SCHOOL.name);
    await shotBoth(town, '16-town-handed-off');
    // Submitting before the village and the school have reported is refused, naming them (never by id).
    await town.fill('#note', FIRST_NOTE);
    await town.getByRole('button', { name: '提交办结' }).click();
    await town.waitForURL(`**/duties/${townDuty}/submit`);
    const refusal = (await town.locator('.flash.err').textContent()) ?? '';
    expect(refusal).toContain('转办的下级单位尚未提交');
    for (const unit of [VILLAGE, SCHOOL]) {
      expect(refusal).toContain(unit.name);
      expect(refusal).not.toContain(unit.id);
    }
    expect(await town.inputValue('#note')).toBe(FIRST_NOTE);
    await shotBoth(town, '16b-town-submit-too-early');

    for (const [who, note] of [
      ['village', '东街村 86 户已核查,适龄儿童全部在校。'],
      ['school', '中心小学学籍与花名册一致,无辍学。'],
    ] as const) {
      const page = as(who);
      await visit(page, '/my', `17-${who}-my`);
      await page.locator('article.duty', { hasText: TITLE }).getByRole('link', { name: TITLE }).click();
      await page.waitForURL(/\/duties\/duty-/);
      expect(await page.locator('main').textContent()).toContain(`本任务由${TOWN.name}转办`);
      await shotBoth(page, `18-${who}-duty`);
      await page.fill('#note', note);
      await page.getByRole('button', { name: '提交办结' }).click();
      await page.waitForURL(/ok=submitted/);
    }
  }, 600_000);

  it('the township confirms what came up, consolidates and submits', async () => {
    const town = as('town');
    await visit(town, '/review', '19-town-confirm');
    while ((await town.locator('article.duty', { hasText: TITLE }).count()) > 0) {
      const card = town.locator('article.duty', { hasText: TITLE }).first();
      await card.locator('input[name=note]').fill('经核实情况属实');
      await card.getByRole('button', { name: '确认并上报' }).click();
      await town.waitForURL(/\/review/);
    }
    await town.goto(`/duties/${townDuty}`);
    await town.fill('#note', FIRST_NOTE);
    await town.fill('input[name="evidence.0.title"]', EVIDENCE.title);
    await town.fill('input[name="evidence.0.ref"]', EVIDENCE.ref);
    await town.getByRole('button', { name: '提交办结' }).click();
    await town.waitForURL(/ok=submitted/);
  }, 600_000);

  it('the office returns the township’s work with a reason; the township sees 退回整改 and a prefilled form', async () => {
    const office = as('office');
    await visit(office, `/plans/${planId}/review`, '20-review');
    // The village's and the school's reports wait here too, confirmed by the township.
    expect(await office.locator('article.duty', { hasText: TITLE }).count()).toBe(4);
    const card = office.locator(`article.duty[data-duty="${townDuty}"]`);
    await card.locator('textarea[name=reason]').fill(REASON);
    await card.getByRole('button', { name: '退回整改' }).click();
    await office.waitForURL(/ok=returned/);

    const town = as('town');
    await town.goto(`/duties/${townDuty}`);
    const banner = town.locator('[data-returned]');
    await banner.waitFor();
    // At the top, in red: a white-on-red badge.
    const badge = banner.locator('.badge', { hasText: '退回整改' });
    expect(await badge.isVisible()).toBe(true);
    const red = await badge.evaluate(
      (el) =>
        (
          globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
        ).getComputedStyle(el).backgroundColor,
    );
    const [r = 0, g = 0, b = 0] = (red.match(/\d+/g) ?? []).map(Number);
    expect(r > 150 && g < 100 && b < 100, red).toBe(true);
    expect(await banner.textContent()).toContain(REASON);
    // The form comes back with the last submission's note and evidence, to be amended.
    expect(await town.inputValue('#note')).toBe(FIRST_NOTE);
    expect(await town.inputValue('[data-kept="0"] input[name="evidence.0.title"]')).toBe(EVIDENCE.title);
    expect(await town.locator('[data-kept="0"]').textContent()).toContain(EVIDENCE.ref);
    await shotBoth(town, '21-town-returned');
    await failedSubmitAtBothSizes(town, townDuty, '22-town-resubmit-error');
    await town.fill('#note', SECOND_NOTE);
    await town.getByRole('button', { name: '提交办结' }).click();
    await town.waitForURL(/ok=submitted/);
  }, 600_000);

  it('the office accepts; the township finds it under 已办结; the 办结单 and 催办单 print', async () => {
    const office = as('office');
    await office.goto(`/plans/${planId}/review`);
    // Every level's own work is accepted: the township's, the section's, the village's and the school's.
    const waiting = office.locator('article.duty', { hasText: TITLE });
    expect(await waiting.count()).toBe(4);
    while ((await waiting.count()) > 0) {
      const card = waiting.first();
      await card.locator('summary', { hasText: '通过办结' }).click();
      await card.getByRole('button', { name: '确认通过办结' }).click();
      await office.waitForURL(/ok=accepted/);
    }
    await visit(office, `/print/duties/${townDuty}/completion`, '23-print-completion');
    // The evidence kept from round 1 is on the accepted submission: nothing lost on the way.
    expect(await office.locator('body').textContent()).toContain(SECOND_NOTE);
    expect(await office.locator('body').textContent()).toContain(EVIDENCE.title);
    await visit(office, `/plans/${planId}/ledger/${taskId}`, '24-ledger-task-done');

    const town = as('town');
    await town.goto('/my');
    await town.locator('.tabs').getByRole('link', { name: '已办结' }).click();
    await town.waitForURL(/\/my\?tab=done$/);
    await shotBoth(town, '25-town-my-done');
    const done = town.locator(`article[data-duty="${townDuty}"]`);
    expect(await done.textContent()).toContain(TITLE);
    expect(await done.textContent()).toContain('审核通过');
    expect(await done.locator('.badge', { hasText: '已办结' }).isVisible()).toBe(true);
    await visit(town, `/duties/${townDuty}`, '26-town-duty-accepted');

    // The 催办单 is for an overdue duty: the seed's overdue work, listed on the overview.
    await office.goto(`/plans/${planId}`);
    const overdue = await office
      .locator('#overdue + .scroll tr[data-duty]')
      .first()
      .getAttribute('data-duty');
    expect(overdue).toMatch(/^duty-/);
    await visit(office, `/print/duties/${overdue}/reminder`, '27-print-reminder');
    expect(await office.locator('body').textContent()).toContain('催办单');
  }, 600_000);

  it('the office’s other pages: reports, channels, calendar, indicators, 控辍保学 and the rest of the menu', async () => {
    const office = as('office');
    await visit(office, `/plans/${planId}/reports`, '28-reports');
    // A weekly 督办通报, generated and read at both sizes.
    await office.selectOption('select[name=period]', 'week');
    await office.getByRole('button', { name: '生成通报' }).click();
    await office.waitForURL(/\/reports\/rpt-[a-z0-9-]+\?ok=report/);
    await shotBoth(office, '29-report');
    await visit(office, '/channels', '30-channels');
    await visit(office, '/calendar', '31-calendar');
    await visit(office, `/plans/${planId}/indicators`, '32-indicators');
    await visit(office, '/cases', '33-cases');
    await visit(office, '/cases/ledger', '34-case-ledger');
    await visit(office, `/plans/${planId}/extensions`, '35-extensions');
    await visit(office, `/plans/${planId}/findings`, '36-findings');
    await visit(office, '/rosters', '37-rosters');
    await visit(office, '/plans', '38-plans');
    const town = as('town');
    await visit(town, '/cases', '39-town-cases');
    await visit(town, '/cases/ledger', '40-town-case-ledger');
  }, 600_000);
});
