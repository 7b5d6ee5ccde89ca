import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { type PageResponse, webApp } from './web-harness.js';

// The fourth day of 自查补短 in the demo plan (as in web-pages.test.ts).
const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };
const UNIT = 'finance-section';
const CLERK: Principal = { sub: `clerk-${UNIT}`, role: 'unit', unitId: UNIT };

type Web = Awaited<ReturnType<typeof webApp>>;

/** The markup from `marker` on for `length` characters (a field and the message under it). */
const near = (res: PageResponse, marker: string, length = 400) => {
  const at = res.html.indexOf(marker);
  return at < 0 ? '' : res.html.slice(at, at + length);
};
/** The value of `data-progress-light` on the page (the 序时进度 section's light). */
const lightOf = (res: PageResponse) => res.html.match(/data-progress-light="(\w+)"/)?.[1];

describe('pages: milestones on the duty page (序时进度)', () => {
  let web: Web;
  let planId: string;

  const newDuty = async (title: string) =>
    (
      await web.services.plans.createTask(
        OFFICE,
        planId,
        CreateTaskSchema.parse({ title, phaseKey: 'self-check', leadUnitId: UNIT, dueAt: '2026-12-04' }),
        NOW,
      )
    ).duties[0] as Duty;
  const stored = (dutyId: string) => web.services.duties.get(OFFICE, dutyId, NOW);
  const signedIn = async (user: string) => {
    const page = web.browser();
    await page.signIn(user);
    return page;
  };

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
  });

  it('the office sets milestones (blank rows ignored): the page shows them and the light follows them', async () => {
    const duty = await newDuty('校舍安全排查进度');
    await web.services.progress.report(CLERK, duty.id, { percent: 10 }, NOW);
    const office = await signedIn('office');
    const before = await office.get(`/duties/${duty.id}`);
    expect(before.html).toContain('data-milestone-form="set"');
    expect(lightOf(before)).not.toBe('yellow');

    const fields = {
      version: String((await stored(duty.id)).version),
      _formKey: 'milestone-set-0001',
      'milestones.0.date': '2026-11-25',
      'milestones.0.percent': '60',
      'milestones.0.name': '完成排查',
      'milestones.1.date': '',
      'milestones.1.percent': '',
      'milestones.1.name': '',
      'milestones.2.date': '2026-12-03',
      'milestones.2.percent': '100',
      'milestones.2.name': '',
    };
    const res = await office.post(`/duties/${duty.id}/milestones`, fields);
    expect(res.status, res.html).toBe(303);
    expect(res.location).toBe(`/duties/${duty.id}?ok=milestones#progress`);
    // The same rendered form sent again (a double click) sets nothing more.
    const again = await office.post(`/duties/${duty.id}/milestones`, fields);
    expect(again.status).toBe(303);
    expect(again.location).toBe(res.location);

    const after = await stored(duty.id);
    expect(after.milestones).toEqual([
      { date: '2026-11-25', percent: 60, name: '完成排查' },
      { date: '2026-12-03', percent: 100, name: null },
    ]);
    expect(after.version).toBe(Number(fields.version) + 1);

    const shown = await office.get(res.location ?? '');
    expect(shown.html).toContain('里程碑已设置');
    expect(shown.html).toContain('按里程碑:11月25日 60%(完成排查);12月3日 100%');
    // 10% reported against 60% planned for today: behind plan.
    expect(lightOf(shown)).toBe('yellow');
    expect(shown.html).toContain('已报进度 10%,序时进度 60%,落后 50 个百分点');
    // The form starts from what is in effect.
    expect(near(shown, 'id="milestones.0.date"')).toContain('value="2026-11-25"');
  });

  it('the owning unit proposes, sees no office form; the office approves and they take effect', async () => {
    const duty = await newDuty('学籍核查进度');
    const clerk = await signedIn(`unit:${UNIT}`);
    const page = await clerk.get(`/duties/${duty.id}`);
    expect(page.html).toContain('data-milestone-form="propose"');
    expect(page.html).toContain('提出里程碑(待办公室批准)');
    expect(page.html).not.toContain('data-milestone-form="set"');
    expect(page.html).not.toContain('/milestones/approve');

    const proposed = await clerk.post(`/duties/${duty.id}/milestones`, {
      version: String(duty.version),
      'milestones.0.date': '2026-11-30',
      'milestones.0.name': '完成摸底',
      'milestones.1.date': '2026-12-03',
      'milestones.1.name': '完成整改',
    });
    expect(proposed.status, proposed.html).toBe(303);
    expect(proposed.location).toBe(`/duties/${duty.id}?ok=milestones-proposed#progress`);
    const pending = await stored(duty.id);
    expect(pending.milestones ?? []).toEqual([]);
    expect(pending.milestoneProposal?.milestones).toEqual([
      { date: '2026-11-30', percent: 50, name: '完成摸底' },
      { date: '2026-12-03', percent: 100, name: '完成整改' },
    ]);
    // The unit cannot approve its own proposal, through the page either.
    const selfApprove = await clerk.post(`/duties/${duty.id}/milestones/approve`, {
      version: String(pending.version),
    });
    expect(selfApprove.status).toBe(403);
    expect((await stored(duty.id)).milestoneProposal).not.toBeNull();

    const office = await signedIn('office');
    const review = await office.get(`/duties/${duty.id}`);
    expect(review.html).toContain(`action="/duties/${duty.id}/milestones/approve"`);
    expect(review.html).toContain('责任单位提出:11月30日 50%(完成摸底);12月3日 100%(完成整改)');
    const approved = await office.post(`/duties/${duty.id}/milestones/approve`, {
      version: String(pending.version),
    });
    expect(approved.status, approved.html).toBe(303);
    const inEffect = await stored(duty.id);
    expect(inEffect.milestones).toEqual(pending.milestoneProposal?.milestones);
    expect(inEffect.milestoneProposal).toBeNull();
    const shown = await office.get(approved.location ?? '');
    expect(shown.html).toContain('已批准里程碑');
    expect(shown.html).toContain('按里程碑:11月30日 50%(完成摸底)');
    expect(shown.html).not.toContain('/milestones/approve"');
  });

  it('a bad date row: a 400 page naming the row, under the field, nothing stored', async () => {
    const duty = await newDuty('控辍保学劝返进度');
    const office = await signedIn('office');
    const res = await office.post(`/duties/${duty.id}/milestones`, {
      version: String(duty.version),
      'milestones.0.date': '2026-11-30',
      'milestones.0.percent': '40',
      'milestones.1.date': '',
      'milestones.1.percent': '',
      'milestones.2.date': '2026-13-40',
      'milestones.2.percent': '80',
    });
    expect(res.status).toBe(400);
    expect(res.html).toContain('里程碑未保存');
    expect(res.html).toContain('href="#milestones.2.date">第 3 行日期:不是有效的日期');
    expect(near(res, 'id="milestones.2.date"')).toContain('不是有效的日期');
    expect(near(res, 'id="milestones.0.date"', 200)).not.toContain('err-msg');
    // What was typed is kept for correcting.
    expect(near(res, 'id="milestones.2.date"')).toContain('value="2026-13-40"');
    const after = await stored(duty.id);
    expect(after.version).toBe(duty.version);
    expect(after.milestones ?? []).toEqual([]);
    expect(after.milestoneProposal ?? null).toBeNull();

    // A date after the due date is the service's refusal, placed under its row all the same.
    const late = await office.post(`/duties/${duty.id}/milestones`, {
      version: String(duty.version),
      'milestones.0.date': '',
      'milestones.1.date': '2026-12-20',
      'milestones.1.percent': '100',
    });
    expect(late.status).toBe(400);
    expect(near(late, 'id="milestones.1.date"')).toContain('晚于截止日期 2026-12-04');
    expect((await stored(duty.id)).version).toBe(duty.version);
  });

  it('anyone else — a leader, another unit above — sees no milestone form', async () => {
    const duty = await newDuty('教师培训进度');
    for (const user of ['leader', 'unit:edu-bureau']) {
      const page = await (await signedIn(user)).get(`/duties/${duty.id}`);
      expect(page.status, user).toBe(200);
      expect(page.html, user).toContain('data-progress-light');
      expect(page.html, user).not.toContain('data-milestone-form');
    }
  });
});
