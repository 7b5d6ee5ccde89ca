/**
 * Issue 17 on the pages: the A4 forms (督办单, 催办单, 办结单) render with the right content for those
 * who may read them and no script; a duty's page shows the leaders' 批示 at the top, and offers 批示
 * to leaders and 转办 to the holding unit, each press once per rendered form.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Task } from '../../shared/schemas/tasks.js';
import {
  formKeyOf,
  TOWNSHIP_NOW,
  TOWNSHIP_OFFICE,
  townshipClerk,
  townshipPlan,
} from '../fixtures/township-plan.js';
import { webApp } from './web-harness.js';

const NOW = TOWNSHIP_NOW;
const OFFICE = TOWNSHIP_OFFICE;
const unit = townshipClerk;
const keyOf = formKeyOf;

describe('pages: printable forms, 批示 and 转办', () => {
  let web: Awaited<ReturnType<typeof webApp>>;
  let planId: string;
  let task: Task & { duties: Duty[] };
  let open: Duty;
  let overdue: Duty;
  let accepted: Duty;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = await townshipPlan(web.services);
    // A second apart: a task's number follows its id, which starts with its creation time.
    let created = 0;
    const newTask = (title: string, dueAt: string, extra: Record<string, unknown> = {}) =>
      web.services.plans.createTask(
        OFFICE,
        planId,
        {
          title,
          phaseKey: 'work',
          leadUnitId: 'town',
          dueAt,
          coUnitIds: [],
          kind: 'task',
          signOffLevels: 0,
          ...extra,
        },
        new Date(NOW.getTime() - 60_000 + ++created * 1000),
      );
    task = await newTask('适龄儿童入学摸排', '2026-06-30', {
      coUnitIds: ['other'],
      description: '逐户核查,建立台账。',
      fromInstruction: { signedBy: '王县长', signedOn: '2026-05-15', text: '务必摸清底数。' },
    });
    open = task.duties.find((d) => d.unitId === 'town') as Duty;
    overdue = (await newTask('周报表报送', '2026-05-15')).duties[0] as Duty;
    await web.services.sweeps.sweep(OFFICE, { planId }, NOW);
    accepted = (await newTask('控辍保学宣传', '2026-06-30')).duties[0] as Duty;
    await web.services.duties.submit(
      unit('town'),
      accepted.id,
      {
        note: '已张贴宣传材料 20 份',
        evidence: [{ title: '宣传照片', ref: '档号 2026-017' }],
        nothingToReport: false,
      },
      NOW,
    );
    await web.services.duties.accept(OFFICE, accepted.id, { note: '材料齐全' }, NOW);
  });

  it('prints the 督办单 with its number, units, deadline, requirements and 批示, for the office', async () => {
    const page = web.browser();
    await page.signIn('office');
    const sheet = await page.get(`/print/plans/${planId}/tasks/${task.id}`);
    expect(sheet.status).toBe(200);
    for (const text of [
      '督办单',
      '督办〔2026〕第 1 号',
      '适龄儿童入学摸排',
      '城关镇',
      '柳湾镇',
      '逐户核查,建立台账。',
      '王县长 2026-05-15 批示:务必摸清底数。',
      '6月30日',
      'size: A4 portrait',
    ]) {
      expect(sheet.html, text).toContain(text);
    }
    expect(sheet.html).not.toContain('<script');
    expect(sheet.html).not.toContain('<nav');
    // The second and third tasks are numbered after it.
    const third = await page.get(`/print/plans/${planId}/tasks/${accepted.taskId}`);
    expect(third.html).toContain('督办〔2026〕第 3 号');
    // The ledger's task page links it.
    expect((await page.get(`/plans/${planId}/ledger/${task.id}`)).html).toContain(
      `href="/print/plans/${planId}/tasks/${task.id}"`,
    );
    const village = web.browser();
    await village.signIn('unit:village');
    expect((await village.get(`/print/plans/${planId}/tasks/${task.id}`)).status).toBe(403);
  });

  it('prints the 催办单 of an overdue duty with its days late and notices, for its readers', async () => {
    const page = web.browser();
    await page.signIn('unit:town');
    const sheet = await page.get(`/print/duties/${overdue.id}/reminder`);
    expect(sheet.status).toBe(200);
    expect(sheet.html).toContain('催办单');
    expect(sheet.html).toContain('已逾期 1 个工作日');
    expect(sheet.html).toContain('逾期催办');
    expect(sheet.html).toContain('周报表报送');
    expect(sheet.html).not.toContain('<script');
    expect((await page.get(`/duties/${overdue.id}`)).html).toContain(
      `href="/print/duties/${overdue.id}/reminder"`,
    );
    // Not overdue: no 催办单.
    expect((await page.get(`/print/duties/${open.id}/reminder`)).status).toBe(409);
    const other = web.browser();
    await other.signIn('unit:other');
    expect((await other.get(`/print/duties/${overdue.id}/reminder`)).status).toBe(403);
  });

  it('prints the 办结单 of an accepted duty with its evidence and review', async () => {
    const page = web.browser();
    await page.signIn('office');
    const sheet = await page.get(`/print/duties/${accepted.id}/completion`);
    expect(sheet.status).toBe(200);
    for (const text of [
      '办结单',
      '已张贴宣传材料 20 份',
      '宣传照片',
      '档号 2026-017',
      '审核通过',
      '材料齐全',
    ]) {
      expect(sheet.html, text).toContain(text);
    }
    expect((await page.get(`/duties/${accepted.id}`)).html).toContain(
      `href="/print/duties/${accepted.id}/completion"`,
    );
    expect((await page.get(`/print/duties/${open.id}/completion`)).status).toBe(409);
  });

  it('lets a leader write a 批示 once per form, shown at the top of the unit’s page', async () => {
    const page = web.browser();
    await page.signIn('leader');
    const form = await page.get(`/duties/${open.id}`);
    const action = `/duties/${open.id}/instructions`;
    expect(form.html).toContain(`action="${action}"`);
    const fields = {
      _formKey: keyOf(form.html, action),
      text: '请于本周内完成',
      signedBy: '李副县长',
      signedOn: '',
    };
    const [a, b] = await Promise.all([page.post(action, fields), page.post(action, fields)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.location).toBe(`/duties/${open.id}?ok=instructed#instructions`);
    expect((await page.post(action, { ...fields, _formKey: 'another-key-1', text: '' })).status).toBe(400);
    const listed = await web.services.instructions.forDuty(OFFICE, open.id);
    expect(listed.filter((i) => i.text === '请于本周内完成')).toHaveLength(1);

    const town = web.browser();
    await town.signIn('unit:town');
    const seen = await town.get(`/duties/${open.id}`);
    expect(seen.html).toContain('领导批示');
    expect(seen.html).toContain('请于本周内完成');
    expect(seen.html).toContain('务必摸清底数。');
    // A unit is offered no 批示.
    expect(seen.html).not.toContain(`action="${action}"`);
  });

  it('brings a refused 批示 back on the page: a focused summary at the top, the problem under its field', async () => {
    const page = web.browser();
    await page.signIn('leader');
    const action = `/duties/${open.id}/instructions`;
    const form = await page.get(`/duties/${open.id}`);
    const res = await page.post(action, {
      _formKey: keyOf(form.html, action),
      text: '',
      signedBy: '李副县长',
      signedOn: '2026-02-30',
    });
    expect(res.status).toBe(400);
    const summary = res.html.indexOf('id="error-summary"');
    expect(summary).toBeGreaterThan(0);
    expect(summary).toBeLessThan(res.html.indexOf(`action="${action}"`));
    expect(res.html).toMatch(/role="alert" tabindex="-1" autofocus="" id="error-summary"/);
    expect(res.html).toContain('批示未发出,请修改以下问题(共 2 处)');
    expect(res.html).toContain('href="#instruct-text">批示内容:');
    const near = (marker: string) => res.html.slice(res.html.indexOf(marker), res.html.indexOf(marker) + 400);
    expect(near('id="instruct-text"')).toContain('class="err-msg"');
    expect(near('id="instruct-on"')).toMatch(/class="invalid"[\s\S]*class="err-msg"/);
    // What was typed stays; nothing was written.
    expect(res.html).toContain('value="李副县长"');
    const listed = await web.services.instructions.forDuty(OFFICE, open.id);
    expect(listed.some((i) => i.signedBy === '李副县长' && i.text === '')).toBe(false);
  });

  it('brings a refused 转办 back on the page with its summary, the units ticked and the note kept', async () => {
    const page = web.browser();
    await page.signIn('unit:town');
    const action = `/duties/${overdue.id}/handoffs`;
    const form = await page.get(`/duties/${overdue.id}`);
    expect(form.html).toContain(`action="${action}"`);
    const none = await page.post(action, { _formKey: keyOf(form.html, action), note: '请各村校核查' });
    expect(none.status).toBe(400);
    expect(none.html).toContain('未能转办,请修改以下问题(共 1 处)');
    expect(none.html).toContain('href="#handoff-units">下级单位:请至少选择一个下级单位');
    expect(none.html.indexOf('id="error-summary"')).toBeLessThan(none.html.indexOf(`action="${action}"`));
    expect(none.html).toMatch(/id="handoff-units" class="invalid"/);
    expect(none.html).toContain('请各村校核查</textarea>');
    const twice = await page.post(action, {
      _formKey: keyOf(form.html, action),
      unitIds: ['village', 'village'],
      note: '',
    });
    expect(twice.status).toBe(400);
    expect(twice.html).toContain('下级单位不能重复');
    expect(twice.html).toMatch(/value="village" checked/);
    expect((await web.services.duties.get(OFFICE, overdue.id, NOW)).handedTo ?? []).toEqual([]);
  });

  it('lets the township pass its duty down from the page, and shows what it passed', async () => {
    const page = web.browser();
    await page.signIn('unit:town');
    const form = await page.get(`/duties/${open.id}`);
    const action = `/duties/${open.id}/handoffs`;
    expect(form.html).toContain(`action="${action}"`);
    expect(form.html).toContain('东街村');
    const res = await page.post(action, {
      _formKey: keyOf(form.html, action),
      unitIds: ['village', 'school'],
      note: '请各村校核查',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/duties/${open.id}?ok=handed-off&n=2#handed-to`);
    const after = await page.get(`/duties/${open.id}`);
    expect(after.html).toContain('已转办');
    expect(after.html).toContain('城关小学');
    const child = (await web.services.duties.get(OFFICE, open.id, NOW)).handedTo?.[0]?.dutyId ?? '';
    const village = web.browser();
    await village.signIn('unit:village');
    const childPage = await village.get(`/duties/${child}`);
    expect(childPage.html).toContain('本任务由城关镇转办');
    // The village has nobody below: no 转办 form; the office is offered none either.
    expect(childPage.html).not.toContain('/handoffs"');
    const office = web.browser();
    await office.signIn('office');
    expect((await office.get(`/duties/${open.id}`)).html).not.toContain(`action="${action}"`);
  });
});
