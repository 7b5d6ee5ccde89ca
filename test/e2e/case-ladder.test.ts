import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime.js';
import { axeProblems, DESKTOP, type E2e, PHONE, SHOTS, signInAs, startE2e } from './harness.js';

/**
 * One child's 控辍保学 case in a real headless Chromium against the local runtime, its clock moved
 * by the test: the school's clerk records the absence on a phone; the working-day calendar makes it
 * 疑似辍学, then 辍学; the clerk logs a contact with the 劝返通知书 uploaded, records the return and
 * confirms the registry. Each stage is read on the page, each page checked by axe-core and
 * photographed at desktop and phone width into test/e2e/screenshots/.
 */
const DAY = 24 * 60 * 60 * 1000;

/** Monday 2 November 2026, 09:00 in the county: an ordinary working week, no holiday for two months. */
const START = new Date('2026-11-02T09:00:00+08:00');

describe('控辍保学 in Chromium: absence → 疑似辍学 → 辍学 → 复学', () => {
  let e2e: E2e | undefined;
  let runtime: LocalRuntime;
  let now = START;

  beforeAll(async () => {
    e2e = await startE2e({ clock: () => now });
    runtime = e2e.runtime;
  }, 120_000);

  afterAll(async () => {
    await e2e?.close();
  }, 60_000);

  /** The page checked by axe-core and photographed at both widths; it is left at `back`. */
  async function shot(page: Page, name: string, back = DESKTOP) {
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.screenshot({ path: join(SHOTS, `case-${name}-${size}.png`), fullPage: true });
      expect(await axeProblems(page), `${name} (${size})`).toEqual([]);
    }
    await page.setViewportSize(back);
  }

  /** The stage badge of the case page, after a reload (the stage is computed when the page is read). */
  async function stageOn(page: Page): Promise<string> {
    await page.reload();
    return ((await page.locator('h1 .badge').textContent()) ?? '').trim();
  }

  /** Signs in as the demo user with this label, on a fresh page of its own. */
  async function signedIn(label: string, viewport = DESKTOP): Promise<Page> {
    if (e2e === undefined) throw new Error('the runtime did not start');
    const page = await e2e.open(viewport);
    await signInAs(page, label);
    return page;
  }

  it('a school clerk follows one child from the first day absent back to class', async () => {
    // The office sets the semester; the school files its roster (the child is on it).
    const office = await signedIn('领导小组办公室(迎检办)');
    await office.goto(`${runtime.url}/semesters/new`);
    await office.fill('#id', '2026-autumn');
    await office.fill('#name', '2026秋季学期');
    await office.fill('#startDate', '2026-11-02');
    await office.getByRole('button', { name: '设置' }).click();
    await office.waitForURL((url) => !url.pathname.startsWith('/semesters/new'));
    const page = await signedIn('城关镇中心小学', PHONE);
    const roster = {
      name: '花名册.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        '花名册类别,姓名,年级,班级,居住乡镇,居住村,监护人姓名,监护人电话,学籍号,已核实在外就读\r\n' +
          '籍在人不在,刘小燕,五年级,1班,城关镇,东街村,刘建华,13512345678,G110101201503150012,否\r\n' +
          '籍在人不在,王小刚,五年级,1班,城关镇,西街村,王大海,13512340000,G110101201504160013,否\r\n',
      ),
    };
    await page.goto(`${runtime.url}/rosters`);
    await page.setInputFiles('#upload input[type=file]', roster);
    await page.getByRole('button', { name: '预览' }).click();
    await page.setInputFiles('#upload input[type=file]', roster);
    await page.getByRole('button', { name: '报送' }).click();
    await page.getByText('已报送:写入 2 人').waitFor();

    // The first absence the school records names its 包保 people, once: the leader, and the teacher
    // of the class. Sent without them, the problems are at the top and under the fields.
    await page.goto(`${runtime.url}/cases`);
    await page.getByRole('link', { name: '登记缺课' }).click();
    await page.waitForURL(/\/cases\/new$/);
    await shot(page, '01-roster-pick', PHONE);
    await page.getByRole('link', { name: /王\*刚/ }).click();
    await page.waitForURL(/\/cases\/new\?semester=2026-autumn&entry=/);
    await page.getByRole('button', { name: '登记缺课' }).click();
    await page.locator('#error-summary').waitFor();
    expect(await page.locator('#error-summary').textContent()).toContain('未登记,请修改以下问题');
    expect(await page.locator('.err-msg').allTextContents()).toContain('此项必须填写');
    await shot(page, '02-absence-errors', PHONE);
    expect(await page.inputValue('#childName')).toBe('王小刚');
    await page.fill('[id="teacher.name"]', '陈老师');
    await page.fill('[id="teacher.phone"]', '13600001111');
    await page.fill('[id="leader.name"]', '周校长');
    await page.fill('[id="leader.phone"]', '13600002222');
    await page.getByRole('button', { name: '登记缺课' }).click();
    await page.waitForURL(/\/cases\/case-[a-z0-9-]+\?ok=created$/);

    // 登记缺课 on a phone in three taps: the link on the list, the child from the roster (the form
    // comes whole: the roster's fields, the remembered 包保 people, today as the first day absent),
    // and the button. No gender or age is asked: no roster holds them.
    await page.goto(`${runtime.url}/cases`);
    await page.getByRole('link', { name: '登记缺课' }).click();
    await page.getByRole('link', { name: /刘\*燕/ }).click();
    await page.waitForURL(/\/cases\/new\?semester=2026-autumn&entry=/);
    expect(await page.inputValue('#childName')).toBe('刘小燕');
    expect(await page.inputValue('[id="guardian.phone"]')).toBe('13512345678');
    expect(await page.inputValue('#registryNumber')).toBe('G110101201503150012');
    expect(await page.inputValue('#firstDayAbsent')).toBe('2026-11-02');
    expect(await page.inputValue('[id="teacher.name"]')).toBe('陈老师');
    expect(await page.inputValue('[id="leader.name"]')).toBe('周校长');
    await shot(page, '03-absence-form', PHONE);
    // The third tap is on the first screen: 确认登记 above the fields it sums up.
    const confirm = page.getByRole('button', { name: '确认登记' });
    const box = await confirm.boundingBox();
    expect(box !== null && box.y + box.height <= PHONE.height).toBe(true);
    await confirm.click();
    await page.waitForURL(/\/cases\/case-[a-z0-9-]+\?ok=created$/);
    expect(await page.locator('.flash.ok').textContent()).toContain('已登记缺课');
    expect(await page.locator('h1').textContent()).toContain('刘小燕');
    expect(await page.locator('[data-roster-row]').textContent()).toContain('来自花名册:籍在人不在');
    expect(await stageOn(page)).toBe('缺课');
    await shot(page, '04-absent');

    // Past five working days absent (Mon 2 – Fri 6 November): 疑似辍学 from Monday the 9th.
    now = new Date(START.getTime() + 7 * DAY);
    expect(await stageOn(page)).toBe('疑似辍学');
    await shot(page, '05-suspected');
    // More than a month suspected without returning: 辍学.
    now = new Date(START.getTime() + 43 * DAY);
    expect(await stageOn(page)).toBe('辍学');
    await shot(page, '06-dropout');
    const list = await page.goto(`${runtime.url}/cases`);
    expect(list?.status()).toBe(200);
    const mine = page.locator('tr[data-case]', { hasText: '刘*燕' });
    expect(await mine.textContent()).toContain('辍学');
    await shot(page, '07-list');
    await mine.getByRole('link').click();
    await page.waitForURL(/\/cases\/case-[a-z0-9-]+$/);

    // A contact with the 劝返通知书 uploaded: the file goes up from the page, its key fills the row.
    const step = page.locator('#step-form form');
    await step.locator('[name=kind]').selectOption('contact');
    await step.locator('[name=by]').fill('陈老师');
    await step.locator('[name=method]').fill('入户走访');
    await step.locator('[name=result]').fill('向家长送达劝返通知书,家长同意下周送孩子返校');
    await step.locator('[name="evidence.0.title"]').fill('劝返通知书');
    await step.locator('[data-up="0"] input[type=file]').setInputFiles({
      name: 'quanfan-notice.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(4_000)]),
    });
    await step.locator('[data-up="0"] [role=status]', { hasText: '已上传' }).waitFor();
    expect(await step.locator('[name="evidence.0.ref"]').inputValue()).toMatch(
      /^duties\/case-[a-z0-9-]+\/f-[0-9a-z-]+-quanfan-notice\.pdf$/,
    );
    await shot(page, '08-contact-form');
    await step.getByRole('button', { name: '保存劝返记录' }).click();
    await page.waitForURL(/\?ok=step$/);
    const row = page.locator('tr[data-step]');
    expect(await row.textContent()).toContain('联系家长和学生劝返');
    expect(await row.textContent()).toContain('向家长送达劝返通知书');
    expect(await row.getByRole('link', { name: '劝返通知书' }).count()).toBe(1);
    await shot(page, '09-contact-logged');

    // Back in class: the return with its proof, then the registry (学籍系统) confirmed.
    const back = page.locator('#return-form form');
    expect(await back.locator('[name=returnedOn]').inputValue()).toBe('2026-12-15');
    await back.locator('[name="evidence.0.title"]').fill('返校签到表');
    await back.getByRole('button', { name: '登记复学' }).click();
    await page.waitForURL(/\?ok=returned$/);
    expect(await page.locator('h1 .badge').textContent()).toBe('已复学');
    expect(await page.locator('[data-returned]').textContent()).toContain('学籍系统待更新');
    await shot(page, '10-returned');
    await page.getByRole('button', { name: '确认已更新' }).click();
    await page.waitForURL(/\?ok=registry$/);
    expect(await page.locator('h1 .badge').textContent()).toBe('已复学');
    expect(await page.locator('[data-returned]').textContent()).toContain('学籍系统已于 2026-12-15 更新');
    expect(await page.locator('#registry-form').count()).toBe(0);
    await shot(page, '11-registry-confirmed');
  }, 180_000);
});
