import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { webApp } from './web-harness.js';

// The fourth day of 自查补短 in the demo plan.
const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };

type Web = Awaited<ReturnType<typeof webApp>>;

/** The text of the textarea (else the value of the input) named `name` on the page, or undefined. */
function fieldValue(html: string, name: string): string | undefined {
  const escaped = name.replace(/\./g, '\\.');
  const area = new RegExp(`<textarea[^>]*name="${escaped}"[^>]*>([^<]*)</textarea>`).exec(html)?.[1];
  if (area !== undefined) return area;
  const input = new RegExp(`<input[^>]*name="${escaped}"[^>]*>`).exec(html)?.[0];
  return input === undefined ? undefined : (/value="([^"]*)"/.exec(input)?.[1] ?? '');
}

describe('pages a clerk can use without training (issue 17)', () => {
  let web: Web;
  let planId: string;

  const newTask = async (title: string, leadUnitId: string, dueAt: string, coUnitIds: string[] = []) =>
    (
      await web.services.plans.createTask(
        OFFICE,
        planId,
        CreateTaskSchema.parse({ title, phaseKey: 'self-check', leadUnitId, coUnitIds, dueAt }),
        NOW,
      )
    ).duties;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
  });

  describe('returned work looks returned', () => {
    let duty: Duty;
    const clerk: Principal = { sub: 'clerk', role: 'unit', unitId: 'finance-section' };

    beforeAll(async () => {
      duty = (await newTask('核对资助资金发放台账', 'finance-section', '2026-12-04'))[0] as Duty;
      await web.services.duties.submit(
        clerk,
        duty.id,
        {
          note: '已核对 2026 年秋季学期资助资金。',
          evidence: [
            { title: '发放花名册', ref: 'files/demo/finance/roster.xlsx' },
            { title: '银行回单', ref: '档案柜 3-12' },
            { title: '公示照片', ref: 'https://files.example/gongshi.jpg' },
            { title: '签字表', ref: 'files/demo/finance/qianzi.pdf' },
          ],
          nothingToReport: false,
        },
        NOW,
      );
      duty = await web.services.duties.returnForRework(
        OFFICE,
        duty.id,
        { reason: '缺少学校盖章的确认表', newDueAt: '2026-12-10', version: 2 },
        NOW,
      );
    });

    it('says 退回整改 in red at the top, with the reason and the new deadline', async () => {
      const page = web.browser();
      await page.signIn('unit:finance-section');
      const res = await page.get(`/duties/${duty.id}`);
      expect(res.status).toBe(200);
      const banner = res.html.slice(
        res.html.indexOf('data-returned'),
        res.html.indexOf('</div>', res.html.indexOf('data-returned')),
      );
      expect(banner).toContain('<span class="badge b-red">退回整改</span>');
      expect(banner).toContain('第 2 轮');
      expect(banner).toContain('退回原因:</strong>缺少学校盖章的确认表');
      expect(banner).toContain('整改期限:</strong>12月10日(周四)23:59');
      // Above everything else about the duty: right under the title.
      expect(res.html.indexOf('data-returned')).toBeLessThan(res.html.indexOf('责任单位'));
      // The status says it too, in red, not 待办.
      expect(res.html).not.toContain('>待办</span>');
      const mine = await page.get('/my');
      expect(mine.html).toContain('<span class="badge b-red">退回整改</span>');
    });

    it('prefills the form with the last note and every evidence item, each removable', async () => {
      const page = web.browser();
      await page.signIn('unit:finance-section');
      const res = await page.get(`/duties/${duty.id}`);
      expect(fieldValue(res.html, 'note')).toBe('已核对 2026 年秋季学期资助资金。');
      const titles = [0, 1, 2, 3].map((i) => fieldValue(res.html, `evidence.${i}.title`));
      expect(titles).toEqual(['发放花名册', '银行回单', '公示照片', '签字表']);
      expect(fieldValue(res.html, 'evidence.0.ref')).toBe('files/demo/finance/roster.xlsx');
      expect([...res.html.matchAll(/name="evidence\.\d+\.drop"/g)]).toHaveLength(4);
      // The kept file shows its name, not its path; then three blank rows for more.
      expect(res.html).toContain('>roster.xlsx</small>');
      expect(fieldValue(res.html, 'evidence.4.title')).toBe('');
      expect(fieldValue(res.html, 'evidence.6.title')).toBe('');
    });

    it('resubmits what was kept and added, without what was removed: nothing silently lost', async () => {
      const page = web.browser();
      await page.signIn('unit:finance-section');
      const fields: Record<string, string> = {
        version: String(duty.version),
        back: 'duty',
        note: '已核对,补充学校盖章确认表。',
        'evidence.0.title': '发放花名册',
        'evidence.0.ref': 'files/demo/finance/roster.xlsx',
        'evidence.0.kept': '1',
        'evidence.1.title': '银行回单',
        'evidence.1.ref': '档案柜 3-12',
        'evidence.1.kept': '1',
        'evidence.1.drop': '1',
        'evidence.2.title': '公示照片',
        'evidence.2.ref': 'https://files.example/gongshi.jpg',
        'evidence.2.kept': '1',
        'evidence.3.title': '签字表',
        'evidence.3.ref': 'files/demo/finance/qianzi.pdf',
        'evidence.3.kept': '1',
        'evidence.4.title': '学校盖章确认表',
        'evidence.4.ref': '档案柜 3-13',
        'evidence.5.title': '',
        'evidence.5.ref': '',
      };
      const res = await page.post(`/duties/${duty.id}/submit`, fields);
      expect(res.status).toBe(303);
      const stored = await web.services.duties.get(OFFICE, duty.id, NOW);
      expect(stored.status).toBe('submitted');
      expect(stored.submission?.evidence.map((e) => e.title)).toEqual([
        '发放花名册',
        '公示照片',
        '签字表',
        '学校盖章确认表',
      ]);
    });
  });

  describe('a failed submit says so at the top', () => {
    it('puts a focused summary linking to each field above everything, and keeps each error by its field', async () => {
      const duty = (await newTask('提交失败的任务', 'admissions-office', '2026-12-04'))[0] as Duty;
      const page = web.browser();
      await page.signIn('unit:admissions-office');
      const res = await page.post(`/duties/${duty.id}/submit`, {
        version: String(duty.version),
        back: 'duty',
        note: '',
        'evidence.1.title': '招生计划表',
        'evidence.1.ref': '',
      });
      expect(res.status).toBe(400);
      const start = res.html.indexOf('id="error-summary"');
      expect(start).toBeGreaterThan(0);
      const summary = res.html.slice(res.html.lastIndexOf('<div', start), res.html.indexOf('</div>', start));
      expect(summary).toContain('role="alert"');
      expect(summary).toContain('tabindex="-1"');
      expect(summary).toContain('autofocus');
      expect(summary).toContain('提交未成功');
      expect(summary).toContain(
        '<a href="#note">办理情况:请填写办理情况说明(定期报告没有情况时可选择“零报告”)</a>',
      );
      expect(summary).toContain('<a href="#evidence.1.ref">佐证资料 2 位置:此项必须填写</a>');
      // First on the page, before the duty's facts; the fields it links to exist.
      expect(start).toBeLessThan(res.html.indexOf('责任单位'));
      expect(res.html).toContain('id="note"');
      expect(res.html).toContain('id="evidence.1.ref"');
      // Each error is still under its field.
      const row1 = res.html.slice(res.html.indexOf('name="evidence.1.ref"'));
      expect(row1.slice(0, 400)).toContain('此项必须填写');
    });

    it('does not outline an optional time field red when the problem is elsewhere', async () => {
      const page = web.browser();
      await page.signIn('office');
      const res = await page.post(`/plans/${planId}/tasks`, {
        title: '',
        phaseKey: 'self-check',
        kind: 'task',
        dueDate: '',
        dueTime: '',
        leadUnitId: 'edu-section',
      });
      expect(res.status).toBe(400);
      expect(res.html).toContain('id="error-summary"');
      expect(res.html).toContain('<a href="#title">任务名称:');
      expect(res.html).toMatch(/<input type="date" name="dueDate" value="" class="invalid"/);
      expect(res.html).toMatch(/<input type="time" name="dueTime" value=""\/?>/);
      const badTime = await page.post(`/plans/${planId}/tasks`, {
        title: '时间写错',
        phaseKey: 'self-check',
        kind: 'task',
        dueDate: '2026-12-04',
        dueTime: '25:00',
        leadUnitId: 'edu-section',
      });
      expect(badTime.status).toBe(400);
      expect(badTime.html).toMatch(/<input type="time" name="dueTime" value="25:00" class="invalid"/);
    });
  });

  describe('the main action first', () => {
    it('puts 提交办结 before 延期申请, the request folded behind a button that opens when it failed', async () => {
      const duty = (await newTask('主要操作在前', 'staffing-office', '2026-12-04'))[0] as Duty;
      const page = web.browser();
      await page.signIn('unit:staffing-office');
      const res = await page.get(`/duties/${duty.id}`);
      const submit = res.html.indexOf('<h2>提交办结</h2>');
      expect(submit).toBeGreaterThan(0);
      expect(submit).toBeLessThan(res.html.indexOf('<h2 id="extension">延期申请</h2>'));
      expect(submit).toBeLessThan(res.html.indexOf('<h2>序时进度</h2>'));
      const fold = res.html.slice(res.html.indexOf('<details class="fold"'));
      expect(fold.startsWith('<details class="fold"><summary>申请延期</summary>')).toBe(true);
      expect(fold.indexOf('action="/duties/')).toBeLessThan(fold.indexOf('</details>'));
      expect(fold).toContain('extension-requests');
      const failed = await page.post(`/duties/${duty.id}/extension-requests`, {
        reason: '',
        progress: '进行中',
        proposedDueAt: '',
      });
      expect(failed.status).toBe(400);
      expect(failed.html).toContain('<details class="fold" open=""><summary>申请延期</summary>');
      expect(failed.html).toContain('<a href="#ext-due">建议延至:请选择建议延至的日期</a>');
    });
  });

  describe('menu badges and the same words', () => {
    /** The count after a menu item's name, or undefined when it shows none. */
    const badge = (html: string, label: string) => {
      const nav = html.slice(html.indexOf('<nav>'), html.indexOf('</nav>'));
      const m = new RegExp(`>${label}<span class="nb" data-count="(\\d+)">`).exec(nav);
      return m === null ? undefined : Number(m[1]);
    };

    it('counts 待审核 and 延期待批 for the office from counters; the menu and pages say the same words', async () => {
      const [duty] = await newTask('等待延期审批', 'culture-tourism-bureau', '2026-12-04');
      await web.services.extensions.request(
        { sub: 'clerk', role: 'unit', unitId: 'culture-tourism-bureau' },
        (duty as Duty).id,
        { reason: '场馆检修', progress: '已完成一半', proposedDueAt: '2026-12-20' },
        NOW,
      );
      const submitted = await web.services.duties.listForPlan(
        OFFICE,
        planId,
        { status: 'submitted' },
        { limit: 1000 },
        NOW,
      );
      const pending = await web.services.extensions.listPending(OFFICE, planId, { limit: 1000 });
      expect(submitted.items.length).toBeGreaterThan(0);
      const page = web.browser();
      await page.signIn('office');
      const res = await page.get(`/plans/${planId}/ledger`);
      expect(res.status).toBe(200);
      expect(badge(res.html, '待审核')).toBe(submitted.items.length);
      expect(res.html).toContain(
        `>延期审批<span class="nb" data-count="${pending.items.length}">待批 ${pending.items.length}</span>`,
      );
      // The words: 待审核 (not 审核队列), 督办通报 (not 统计报告), in the menu and on the pages.
      expect(res.html).not.toContain('审核队列');
      expect(res.html).toContain(`href="/plans/${planId}/reports">督办通报</a>`);
      const review = await page.get(`/plans/${planId}/review`);
      expect(review.html).toContain('<title>待审核 · 督办</title>');
      const reports = await page.get(`/plans/${planId}/reports`);
      expect(reports.html).toContain('<title>督办通报 · 督办</title>');
    });

    it('counts 未签收 for a unit from its own counters', async () => {
      const plan = await web.services.plans.create(
        OFFICE,
        {
          title: '需签收的方案',
          timezone: 'Asia/Shanghai',
          phases: [{ key: 'work', name: '整改', start: '2026-11-01' }],
          escalation: [{ level: 'overdue', offsetWorkingDays: 0, addressees: ['unit'] }],
          receiptRequired: true,
        },
        // A minute later than the demo plan, so it is the newest (the menu's plan for a unit).
        new Date(NOW.getTime() + 60_000),
      );
      for (const title of ['签收一', '签收二']) {
        await web.services.plans.createTask(
          OFFICE,
          plan.id,
          CreateTaskSchema.parse({
            title,
            phaseKey: 'work',
            leadUnitId: 'youth-league',
            dueAt: '2026-12-04',
          }),
          NOW,
        );
      }
      const page = web.browser();
      await page.signIn('unit:youth-league');
      const res = await page.get('/my');
      expect(res.html).toContain('>我的任务<span class="nb" data-count="2">未签收 2</span>');
    });

    it('names the leader as they signed in, and the unit on the 无权访问 page', async () => {
      const leader = web.browser();
      await leader.signIn('leader');
      const home = await leader.get(`/plans/${planId}`);
      expect(home.html).toContain('<form class="who" method="post" action="/signout"><span>分管领导</span>');
      const clerk = web.browser();
      await clerk.signIn('unit:youth-league');
      const refused = await clerk.get(`/plans/${planId}`);
      expect(refused.status).toBe(403);
      expect(refused.html).toContain('<h1>无权访问</h1>');
      expect(refused.html).toContain('当前登录:团县委');
    });
  });

  describe('review', () => {
    it('shows evidence by title, file name and size, never a storage key; asks before 通过办结; a roomy 退回原因', async () => {
      const [duty] = (await newTask('资助材料审核', 'womens-federation', '2026-12-04')) as [Duty];
      const clerk = web.browser();
      await clerk.signIn('unit:womens-federation');
      const asked = await clerk.post(`/duties/${duty.id}/evidence-uploads`, {
        fileName: 'roster.pdf',
        contentType: 'application/pdf',
        size: '2048',
      });
      expect(asked.status).toBe(201);
      const upload = JSON.parse(asked.html) as {
        uploadUrl: string;
        headers: Record<string, string>;
        fileKey: string;
      };
      const put = await web.uploads.request(upload.uploadUrl, {
        method: 'PUT',
        headers: upload.headers,
        body: new Uint8Array(2048).fill(37),
      });
      expect(put.status).toBeLessThan(300);
      const sent = await clerk.post(`/duties/${duty.id}/submit`, {
        version: String(duty.version),
        back: 'duty',
        note: '材料已齐',
        'evidence.0.title': '受助学生花名册',
        'evidence.0.ref': upload.fileKey,
        'evidence.1.title': '银行发放清单',
        'evidence.1.ref': 'files/demo/womens-federation/bank-list.xlsx',
      });
      expect(sent.status).toBe(303);

      const office = web.browser();
      await office.signIn('office');
      const queue = await office.get(`/plans/${planId}/review`);
      const card = queue.html.slice(queue.html.indexOf(`data-duty="${duty.id}"`));
      const evidence = card.slice(card.indexOf('<ul class="evidence">'), card.indexOf('</ul>'));
      expect(evidence).toContain('<strong>受助学生花名册</strong><small>roster.pdf · 2.0 KB</small>');
      expect(evidence).toContain('下载 PDF');
      expect(evidence).toContain('<strong>银行发放清单</strong>');
      expect(evidence).toContain('>bank-list.xlsx</small>');
      // No storage key on the page as text (an upload's key not even in a tooltip).
      expect(evidence).not.toContain(upload.fileKey);
      expect(evidence.replace(/title="[^"]*"/g, '')).not.toContain('files/demo');
      // 通过办结 asks first; the reason is a textarea with room.
      const actions = card.slice(card.indexOf('<div class="row actions">'));
      expect(actions).toMatch(
        /^<div class="row actions"><details class="fold accept"><summary>通过办结<\/summary><form method="post" action="\/duties\/[^"]+\/accept"/,
      );
      expect(actions).toContain('确认通过办结</button>');
      expect(actions).toMatch(/<textarea name="reason" rows="4"/);
    });
  });

  describe('我的任务: 已办结 and recurring reports', () => {
    it('keeps an accepted duty findable under 已办结, with the notice that it was accepted', async () => {
      const [duty] = (await newTask('已办结的任务', 'justice-bureau', '2026-12-04')) as [Duty];
      const clerk: Principal = { sub: 'clerk', role: 'unit', unitId: 'justice-bureau' };
      await web.services.duties.submit(
        clerk,
        duty.id,
        { note: '已完成', evidence: [], nothingToReport: false },
        NOW,
      );
      await web.services.duties.accept(OFFICE, duty.id, { note: '材料齐全', version: 2 }, NOW);
      const page = web.browser();
      await page.signIn('unit:justice-bureau');
      const open = await page.get('/my');
      expect(open.html).not.toContain(`data-duty="${duty.id}"`);
      expect(open.html).toContain('<a href="/my?tab=done">已办结</a>');
      const done = await page.get('/my?tab=done');
      expect(done.status).toBe(200);
      const card = done.html.slice(done.html.indexOf(`data-duty="${duty.id}"`));
      expect(card).toContain('<span class="badge b-green">已办结</span>');
      expect(card).toContain('审核通过,任务办结:材料齐全');
      expect(done.html).toContain('aria-current="page">已办结</a>');
    });

    it('shows a recurring report’s current and next period, the rest folded under 以后的', async () => {
      const page = web.browser();
      await page.signIn('office');
      const res = await page.post(`/plans/${planId}/tasks`, {
        title: '每日报表',
        phaseKey: 'self-check',
        kind: 'report',
        repeat: 'weekly',
        weekdays: ['1', '2', '3', '4', '5'],
        repeatTime: '10:00',
        leadUnitId: 'health-bureau',
      });
      expect(res.status).toBe(303);
      const all = (
        await web.services.duties.listForPlan(
          OFFICE,
          planId,
          { unitId: 'health-bureau' },
          { limit: 100 },
          NOW,
        )
      ).items.filter((d) => d.title.startsWith('每日报表') && d.status === 'open');
      expect(all.filter((d) => !d.overdue).length).toBeGreaterThan(2);
      const clerk = web.browser();
      await clerk.signIn('unit:health-bureau');
      const mine = await clerk.get('/my');
      const fold = mine.html.indexOf('<details class="fold later">');
      expect(fold).toBeGreaterThan(0);
      // Missed periods stay in 待办 (they are overdue); of those still to come, two are shown.
      const upcoming = all.filter((d) => !d.overdue);
      expect(mine.html).toContain(`<summary>以后的定期报告(${upcoming.length - 2} 期)</summary>`);
      const byDue = [...upcoming].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
      const at = (d: Duty) => mine.html.indexOf(`data-duty="${d.id}"`);
      expect(byDue.slice(0, 2).every((d) => at(d) > 0 && at(d) < fold)).toBe(true);
      expect(byDue.slice(2).every((d) => at(d) > fold)).toBe(true);
      // Each period in words on its card.
      const first = byDue[0] as Duty;
      expect(mine.html.slice(at(first), at(first) + 1500)).toContain(`<span>${first.period?.label}</span>`);
    });
  });

  describe('lead and co-units see each other', () => {
    it('lists the co-units with what each reported; tells a co-unit who leads; names units, never ids', async () => {
      const duties = await newTask('联合排查', 'poverty-alleviation-office', '2026-12-04', [
        'market-supervision-bureau',
        'hrss-bureau',
      ]);
      const lead = duties.find((d) => d.role === 'lead') as Duty;
      const market = duties.find((d) => d.unitId === 'market-supervision-bureau') as Duty;
      await web.services.duties.submit(
        { sub: 'clerk', role: 'unit', unitId: 'market-supervision-bureau' },
        market.id,
        { note: '已排查 12 家校园周边商户', evidence: [], nothingToReport: false },
        NOW,
      );
      const page = web.browser();
      await page.signIn('unit:poverty-alleviation-office');
      const res = await page.get(`/duties/${lead.id}`);
      const list = res.html.slice(res.html.indexOf('data-partners="co"'));
      expect(list).toContain('配合单位(1/2 已报送)');
      const row = (unitId: string) =>
        list.slice(
          list.indexOf(`data-partner="${unitId}"`),
          list.indexOf('</li>', list.indexOf(`data-partner="${unitId}"`)),
        );
      expect(row('market-supervision-bureau')).toContain('县食品药品工商质量监督管理局');
      expect(row('market-supervision-bureau')).toContain('已报送');
      expect(row('market-supervision-bureau')).toContain('已排查 12 家校园周边商户');
      expect(row('hrss-bureau')).toContain('县人力资源和社会保障局');
      expect(row('hrss-bureau')).toContain('尚未报送');

      // The lead cannot submit before every co-unit has: the message names the unit.
      const early = await page.post(`/duties/${lead.id}/submit`, {
        version: String(lead.version),
        back: 'duty',
        note: '汇总',
      });
      expect(early.status).toBe(409);
      expect(early.html).toContain('配合单位尚未提交:县人力资源和社会保障局');
      expect(early.html).not.toContain('配合单位尚未提交:hrss-bureau');

      const co = web.browser();
      await co.signIn('unit:hrss-bureau');
      const coPage = await co.get(`/duties/${duties.find((d) => d.unitId === 'hrss-bureau')?.id}`);
      expect(coPage.html).toContain('牵头单位:<strong>县脱贫攻坚办</strong>');
    });
  });
});
