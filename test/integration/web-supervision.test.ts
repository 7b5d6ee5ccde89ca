import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { block, type PageResponse, webApp } from './web-harness.js';

// The fourth day of 自查补短 in the demo plan (as in web-pages.test.ts).
const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };
const unit = (unitId: string): Principal => ({ sub: `clerk-${unitId}`, role: 'unit', unitId });

type Web = Awaited<ReturnType<typeof webApp>>;

/** The markup right after `marker` (a field), where its error message is shown. */
const near = (res: PageResponse, marker: string, length = 600) => {
  const at = res.html.indexOf(marker);
  return at < 0 ? '' : res.html.slice(at, at + length);
};

/** The markup from `from` up to the next `to`. */
const between = (res: PageResponse, from: string, to: string) => {
  const at = res.html.indexOf(from);
  return at < 0 ? '' : res.html.slice(at, res.html.indexOf(to, at));
};

describe('pages: extension requests, sign-off chain, supervision findings', () => {
  let web: Web;
  let planId: string;

  const newDuty = async (title: string, leadUnitId: string, dueAt: string, signOffLevels = 0) =>
    (
      await web.services.plans.createTask(
        OFFICE,
        planId,
        CreateTaskSchema.parse({ title, phaseKey: 'self-check', leadUnitId, dueAt, signOffLevels }),
        NOW,
      )
    ).duties[0] as Duty;
  const stored = (dutyId: string) => web.services.duties.get(OFFICE, dutyId, NOW);
  const requestsOf = (dutyId: string) => web.services.extensions.list(OFFICE, dutyId);
  const submit = (duty: Duty, note: string) =>
    web.services.duties.submit(
      unit(duty.unitId),
      duty.id,
      { note, evidence: [], nothingToReport: false },
      NOW,
    );

  /** A browser signed in as `user` (as the demo sign-in names them). */
  const signedIn = async (user: string) => {
    const page = web.browser();
    await page.signIn(user);
    return page;
  };
  /** A new duty of `unitId` due 4 December, with an extension request the unit made through the service. */
  const withRequest = async (
    title: string,
    unitId: string,
    ask: { reason: string; progress: string; proposedDueAt: string },
  ) => {
    const duty = await newDuty(title, unitId, '2026-12-04');
    const request = await web.services.extensions.request(unit(unitId), duty.id, ask, NOW);
    return { duty, request };
  };
  /** The finding form's fields: a valid finding for 东街村 unless `fields` say otherwise. */
  const findingForm = (fields: Record<string, string | string[]>) => ({
    title: '标题',
    detail: '细节',
    unitIds: ['dongjie-village'],
    dueDate: '2026-12-05',
    source: 'county-check',
    phaseKey: 'self-check',
    ...fields,
  });

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
  });

  describe('extension requests (延期申请)', () => {
    it('a unit asks through the form on its duty page; a bad form shows the problem by the field and writes nothing', async () => {
      const duty = await newDuty('延期申请测试', 'finance-section', '2026-12-04');
      const page = await signedIn('unit:finance-section');
      const form = await page.get(`/duties/${duty.id}`);
      expect(form.status).toBe(200);
      expect(form.html).toContain(`action="/duties/${duty.id}/extension-requests"`);

      const ask = (reason: string, progress: string, proposedDueAt: string) =>
        page.post(`/duties/${duty.id}/extension-requests`, { reason, progress, proposedDueAt });
      const empty = await ask('  ', '已完成一半', '2026-12-10');
      expect(empty.status).toBe(400);
      expect(near(empty, 'name="reason"')).toContain('此项必须填写');
      expect(empty.html).toContain('已完成一半');
      expect(empty.html).toContain('value="2026-12-10"');

      const past = await ask('等待数据', '已完成一半', '2026-11-20');
      expect(past.status).toBe(400);
      expect(near(past, 'name="proposedDueAt"')).toContain('新的截止时间必须晚于原截止时间和现在');
      expect(between(past, 'name="reason"', 'for="ext-progress"')).not.toContain('err-msg');

      const malformed = await ask('等待数据', '一半', '2026-02-30');
      expect(malformed.status).toBe(400);
      expect(near(malformed, 'name="proposedDueAt"')).toContain('不存在');
      const garbage = await ask('等待数据', '一半', '下周五');
      expect(garbage.status).toBe(400);
      expect(near(garbage, 'name="proposedDueAt"')).toContain('格式无效');
      const missing = await ask('等待数据', '一半', '');
      expect(missing.status).toBe(400);
      expect(near(missing, 'name="proposedDueAt"')).toContain('请选择建议延至的日期');

      expect(await requestsOf(duty.id)).toEqual([]);
      expect(await stored(duty.id)).toMatchObject({ pendingExtensionId: null, version: duty.version });

      const ok = await ask('需等待县公安局提供户籍核实数据', '已完成 80% 的入户摸排', '2026-12-10');
      expect(ok.status).toBe(303);
      expect(ok.location).toBe(`/duties/${duty.id}?ok=extension-requested#extension`);
      const [request] = await requestsOf(duty.id);
      expect(request).toMatchObject({
        status: 'pending',
        unitId: 'finance-section',
        proposedDueAt: '2026-12-10T15:59:59.999Z',
        requestedBy: 'demo-finance-section',
      });
      const after = await page.get(ok.location ?? '');
      expect(after.html).toContain('延期申请已提交');
      expect(block(after.html, 'request', request?.id ?? '-', 'li')).toContain('待审批');
      // One pending request at a time: no second form.
      expect(after.html).not.toContain(`action="/duties/${duty.id}/extension-requests"`);
    });

    it('offers no request form once the duty is overdue, and none to a leader (who only decides)', async () => {
      const late = await newDuty('已逾期任务', 'finance-section', '2026-11-24');
      const clerk = await signedIn('unit:finance-section');
      const page = await clerk.get(`/duties/${late.id}`);
      expect(page.html).toContain('已过截止时间,不能再申请延期');
      expect(page.html).not.toContain('/extension-requests"');
      const leader = await signedIn('leader');
      const open = await newDuty('领导查看', 'finance-section', '2026-12-04');
      const seen = await leader.get(`/duties/${open.id}`);
      expect(seen.status).toBe(200);
      expect(seen.html).not.toContain('/extension-requests"');
    });

    it('the office sees the plan’s pending requests and approves one: the due time moves', async () => {
      const { duty, request } = await withRequest('批准延期', 'hrss-bureau', {
        reason: '人员外出培训',
        progress: '已完成摸底',
        proposedDueAt: '2026-12-11',
      });
      const office = await signedIn('office');
      const list = await office.get(`/plans/${planId}/extensions`);
      expect(list.status).toBe(200);
      const card = block(list.html, 'request', request.id);
      expect(card).toContain('县人力资源和社会保障局');
      expect(card).toContain('人员外出培训');
      expect(card).toContain('已完成摸底');
      expect(card).toContain('12月11日');
      // The approve form starts from the proposal.
      expect(card).toContain('name="dueDate" value="2026-12-11"');

      const action = `/duties/${duty.id}/extension-requests/${request.id}/approve`;
      const bad = await office.post(action, { dueDate: '2026-11-01', dueTime: '' });
      expect(bad.status).toBe(400);
      expect(block(bad.html, 'request', request.id)).toContain('新的截止时间必须晚于原截止时间和现在');
      expect((await stored(duty.id)).dueAt).toBe(duty.dueAt);

      const ok = await office.post(action, { dueDate: '2026-12-09', dueTime: '17:30', note: '同意' });
      expect(ok.status).toBe(303);
      expect(ok.location).toBe(`/plans/${planId}/extensions?ok=extension-approved`);
      expect(await stored(duty.id)).toMatchObject({
        dueAt: '2026-12-09T09:30:00.000Z',
        extensions: 1,
        pendingExtensionId: null,
      });
      const [decided] = await requestsOf(duty.id);
      expect(decided).toMatchObject({ status: 'approved', approvedDueAt: '2026-12-09T09:30:00.000Z' });
      const after = await office.get(ok.location ?? '');
      expect(after.html).toContain('已批准延期');
      expect(after.html).not.toContain(`data-request="${request.id}"`);
      // The duty page keeps the request and its decision.
      const history = await office.get(`/duties/${duty.id}`);
      expect(block(history.html, 'request', request.id, 'li')).toContain('已批准');
      // A second click from the stale page is a message, not an error page.
      const stale = await office.post(action, { dueDate: '2026-12-09' });
      expect(stale.status).toBe(409);
      expect(stale.html).toContain('该延期申请已经处理过');
    });

    it('refuses with a reason (required, next to the field); nothing changes on the duty', async () => {
      const { duty, request } = await withRequest('不予延期', 'health-bureau', {
        reason: '材料较多',
        progress: '已整理一半',
        proposedDueAt: '2026-12-20',
      });
      // A leader reads the list and may decide too (延期 is the office's or a leader's call).
      const leader = await signedIn('leader');
      expect(block((await leader.get(`/plans/${planId}/extensions`)).html, 'request', request.id)).toContain(
        '不予延期',
      );
      const office = await signedIn('office');
      const action = `/duties/${duty.id}/extension-requests/${request.id}/refuse`;
      const empty = await office.post(action, { reason: '' });
      expect(empty.status).toBe(400);
      expect(near(empty, `${action}"`, 900)).toContain('此项必须填写');
      expect((await requestsOf(duty.id))[0]?.status).toBe('pending');

      const ok = await office.post(action, { reason: '时间充足,请按期完成' });
      expect(ok.location).toBe(`/plans/${planId}/extensions?ok=extension-refused`);
      const after = await stored(duty.id);
      expect(after).toMatchObject({ dueAt: duty.dueAt, extensions: 0, pendingExtensionId: null, round: 1 });
      expect((await requestsOf(duty.id))[0]).toMatchObject({
        status: 'refused',
        decisionNote: '时间充足,请按期完成',
      });
      const clerk = await signedIn('unit:health-bureau');
      const page = await clerk.get(`/duties/${duty.id}`);
      expect(block(page.html, 'request', request.id, 'li')).toContain('时间充足,请按期完成');
      // Refused, the unit may ask again before the deadline.
      expect(page.html).toContain(`action="/duties/${duty.id}/extension-requests"`);
    });

    it('a unit can neither open the pending list nor decide', async () => {
      const { duty, request } = await withRequest('单位不能审批', 'justice-bureau', {
        reason: '理由',
        progress: '进展',
        proposedDueAt: '2026-12-08',
      });
      const clerk = await signedIn('unit:justice-bureau');
      expect((await clerk.get(`/plans/${planId}/extensions`)).status).toBe(403);
      const approve = await clerk.post(`/duties/${duty.id}/extension-requests/${request.id}/approve`, {
        dueDate: '2026-12-08',
      });
      expect(approve.status).toBe(403);
      expect(approve.html).toContain('只有办公室或领导可以执行此操作');
      expect(await stored(duty.id)).toMatchObject({ dueAt: duty.dueAt, pendingExtensionId: request.id });
    });
  });

  describe('sign-off chain (逐级审核)', () => {
    it('a township sees its villages’ submissions, confirms one with its note and returns another', async () => {
      const village = await newDuty('村级自查', 'dongjie-village', '2026-12-04', 1);
      const school = await newDuty('学校自查', 'chengguan-primary', '2026-12-04', 1);
      await submit(village, '本村适龄儿童全部在校');
      await submit(school, '在校生名册已核对');

      // The office sees it waiting for the township, and cannot accept it yet.
      const office = await signedIn('office');
      const queue = await office.get(`/plans/${planId}/review`);
      const waiting = block(queue.html, 'duty', village.id);
      expect(waiting).toContain('待 城关镇 确认');
      expect(waiting).not.toContain('通过办结');

      const town = await signedIn('unit:chengguan-town');
      const mine = await town.get('/my');
      expect(mine.html).toContain('href="/review"');
      const list = await town.get('/review');
      expect(list.status).toBe(200);
      expect(block(list.html, 'duty', village.id)).toContain('本村适龄儿童全部在校');
      expect(block(list.html, 'duty', village.id)).toContain('东街村');
      expect(block(list.html, 'duty', school.id)).toContain('确认并上报');

      const empty = await town.post(`/duties/${village.id}/confirm`, { note: ' ', version: '2' });
      expect(empty.status).toBe(400);
      expect(block(empty.html, 'duty', village.id)).toContain('此项必须填写');
      expect(await stored(village.id)).toMatchObject({
        version: 2,
        awaitingConfirmationFrom: 'chengguan-town',
      });

      const confirmed = await town.post(`/duties/${village.id}/confirm`, {
        note: '经核实,情况属实',
        version: '2',
      });
      expect(confirmed.status).toBe(303);
      expect(confirmed.location).toBe('/review?ok=confirmed');
      const up = await stored(village.id);
      expect(up).toMatchObject({ status: 'submitted', awaitingConfirmationFrom: null });
      expect(up.confirmations).toMatchObject([{ unitId: 'chengguan-town', note: '经核实,情况属实' }]);
      const after = await town.get(confirmed.location ?? '');
      expect(after.html).toContain('已确认,任务已报送上一级');
      expect(block(after.html, 'duty', village.id)).toBe('');
      // Now the office may accept it, and sees the township's note.
      const ready = block((await office.get(`/plans/${planId}/review`)).html, 'duty', village.id);
      expect(ready).toContain('通过办结');
      expect(ready).toContain('经核实,情况属实');

      const noReason = await town.post(`/duties/${school.id}/return`, { reason: '', version: '2' });
      expect(noReason.status).toBe(400);
      expect(block(noReason.html, 'duty', school.id)).toContain('此项必须填写');
      const returned = await town.post(`/duties/${school.id}/return`, {
        reason: '名册缺少校长签字',
        version: '2',
      });
      expect(returned.location).toBe('/review?ok=returned-down');
      expect(await stored(school.id)).toMatchObject({ status: 'open', round: 2, returns: 1 });
      const clerk = await signedIn('unit:chengguan-primary');
      expect(block((await clerk.get('/my')).html, 'duty', school.id)).toContain('名册缺少校长签字');
    });

    it('another township neither sees nor confirms it: 403, nothing written', async () => {
      const village = await newDuty('他乡不可见', 'dongjie-village', '2026-12-04', 1);
      await submit(village, '已完成');
      const other = await signedIn('unit:hexi-township');
      const list = await other.get('/review');
      expect(list.status).toBe(200);
      expect(list.html).not.toContain(village.id);
      expect((await other.get(`/duties/${village.id}`)).status).toBe(403);
      const confirm = await other.post(`/duties/${village.id}/confirm`, { note: '确认', version: '2' });
      expect(confirm.status).toBe(403);
      expect(confirm.html).toContain('无权访问');
      const back = await other.post(`/duties/${village.id}/return`, { reason: '退回', version: '2' });
      expect(back.status).toBe(403);
      expect(await stored(village.id)).toMatchObject({
        version: 2,
        status: 'submitted',
        confirmations: [],
        awaitingConfirmationFrom: 'chengguan-town',
      });
      // Nor can the village confirm its own submission.
      const self = await signedIn('unit:dongjie-village');
      expect((await self.post(`/duties/${village.id}/confirm`, { note: '自己确认' })).status).toBe(403);
      expect((await stored(village.id)).version).toBe(2);
    });
  });

  describe('supervision findings (督查整改)', () => {
    it('the office registers a finding through the form; a bad form writes nothing', async () => {
      const office = await signedIn('office');
      const page = await office.get(`/plans/${planId}/findings`);
      expect(page.status).toBe(200);
      expect(page.html).toContain('还没有登记督查发现的问题');
      expect(page.html).toContain('name="unitIds" value="liuwan-village"');
      expect(page.html).toContain('<option value="self-check" selected="">');

      const bad = await office.post(
        `/plans/${planId}/findings`,
        findingForm({ title: '', detail: '细节保留', unitIds: [], dueDate: '', source: 'unannounced' }),
      );
      expect(bad.status).toBe(400);
      expect(near(bad, 'id="title"')).toContain('此项必须填写');
      expect(near(bad, 'name="dueTime"', 500)).toContain('请填写整改期限');
      expect(bad.html).toContain('请至少选择一个整改单位');
      expect(bad.html).toContain('细节保留');
      expect(bad.html).toContain('<option value="unannounced" selected="">');
      const past = await office.post(`/plans/${planId}/findings`, findingForm({ dueDate: '2026-02-30' }));
      expect(past.status).toBe(400);
      expect(past.html).toContain('不存在');
      expect(past.html).toMatch(/name="unitIds" value="dongjie-village" checked/);
      expect(await web.services.supervision.listFindings(OFFICE, planId)).toEqual([]);

      const ok = await office.post(
        `/plans/${planId}/findings`,
        findingForm({
          title: '花名册与学籍系统不一致',
          detail: '暗访发现两村花名册与学籍系统不一致,限期核对整改。',
          unitIds: ['dongjie-village', 'liuwan-village'],
          source: 'unannounced',
        }),
      );
      expect(ok.status).toBe(303);
      expect(ok.location).toBe(`/plans/${planId}/findings?ok=finding&n=2`);
      const [finding] = await web.services.supervision.listFindings(OFFICE, planId);
      expect(finding).toMatchObject({
        title: '花名册与学籍系统不一致',
        source: 'unannounced',
        unitIds: ['dongjie-village', 'liuwan-village'],
        dueAt: '2026-12-05T15:59:59.999Z',
        status: 'open',
        total: 2,
      });
      const listed = await office.get(ok.location ?? '');
      expect(listed.html).toContain('已向 2 个单位交办整改任务');
      const card = block(listed.html, 'finding', finding?.id ?? '-');
      expect(card).toContain('四不两直');
      expect(card).toContain('东街村');
      expect(card).toContain('柳湾村');
      expect(card).toContain('整改中 0/2');
      expect(card).toContain('12月5日');
      expect(card).not.toContain('已销号');
    });

    it('shows 销号 once every rectification duty is accepted, each duty’s state on the way', async () => {
      const [finding] = await web.services.supervision.listFindings(OFFICE, planId);
      if (finding === undefined) throw new Error('the finding of the previous test is missing');
      const [first, second] = await Promise.all(finding.dutyIds.map((id) => stored(id)));
      if (first === undefined || second === undefined) throw new Error('rectification duties missing');
      const office = await signedIn('office');

      await submit(first, '已核对并更正');
      await web.services.duties.accept(OFFICE, first.id, {}, NOW);
      const half = block((await office.get(`/plans/${planId}/findings`)).html, 'finding', finding.id);
      expect(half).toContain('整改中 1/2');
      expect(block(half, 'duty', first.id, 'li')).toContain('已办结');
      expect(block(half, 'duty', second.id, 'li')).toContain('待办');

      await submit(second, '已更正');
      await web.services.duties.accept(OFFICE, second.id, {}, NOW);
      const done = await office.get(`/plans/${planId}/findings`);
      const card = block(done.html, 'finding', finding.id);
      expect(card).toContain('已销号');
      expect(card).not.toContain('整改中');
      expect(done.html).toContain('已销号 1');
    });

    it('a unit sees on the findings page only the findings that name it, and cannot register one', async () => {
      const clerk = await signedIn('unit:dongjie-village');
      const [finding] = await web.services.supervision.listFindings(OFFICE, planId);
      if (finding === undefined) throw new Error('the finding of the earlier test is missing');
      const [own, other] = await Promise.all(finding.dutyIds.map((id) => stored(id)));
      const mine = [own, other].find((d) => d?.unitId === 'dongjie-village');
      const theirs = [own, other].find((d) => d?.unitId !== 'dongjie-village');
      const page = await clerk.get(`/plans/${planId}/findings`);
      expect(page.status).toBe(200);
      const card = block(page.html, 'finding', finding.id);
      expect(card).toContain('花名册与学籍系统不一致');
      expect(card).toContain(`data-duty="${mine?.id}"`);
      expect(card).not.toContain(`data-duty="${theirs?.id}"`);
      expect(page.html).not.toContain('登记督查问题');
      const outsider = await signedIn('unit:chengguan-town');
      const none = await outsider.get(`/plans/${planId}/findings`);
      expect(none.status).toBe(200);
      expect(none.html).not.toContain(`data-finding="${finding.id}"`);
      expect(none.html).toContain('没有涉及本单位的督查发现问题');
      const before = (await web.services.supervision.listFindings(OFFICE, planId)).length;
      const res = await clerk.post(
        `/plans/${planId}/findings`,
        findingForm({ title: '单位登记', source: 'self-check' }),
      );
      expect(res.status).toBe(403);
      expect((await web.services.supervision.listFindings(OFFICE, planId)).length).toBe(before);
    });
  });

  it('links the new pages from the navigation', async () => {
    const office = await signedIn('office');
    const overview = await office.get(`/plans/${planId}`);
    expect(overview.html).toContain(`href="/plans/${planId}/extensions"`);
    expect(overview.html).toContain(`href="/plans/${planId}/findings"`);
    const town = await signedIn('unit:chengguan-town');
    expect((await town.get('/my')).html).toContain('<a href="/review"');
  });
});
