import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { block, webApp } from './web-harness.js';

// The fourth day of 自查补短 in the demo plan; 部署发动 ended on Saturday 11-21, so its open duties
// are three working days late (Mon 23, Tue 24, Wed 25).
const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };

type Web = Awaited<ReturnType<typeof webApp>>;

describe('pages: task entry, my duties, review, notices, overview, reports', () => {
  let web: Web;
  let planId: string;

  const dutiesOf = async (unitId: string) =>
    (await web.services.duties.listForPlan(OFFICE, planId, { unitId }, { limit: 100 }, NOW)).items;
  const taskNamed = async (title: string) =>
    (await web.services.plans.listTasks(OFFICE, planId, { limit: 100 })).items.filter(
      (t) => t.title === title,
    );
  const newTask = async (
    title: string,
    leadUnitId: string,
    dueAt: string,
    kind: 'task' | 'report' = 'task',
  ) =>
    (
      await web.services.plans.createTask(
        OFFICE,
        planId,
        CreateTaskSchema.parse({ title, phaseKey: 'self-check', leadUnitId, dueAt, kind }),
        NOW,
      )
    ).duties[0] as Duty;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
  });

  describe('task entry', () => {
    it('shows each problem next to its field, in Chinese, and keeps what was typed', async () => {
      const page = web.browser();
      await page.signIn('office');
      const form = await page.get(`/plans/${planId}/tasks/new`);
      expect(form.status).toBe(200);
      expect(form.html).toContain('<option value="self-check" selected="">');
      const res = await page.post(`/plans/${planId}/tasks`, {
        title: '',
        description: '说明保留',
        phaseKey: 'self-check',
        coUnitIds: ['edu-section'],
      });
      expect(res.status).toBe(400);
      const near = (marker: string) =>
        res.html.slice(res.html.indexOf(marker), res.html.indexOf(marker) + 700);
      expect(near('id="title"')).toContain('此项必须填写');
      expect(near('name="dueDate"')).toContain('请填写截止日期');
      expect(res.html).toContain('请选择牵头单位');
      expect(res.html).toContain('说明保留');
      expect(res.html).toMatch(/name="coUnitIds" value="edu-section" checked/);
      expect(await taskNamed('')).toEqual([]);
    });

    it('refuses a lead unit that is also a co-unit, and a weekly rule without a weekday', async () => {
      const page = web.browser();
      await page.signIn('office');
      const both = await page.post(`/plans/${planId}/tasks`, {
        title: '重复单位',
        phaseKey: 'self-check',
        dueDate: '2026-12-01',
        leadUnitId: 'edu-section',
        coUnitIds: ['edu-section'],
      });
      expect(both.status).toBe(400);
      expect(both.html).toContain('牵头单位不能同时作为配合单位');
      const weekly = await page.post(`/plans/${planId}/tasks`, {
        title: '每周报表',
        phaseKey: 'self-check',
        repeat: 'weekly',
        repeatTime: '12:00',
        leadUnitId: 'edu-section',
      });
      expect(weekly.status).toBe(400);
      expect(weekly.html).toContain('至少选择一个星期几');
      expect(await taskNamed('重复单位')).toEqual([]);
    });

    it('creates one task for a lead unit and co-units, due at a local time of the plan’s zone', async () => {
      const page = web.browser();
      await page.signIn('office');
      const res = await page.post(`/plans/${planId}/tasks`, {
        title: '校舍安全排查',
        description: '逐校排查并建立台账',
        phaseKey: 'self-check',
        kind: 'task',
        dueDate: '2026-12-01',
        dueTime: '17:00',
        leadUnitId: 'chengguan-town',
        coUnitIds: ['dongjie-village', 'chengguan-primary'],
      });
      expect(res.status).toBe(303);
      const flash = await page.get(res.location ?? '');
      expect(flash.html).toContain('任务已创建,已交办 3 个单位');
      const [task] = await taskNamed('校舍安全排查');
      // The page after it links the new task in the ledger.
      expect(res.location).toBe(`/plans/${planId}/tasks/new?ok=task&n=3&task=${task?.id}`);
      expect(task).toMatchObject({
        leadUnitId: 'chengguan-town',
        coUnitIds: ['dongjie-village', 'chengguan-primary'],
        dueAt: '2026-12-01T09:00:00.000Z',
        description: '逐校排查并建立台账',
        createdBy: 'demo-office',
      });
    });

    it('assigns the same task to many units at once, each as its own lead', async () => {
      const page = web.browser();
      await page.signIn('office');
      const res = await page.post(`/plans/${planId}/tasks`, {
        title: '报送联系人名单',
        phaseKey: 'self-check',
        dueDate: '2026-11-30',
        bulk: '1',
        coUnitIds: ['justice-bureau', 'youth-league', 'womens-federation'],
      });
      expect(res.location).toBe(`/plans/${planId}/tasks/new?ok=tasks&n=3`);
      const tasks = await taskNamed('报送联系人名单');
      expect(tasks.map((t) => t.leadUnitId).sort()).toEqual([
        'justice-bureau',
        'womens-federation',
        'youth-league',
      ]);
      expect(tasks.every((t) => t.coUnitIds.length === 0 && t.dueAt === '2026-11-30T15:59:59.999Z')).toBe(
        true,
      );
    });

    it('creates a weekly report (zero-report rule) whose occurrences appear in the units’ lists', async () => {
      const page = web.browser();
      await page.signIn('office');
      const res = await page.post(`/plans/${planId}/tasks`, {
        title: '村级周报',
        phaseKey: 'self-check',
        kind: 'report',
        repeat: 'weekly',
        weekdays: ['1', '4'],
        repeatTime: '10:00',
        holidayShift: '1',
        leadUnitId: 'dongjie-village',
        coUnitIds: ['liuwan-village'],
      });
      expect(res.status).toBe(303);
      const [task] = await taskNamed('村级周报');
      expect(task?.recurrence).toEqual({
        freq: 'weekly',
        weekdays: [1, 4],
        time: '10:00',
        holidayRule: 'previous-working-day',
      });
      const village = web.browser();
      await village.signIn('unit:liuwan-village');
      const mine = await village.get('/my');
      expect(mine.html).toContain('村级周报(');
      expect(mine.html).toContain('零报告(本期无情况)');
    });
  });

  describe('my duties (我的任务)', () => {
    it('lists open duties overdue first, marked with working days late; only the unit’s own', async () => {
      await newTask('本周内完成的任务', 'edu-bureau', '2026-12-04');
      const page = web.browser();
      await page.signIn('unit:edu-bureau');
      const res = await page.get('/my');
      expect(res.status).toBe(200);
      const cards = [...res.html.matchAll(/<article class="card duty([^"]*)" data-duty="([^"]+)"/g)];
      const mine = await dutiesOf('edu-bureau');
      const open = mine.filter((d) => d.status === 'open');
      expect(cards.map((m) => m[2]).sort()).toEqual(open.map((d) => d.id).sort());
      expect(cards[0]?.[1]).toContain('overdue');
      const first = block(res.html, 'duty', cards[0]?.[2] ?? '');
      expect(first).toContain('更新建档立卡数据并协助控辍保学');
      expect(first).toContain('逾期 3 个工作日');
      expect(cards.at(-1)?.[1]).not.toContain('overdue');
      // The submitted one waits under its own heading.
      const submitted = mine.find((d) => d.status === 'submitted');
      expect(res.html.indexOf(submitted?.id ?? '-')).toBeGreaterThan(res.html.indexOf('已提交,待审核'));
    });

    it('validates a submission next to the field, numbering evidence rows as on screen', async () => {
      const duty = await newTask('提交校验', 'personnel-section', '2026-12-04');
      const page = web.browser();
      await page.signIn('unit:personnel-section');
      const res = await page.post(`/duties/${duty.id}/submit`, {
        version: String(duty.version),
        back: 'duty',
        note: '',
        'evidence.0.title': '',
        'evidence.0.ref': '',
        'evidence.1.title': '教师名册',
        'evidence.1.ref': '',
      });
      expect(res.status).toBe(400);
      expect(res.html).toContain('请填写办理情况说明');
      const row1 = res.html.slice(res.html.indexOf('name="evidence.1.ref"'));
      expect(row1.slice(0, 400)).toContain('此项必须填写');
      expect(res.html).toContain('value="教师名册"');
      expect((await web.services.duties.get(OFFICE, duty.id, NOW)).status).toBe('open');
    });

    it('submits with a note and evidence, then redirects (POST-redirect-GET)', async () => {
      const duty = await newTask('提交成功', 'personnel-section', '2026-12-04');
      const page = web.browser();
      await page.signIn('unit:personnel-section');
      const res = await page.post(`/duties/${duty.id}/submit`, {
        version: String(duty.version),
        back: 'duty',
        note: '已核实全县教师编制。',
        'evidence.0.title': '教师编制统计表',
        'evidence.0.ref': 'https://files.example/bianzhi.xlsx',
      });
      expect(res.status).toBe(303);
      expect(res.location).toBe('/my?ok=submitted');
      const stored = await web.services.duties.get(OFFICE, duty.id, NOW);
      expect(stored.status).toBe('submitted');
      expect(stored.submission).toMatchObject({
        note: '已核实全县教师编制。',
        evidence: [{ title: '教师编制统计表', ref: 'https://files.example/bianzhi.xlsx' }],
        submittedBy: 'demo-personnel-section',
      });
      // A second submit from the stale page is a conflict, shown as a message, not an error page.
      const again = await page.post(`/duties/${duty.id}/submit`, {
        version: String(duty.version),
        note: 'x',
      });
      expect(again.status).toBe(409);
      expect(again.html).toContain('任务已被他人修改,请刷新后重试');
    });

    it('files a zero report in one click, and only for report duties', async () => {
      const report = await newTask(
        '零报告测试',
        'hexi-central-school',
        '2026-11-27T12:00:00+08:00',
        'report',
      );
      const task = await newTask('非报告任务', 'hexi-central-school', '2026-12-04');
      const page = web.browser();
      await page.signIn('unit:hexi-central-school');
      const mine = await page.get('/my');
      expect(block(mine.html, 'duty', report.id)).toContain('零报告(本期无情况)');
      expect(block(mine.html, 'duty', task.id)).not.toContain('零报告(本期无情况)');
      const res = await page.post(`/duties/${report.id}/submit`, {
        version: String(report.version),
        nothingToReport: '1',
        back: 'my',
      });
      expect(res.location).toBe('/my?ok=zero');
      expect((await web.services.duties.get(OFFICE, report.id, NOW)).submission?.nothingToReport).toBe(true);
      const refused = await page.post(`/duties/${task.id}/submit`, { nothingToReport: '1', back: 'my' });
      expect(refused.status).toBe(400);
      expect(refused.html).toContain('只有定期报告类任务可以选择“零报告”');
    });
  });

  describe('review queue (审核队列)', () => {
    it('shows each submitted duty with its evidence; accepts in one click', async () => {
      const duty = await newTask('待审核任务', 'logistics-office', '2026-12-04');
      await web.services.duties.submit(
        { sub: 'clerk', role: 'unit', unitId: 'logistics-office' },
        duty.id,
        {
          note: '装备已核实',
          evidence: [{ title: '装备清单', ref: 'files/zhuangbei.pdf' }],
          nothingToReport: false,
        },
        NOW,
      );
      const page = web.browser();
      await page.signIn('office');
      const queue = await page.get(`/plans/${planId}/review`);
      const card = block(queue.html, 'duty', duty.id);
      expect(card).toContain('后勤办');
      expect(card).toContain('装备已核实');
      expect(card).toContain('装备清单');
      expect(card).toContain('files/zhuangbei.pdf');
      expect(card).toContain('通过办结');
      const res = await page.post(`/duties/${duty.id}/accept`, { version: '2' });
      expect(res.location).toBe(`/plans/${planId}/review?ok=accepted`);
      expect((await web.services.duties.get(OFFICE, duty.id, NOW)).status).toBe('accepted');
      expect((await page.get(res.location ?? '')).html).not.toContain(`data-duty="${duty.id}"`);
      // The same click again, from the stale page: a conflict message on the queue.
      const stale = await page.post(`/duties/${duty.id}/accept`, { version: '2' });
      expect(stale.status).toBe(409);
      expect(stale.html).toContain('任务已被他人修改,请刷新后重试');
      expect(stale.html).toContain('待审核');
    });

    it('returns for rework with a reason (required, shown next to the field) and a new deadline', async () => {
      const duty = await newTask('退回任务', 'sports-center', '2026-12-04');
      const unit: Principal = { sub: 'clerk', role: 'unit', unitId: 'sports-center' };
      await web.services.duties.submit(
        unit,
        duty.id,
        { note: '已完成', evidence: [], nothingToReport: false },
        NOW,
      );
      const page = web.browser();
      await page.signIn('office');
      const empty = await page.post(`/duties/${duty.id}/return`, {
        version: '2',
        reason: '  ',
        newDueAt: '2026-12-10',
      });
      expect(empty.status).toBe(400);
      const card = block(empty.html, 'duty', duty.id);
      expect(card).toContain('此项必须填写');
      expect(card).toContain('value="2026-12-10"');
      const past = await page.post(`/duties/${duty.id}/return`, {
        version: '2',
        reason: '缺材料',
        newDueAt: '2026-11-01',
      });
      expect(past.status).toBe(400);
      expect(block(past.html, 'duty', duty.id)).toContain('整改期限必须晚于现在');

      const ok = await page.post(`/duties/${duty.id}/return`, {
        version: '2',
        reason: '缺少健身器材验收单',
        newDueAt: '2026-12-10',
      });
      expect(ok.location).toBe(`/plans/${planId}/review?ok=returned`);
      const stored = await web.services.duties.get(OFFICE, duty.id, NOW);
      expect(stored).toMatchObject({ status: 'open', round: 2, dueAt: '2026-12-10T15:59:59.999Z' });
      const clerk = web.browser();
      await clerk.signIn('unit:sports-center');
      expect(block((await clerk.get('/my')).html, 'duty', duty.id)).toContain(
        '退回整改(第 2 轮):缺少健身器材验收单',
      );
    });
  });

  describe('notices and the overview', () => {
    it('lists a unit’s notices with 签收, and acknowledges', async () => {
      await web.services.sweeps.sweep(OFFICE, { planId }, NOW);
      const page = web.browser();
      await page.signIn('unit:yjb');
      const mine = await page.get('/my');
      const notice = mine.html.match(/data-notice="([^"]+)"/)?.[1] ?? '';
      expect(notice).not.toBe('');
      expect(mine.html).toContain('逾期催办');
      const res = await page.post(`/notices/${notice}/ack`, {});
      expect(res.location).toBe('/my?ok=acked#notices');
      const after = await page.get('/my');
      expect(after.html.slice(after.html.indexOf(`data-notice="${notice}"`)).slice(0, 1500)).toContain(
        '已签收',
      );
      // Another unit cannot acknowledge it.
      const other = web.browser();
      await other.signIn('unit:justice-bureau');
      expect((await other.post(`/notices/${notice}/ack`, {})).status).toBe(403);
    });

    it('draws each unit’s bar and light (red overdue, blue due within 2 working days, green), worst first', async () => {
      await newTask('明天到期', 'finance-bureau', '2026-11-26T09:00:00+08:00');
      const page = web.browser();
      await page.signIn('office');
      const res = await page.get(`/plans/${planId}`);
      expect(res.status).toBe(200);
      const rows = [...res.html.matchAll(/<li data-unit="([^"]+)"><svg[^>]*data-light="(\w+)"/g)].map(
        (m) => ({
          unit: m[1],
          light: m[2],
        }),
      );
      const light = (unit: string) => rows.find((r) => r.unit === unit)?.light;
      expect(light('poverty-alleviation-office')).toBe('red');
      expect(light('finance-bureau')).toBe('blue');
      expect(light('staffing-office')).toBe('green');
      expect(rows[0]?.light).toBe('red');
      // A unit's name opens its duties in the ledger, in the list and in the overdue table.
      const ledgerLink = `/plans/${planId}/ledger/duties?unit=finance-bureau`;
      expect(res.html).toContain(`<a href="${ledgerLink}">`);
      const ledger = await page.get(ledgerLink);
      expect(ledger.status).toBe(200);
      expect(ledger.html).toContain('明天到期');
      expect(res.html.slice(res.html.indexOf('id="overdue"'))).toContain(
        `href="/plans/${planId}/ledger/duties?unit=poverty-alleviation-office"`,
      );
      expect(res.html).toMatch(
        /<svg class="bar"[^>]*aria-label="办结 0 · 待审核 0 · 待办 0 · 逾期 1 \/ 共 1"/,
      );
      // The overdue list: working days late and the highest notice sent (the sweep above ran).
      const overdue = res.html.slice(res.html.indexOf('id="overdue"'));
      expect(overdue).toContain('更新建档立卡数据并协助控辍保学');
      expect(overdue).toContain('3 个工作日');
      expect(overdue).toContain('逾期催办');
      // The timeline marks today and each phase's state.
      expect(res.html).toContain('今天 11月25日');
      expect(res.html).toContain('进行中');
      expect(res.html).toContain('已结束');
      const byName = await page.get(`/plans/${planId}?sort=name`);
      expect(byName.html).toContain('<strong>按单位</strong>');
    });
  });

  describe('reports (督办通报)', () => {
    it('generates, lists, shows and downloads a report; the overview shows its ranking', async () => {
      const page = web.browser();
      await page.signIn('office');
      const none = await page.get(`/plans/${planId}`);
      expect(none.html).not.toContain('最新通报排名');
      const res = await page.post(`/plans/${planId}/reports`, { period: 'week' });
      expect(res.status).toBe(303);
      const reportId = res.location?.match(/^\/reports\/([a-z0-9-]+)\?ok=report$/)?.[1] ?? '';
      expect(reportId).not.toBe('');
      const view = await page.get(`/reports/${reportId}`);
      expect(view.status).toBe(200);
      expect(view.html).toContain('督办通报');
      expect(view.html).toContain('data-rank-unit="poverty-alleviation-office"');
      // A unit with nothing to judge yet is listed apart, not ranked behind the overdue ones.
      expect(view.html).not.toContain('data-rank-unit="staffing-office"');
      expect(view.html).toContain('data-unassessed-unit="staffing-office"');
      expect(view.html).toContain('本期无考核任务');
      expect(view.html).toContain(`/reports/${reportId}/download/xlsx`);
      const list = await page.get(`/plans/${planId}/reports`);
      expect(list.html).toContain(`data-report="${reportId}"`);
      const again = await page.post(`/plans/${planId}/reports`, { period: 'week' });
      expect(again.location).toBe(`/reports/${reportId}?ok=report-existing`);

      const csv = await web.app.request(`/reports/${reportId}/download/csv`, {
        headers: { cookie: `duban_session=${page.cookie()}` },
      });
      expect(csv.headers.get('content-type')).toContain('text/csv');
      expect(csv.headers.get('content-disposition')).toMatch(
        /^attachment; filename=".+\.csv"; filename\*=UTF-8''/,
      );
      // UTF-8 with a BOM, so Excel opens the Chinese correctly.
      expect(Buffer.from(await csv.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const xlsx = await web.app.request(`/reports/${reportId}/download/xlsx`, {
        headers: { cookie: `duban_session=${page.cookie()}` },
      });
      expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
      expect(
        Buffer.from(await xlsx.arrayBuffer())
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');

      const overview = await page.get(`/plans/${planId}`);
      expect(overview.html).toContain('最新通报排名');
      expect(overview.html).toContain('data-rank-unit="edu-bureau"');

      // A unit sees the ranking and only its own details; it cannot generate a report.
      const unit = web.browser();
      await unit.signIn('unit:edu-bureau');
      const unitView = await unit.get(`/reports/${reportId}`);
      expect(unitView.status).toBe(200);
      expect(unitView.html).toContain('data-rank-unit="poverty-alleviation-office"');
      expect(unitView.html).toContain('data-report-unit="edu-bureau"');
      expect(unitView.html).not.toContain('data-report-unit="poverty-alleviation-office"');
      expect((await unit.post(`/plans/${planId}/reports`, { period: 'month' })).status).toBe(403);
    });
  });
});
