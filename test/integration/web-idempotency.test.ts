/**
 * The pages' create forms carry one key per rendered form (issue 11, item 15): a double click,
 * or the same page submitted again, makes one task or finding, and both submissions land where
 * the first did.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };

type Web = Awaited<ReturnType<typeof webApp>>;

const keyOn = (html: string) => html.match(/name="_formKey" value="([^"]+)"/)?.[1];

describe('pages: one create per rendered form', () => {
  let web: Web;
  let planId: string;
  const tasksNamed = async (title: string) =>
    (await web.services.plans.listTasks(OFFICE, planId, { limit: 100 })).items.filter(
      (t) => t.title === title,
    );

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
  });

  it('creates one task when the task form is submitted twice, at once or again later', async () => {
    const page = web.browser();
    await page.signIn('office');
    const form = await page.get(`/plans/${planId}/tasks/new`);
    const key = keyOn(form.html);
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    // Each rendering has its own key.
    expect(keyOn((await page.get(`/plans/${planId}/tasks/new`)).html)).not.toBe(key);
    const fields = {
      _formKey: key ?? '',
      title: '双击防重测试',
      phaseKey: 'self-check',
      kind: 'task',
      dueDate: '2026-12-01',
      leadUnitId: 'chengguan-town',
    };
    const [a, b] = await Promise.all([
      page.post(`/plans/${planId}/tasks`, fields),
      page.post(`/plans/${planId}/tasks`, fields),
    ]);
    const again = await page.post(`/plans/${planId}/tasks`, fields);
    const created = await tasksNamed('双击防重测试');
    expect(created).toHaveLength(1);
    // Every repeat gets the first answer: the one task, linked.
    for (const res of [a, b, again]) {
      expect(res.status).toBe(303);
      expect(res.location).toBe(`/plans/${planId}/tasks/new?ok=task&n=1&task=${created[0]?.id}`);
    }
  });

  it('keeps the key through a refusal, so the corrected form still creates once', async () => {
    const page = web.browser();
    await page.signIn('office');
    const key = keyOn((await page.get(`/plans/${planId}/tasks/new`)).html) ?? '';
    const base = { _formKey: key, title: '改正后提交', phaseKey: 'self-check', kind: 'task' };
    const refused = await page.post(`/plans/${planId}/tasks`, { ...base, leadUnitId: 'chengguan-town' });
    expect(refused.status).toBe(400);
    expect(keyOn(refused.html)).toBe(key);
    const fixed = { ...base, leadUnitId: 'chengguan-town', dueDate: '2026-12-02' };
    expect((await page.post(`/plans/${planId}/tasks`, fixed)).status).toBe(303);
    expect((await page.post(`/plans/${planId}/tasks`, fixed)).status).toBe(303);
    expect(await tasksNamed('改正后提交')).toHaveLength(1);
  });

  it('registers one finding when the finding form is submitted twice', async () => {
    const page = web.browser();
    await page.signIn('office');
    const key = keyOn((await page.get(`/plans/${planId}/findings`)).html);
    expect(key).toBeDefined();
    const fields = {
      _formKey: key ?? '',
      title: '花名册与学籍系统不一致(防重)',
      detail: '东街村',
      unitIds: 'dongjie-village',
      dueDate: '2026-12-04',
      source: 'county-check',
      phaseKey: 'self-check',
    };
    const first = await page.post(`/plans/${planId}/findings`, fields);
    const second = await page.post(`/plans/${planId}/findings`, fields);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(second.location).toBe(first.location);
    const findings = await web.services.supervision.listFindings(OFFICE, planId);
    expect(findings.filter((f) => f.title === fields.title)).toHaveLength(1);
  });
});
