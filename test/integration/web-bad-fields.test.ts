/**
 * Issue 11, items 3 and 10 on the pages: a form that comes back shows every bad field at once, a
 * control character in typed text is one of them, and nothing is written.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };

type Web = Awaited<ReturnType<typeof webApp>>;

describe('pages: every bad field of a form at once', () => {
  let web: Web;
  let planId: string;

  /** The markup from a field's name to a little after it, where its messages are. */
  const near = (html: string, marker: string) => {
    const at = html.indexOf(marker);
    expect(at, `${marker} on the page`).toBeGreaterThanOrEqual(0);
    return html.slice(at, at + 600);
  };

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
  });

  it('task entry: a control character in the title, a date that does not exist and a lead among co-units', async () => {
    const page = web.browser();
    await page.signIn('office');
    const before = (await web.services.plans.listTasks(OFFICE, planId, { limit: 100 })).items.length;
    const res = await page.post(`/plans/${planId}/tasks`, {
      title: '控辍\u0000保学',
      description: '一、摸排\r\n\t二、整改',
      phaseKey: 'self-check',
      dueDate: '2026-13-40',
      leadUnitId: 'edu-section',
      coUnitIds: ['edu-section'],
    });
    expect(res.status).toBe(400);
    expect(near(res.html, 'id="title"')).toContain('第 3 个字符(U+0000)是控制字符');
    expect(res.html).toContain('截止日期“2026-13-40”不存在');
    expect(res.html).toContain('牵头单位不能同时作为配合单位');
    expect(res.html).not.toMatch(/id="description"[^<]*<[^>]*>[^<]*控制字符/);
    expect((await web.services.plans.listTasks(OFFICE, planId, { limit: 100 })).items.length).toBe(before);
  });

  it('findings: control characters in title and detail, no unit and a date that does not exist', async () => {
    const page = web.browser();
    await page.signIn('office');
    const res = await page.post(`/plans/${planId}/findings`, {
      title: '花名册\u0001不一致',
      detail: '与学籍\u0007系统不一致',
      dueDate: '2026-02-30',
      source: 'county-check',
    });
    expect(res.status).toBe(400);
    expect(near(res.html, 'id="title"')).toContain('第 4 个字符(U+0001)是控制字符');
    expect(res.html).toContain('第 4 个字符(U+0007)是控制字符');
    expect(res.html).toContain('请至少选择一个整改单位');
    expect(res.html).toContain('2026-02-30');
    expect(res.html).toContain('不存在');
    expect(await web.services.supervision.listFindings(OFFICE, planId)).not.toContainEqual(
      expect.objectContaining({ title: '花名册\u0001不一致' }),
    );
  });

  it('submit: a control character in the note and a row without its place, both shown', async () => {
    const duty = (
      await web.services.plans.createTask(
        OFFICE,
        planId,
        CreateTaskSchema.parse({
          title: '提交校验二',
          phaseKey: 'self-check',
          leadUnitId: 'personnel-section',
          dueAt: '2026-12-04',
        }),
        NOW,
      )
    ).duties[0] as Duty;
    const page = web.browser();
    await page.signIn('unit:personnel-section');
    const res = await page.post(`/duties/${duty.id}/submit`, {
      version: String(duty.version),
      back: 'duty',
      note: '已核实\u0000',
      'evidence.0.title': '教师名册',
      'evidence.0.ref': '',
    });
    expect(res.status).toBe(400);
    expect(res.html).toContain('第 4 个字符(U+0000)是控制字符');
    expect(near(res.html, 'name="evidence.0.ref"')).toContain('此项必须填写');
    expect((await web.services.duties.get(OFFICE, duty.id, NOW)).status).toBe('open');
  });
});
