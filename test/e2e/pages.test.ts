import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.js';
import { addDays, localDateOf } from '../../shared/domain/time/zoned-time.js';
import { axeProblems } from './axe.js';
import { launchTestBrowser, type TestBrowser } from './browser.js';

/**
 * The pages in a real headless Chromium (from npm, see browser.ts; driven by playwright-core) against the
 * real local runtime in memory: the office assigns, a unit submits, the office accepts, and the
 * overview's bar moves. Every page is photographed into test/e2e/screenshots/ for a person to look at.
 */
const SHOTS = join(import.meta.dirname, 'screenshots');
const DESKTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

const LEAD = { id: 'hexi-township', name: '河西乡' };
// The co-unit submits: its part comes first (the lead unit reports for the task after its co-units).
const CO = { id: 'liuwan-village', name: '柳湾村' };
const TITLE = '核查辍学学生返校情况';

describe('pages in Chromium', () => {
  let runtime: LocalRuntime;
  let testBrowser: TestBrowser | undefined;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    runtime = await startLocalRuntime({
      port: 0,
      host: '127.0.0.1',
      dataDir: 'memory',
      devSecret: 'e2e-secret-0123456789-0123456789-0123456789',
      tableName: 'duban',
    });
    testBrowser = await launchTestBrowser();
    browser = testBrowser.browser;
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await testBrowser?.close();
    await runtime?.stop();
  }, 60_000);

  async function open(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    contexts.push(context);
    return context.newPage();
  }

  /**
   * Every page of ours photographed is also checked by axe-core: no serious or critical violation.
   * `axe: false` only for the API docs, which is Swagger UI's page as its authors ship it.
   */
  async function shot(page: Page, name: string, options: { axe?: boolean } = {}) {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    if (options.axe !== false) expect(await axeProblems(page), name).toEqual([]);
  }

  async function signInAs(page: Page, label: string) {
    await page.goto(`${runtime.url}/signin`);
    await page.getByRole('button', { name: label, exact: true }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
  }

  async function signOut(page: Page) {
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL(/\/signin$/);
  }

  /** A unit's stacked bar on the overview, read back from its label "办结 0 · 待审核 0 · 待办 1 · 逾期 0 / 共 1". */
  async function barOf(page: Page, unitId: string) {
    const label = (await page.locator(`li[data-unit="${unitId}"] svg.bar`).getAttribute('aria-label')) ?? '';
    const m = /^办结 (\d+) · 待审核 (\d+) · 待办 (\d+) · 逾期 (\d+) \/ 共 (\d+)$/.exec(label);
    if (m === null) throw new Error(`unexpected bar label for ${unitId}: ${label}`);
    const [accepted, submitted, open, overdue, total] = m.slice(1).map(Number);
    return { accepted, submitted, open, overdue, total };
  }

  it('office assigns to two units, a unit submits, the office accepts, the bar moves', async () => {
    const page = await open();
    await page.goto(`${runtime.url}/`);
    await page.waitForURL(/\/signin\?next=/);
    await shot(page, '01-signin');

    await signInAs(page, '领导小组办公室(迎检办)');
    await page.waitForURL(/\/plans\/[a-z0-9-]+$/);
    const overviewUrl = page.url();
    expect(await page.locator('h1').textContent()).toContain('督办总览');
    const leadBefore = await barOf(page, LEAD.id);
    const coBefore = await barOf(page, CO.id);
    const plusOne = (bar: typeof leadBefore, key: 'open' | 'accepted') => ({
      ...bar,
      [key]: (bar[key] ?? 0) + 1,
      total: (bar.total ?? 0) + 1,
    });
    await shot(page, '02-overview');

    await page.getByRole('link', { name: '任务录入' }).click();
    await page.waitForURL(/\/tasks\/new$/);
    // An empty form comes back with the problems next to the fields, in Chinese.
    await page.getByRole('button', { name: '创建并交办' }).click();
    await page.waitForSelector('.err-msg');
    expect(await page.locator('.err-msg').allTextContents()).toContain('请选择牵头单位');
    await shot(page, '03-task-entry-errors');

    const due = addDays(localDateOf(new Date(), 'Asia/Shanghai'), 7);
    await page.fill('#title', TITLE);
    await page.fill('#description', '各乡镇对照花名册逐一核实,村委会签字确认后报县教育体育局。');
    await page.fill('input[name=dueDate]', due);
    await page.fill('input[name=dueTime]', '17:00');
    await page.fill('#uf', 'hx');
    expect(await page.locator(`[data-f*="${CO.id}"]`).isHidden()).toBe(true);
    await page.check(`input[name=leadUnitId][value=${LEAD.id}]`);
    await page.fill('#uf', '柳湾');
    await page.check(`input[name=coUnitIds][value=${CO.id}]`);
    await page.fill('#uf', '');
    await shot(page, '04-task-entry');
    await page.getByRole('button', { name: '创建并交办' }).click();
    await page.waitForURL(/ok=task/);
    expect(await page.locator('.flash.ok').textContent()).toContain('已交办 2 个单位');

    await page.goto(overviewUrl);
    expect(await barOf(page, LEAD.id)).toEqual(plusOne(leadBefore, 'open'));
    expect(await barOf(page, CO.id)).toEqual(plusOne(coBefore, 'open'));
    await signOut(page);

    await signInAs(page, CO.name);
    await page.waitForURL(/\/my$/);
    await shot(page, '05-my-duties');
    await page.locator('article.duty', { hasText: TITLE }).getByRole('link', { name: TITLE }).click();
    await page.waitForURL(/\/duties\/duty-/);
    await page.fill('#note', '已逐户核实,本村辍学学生 3 人已全部返校,花名册经村委会签字。');
    // Row 1: a file chosen on the page goes up through the upload URL; its key fills the row.
    const roster = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(20_000)]);
    await page.fill('input[name="evidence.0.title"]', '返校学生花名册(签字版)');
    await page.setInputFiles('[data-up="0"] input[type=file]', {
      name: 'returned-roster.pdf',
      mimeType: 'application/pdf',
      buffer: roster,
    });
    await page.locator('[data-up="0"] [role=status]', { hasText: '已上传' }).waitFor();
    expect(await page.inputValue('input[name="evidence.0.ref"]')).toMatch(
      /^duties\/duty-[a-z0-9-]+\/f-[0-9a-z]+-returned-roster\.pdf$/,
    );
    expect(await page.inputValue('input[name="evidence.0.title"]')).toBe('返校学生花名册(签字版)');
    // Row 2: a file with no title takes its name; row 3 is typed by hand, as without JavaScript.
    await page.setInputFiles('[data-up="1"] input[type=file]', {
      name: '入户核实照片.png',
      mimeType: 'image/png',
      buffer: randomBytes(2_000),
    });
    await page.locator('[data-up="1"] [role=status]', { hasText: '已上传' }).waitFor();
    expect(await page.inputValue('input[name="evidence.1.title"]')).toBe('入户核实照片.png');
    await page.fill('input[name="evidence.2.title"]', '村委会会议记录');
    await page.fill('input[name="evidence.2.ref"]', '村档案室 2026-05 第 3 卷');
    await shot(page, '06-duty-submit');
    await page.getByRole('button', { name: '提交办结' }).click();
    await page.waitForURL(/\/my\?ok=submitted/);
    expect(await page.locator('.flash.ok').textContent()).toContain('已提交');
    expect(await page.locator('article.duty', { hasText: TITLE }).count()).toBe(0);
    await signOut(page);

    await signInAs(page, '领导小组办公室(迎检办)');
    await page.getByRole('link', { name: '待审核' }).click();
    await page.waitForURL(/\/review$/);
    const card = page.locator('article.duty', { hasText: TITLE });
    expect(await card.textContent()).toContain('返校学生花名册(签字版)');
    expect(await card.textContent()).toContain('村档案室 2026-05 第 3 卷');
    await shot(page, '07-review');
    // The uploaded file opens from the queue: the same bytes, under the title the unit gave it.
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('link', { name: '下载 PDF' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe('返校学生花名册(签字版).pdf');
    expect(Buffer.compare(await readFile(await file.path()), roster)).toBe(0);
    // 通过办结 asks once more before it acts.
    await card.locator('summary', { hasText: '通过办结' }).click();
    await card.getByRole('button', { name: '确认通过办结' }).click();
    await page.waitForURL(/ok=accepted/);
    expect(await page.locator('article.duty', { hasText: TITLE }).count()).toBe(0);

    await page.goto(overviewUrl);
    // The village's bar gained an accepted duty; the township's, which has not submitted, did not.
    expect(await barOf(page, CO.id)).toEqual(plusOne(coBefore, 'accepted'));
    expect(await barOf(page, LEAD.id)).toEqual(plusOne(leadBefore, 'open'));
    await shot(page, '08-overview-after');
  }, 180_000);

  it('office generates a weekly report, reads it, and downloads it as Excel and CSV', async () => {
    const page = await open();
    await signInAs(page, '领导小组办公室(迎检办)');
    await page.getByRole('link', { name: '督办通报' }).click();
    await page.waitForURL(/\/reports$/);
    await page.selectOption('select[name=period]', 'week');
    await page.getByRole('button', { name: '生成通报' }).click();
    await page.waitForURL(/\/reports\/rpt-[a-z0-9-]+\?ok=report/);
    expect(await page.locator('h1').textContent()).toContain('督办通报');
    // Units with something to judge are ranked; the rest are listed apart (本期无考核任务), never below them.
    const ranked = await page.locator('tr[data-rank-unit]').count();
    const apart = await page.locator('[data-unassessed-unit]').count();
    expect(ranked).toBeGreaterThan(0);
    expect(ranked + apart).toBeGreaterThan(20);
    await shot(page, '11-report');
    const [excel] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '下载 Excel' }).first().click(),
    ]);
    expect(excel.suggestedFilename()).toMatch(/督办通报\.xlsx$/);
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '下载 CSV' }).first().click(),
    ]);
    expect(csv.suggestedFilename()).toMatch(/督办通报\.csv$/);
    await page.getByRole('link', { name: '督办通报' }).click();
    await page.waitForURL(/\/reports$/);
    await shot(page, '12-reports');
    await page.getByRole('link', { name: '督办总览' }).click();
    await page.waitForURL(/\/plans\/[a-z0-9-]+$/);
    expect(await page.locator('#ranking').textContent()).toContain('最新通报排名');
  }, 120_000);

  it('renders the overview and a unit’s list at phone width', async () => {
    const page = await open(PHONE);
    await signInAs(page, '领导小组办公室(迎检办)');
    await page.waitForURL(/\/plans\//);
    // No horizontal scrolling of the page itself; wide pictures scroll inside their own box.
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(
      PHONE.width,
    );
    await page.screenshot({ path: join(SHOTS, '09-overview-phone.png') });
    await signOut(page);
    await signInAs(page, '城关镇中心小学');
    await page.waitForURL(/\/my$/);
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(
      PHONE.width,
    );
    await page.screenshot({ path: join(SHOTS, '10-my-duties-phone.png') });
  }, 120_000);

  it('shows the API docs from the site’s own files under its CSP, with nothing refused', async () => {
    const page = await open();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    page.on('pageerror', (error) => refused.push(error.message));
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(runtime.url) && !request.url().startsWith('data:')) {
        elsewhere.push(request.url());
      }
    });
    await page.goto(`${runtime.url}/docs`);
    await page.waitForSelector('.swagger-ui .info .title');
    expect(await page.locator('.swagger-ui .info .title').textContent()).toContain('duban 督办 API');
    expect(await page.locator('.opblock').count()).toBeGreaterThan(30);
    await shot(page, '13-api-docs', { axe: false });
    expect(refused).toEqual([]);
    expect(elsewhere).toEqual([]);
  }, 120_000);
});
