/**
 * Every API route × every kind of caller, generated from the route table (/openapi.json): a route
 * that is added without a row here fails the first test. Each refused request must leave both
 * tables exactly as they were.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Notice } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { weeklyFormTaskId } from '../../shared/services/case-weekly-form.js';
import { LEADER, OFFICE, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { careChild } from '../fixtures/case-child.js';
import { tableSnapshot } from '../fixtures/snapshot.js';

type Api = Awaited<ReturnType<typeof testApp>>;
const CALLERS = [
  'office',
  'leader',
  'own',
  'parent',
  'other',
  'none',
  'expired',
  'forged',
  'deleted',
] as const;
type Caller = (typeof CALLERS)[number];
type Allowed = Partial<Record<'office' | 'leader' | 'own' | 'parent' | 'other', number>>;

interface Fixture {
  api: Api;
  plan: Plan;
  openDuty: Duty;
  notice: Notice;
  newOpenDuty(): Promise<Duty>;
  newSubmittedDuty(): Promise<Duty>;
  newUnitId(): Promise<string>;
  newDutyAwaitingTown(): Promise<Duty>;
  newPendingExtension(): Promise<{ dutyId: string; requestId: string }>;
  newEmptyPlanId(): Promise<string>;
  reportId(): Promise<string>;
  /** A 控辍保学 case of the own unit (as a school) in the parent township. */
  newCase(): Promise<string>;
  newReturnedCase(): Promise<string>;
  caseId: string;
  newReceiptDuty(): Promise<Duty>;
}

interface RouteCase {
  /** Builds the request; `fresh` is true when the call is expected to succeed (and change things). */
  request(
    fx: Fixture,
    fresh: boolean,
  ): Promise<{ path: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }>;
  /** Expected status per caller that holds a valid token; everyone else gets 401. Unlisted: 403. */
  allowed: Allowed;
}

const READ_ALL: Allowed = { office: 200, leader: 200, own: 200, parent: 200, other: 200 };
const OFFICE_ONLY = (status: number): Allowed => ({ office: status });
const OWN_TREE_READ: Allowed = { office: 200, leader: 200, own: 200, parent: 200 };

const MATRIX_INDICATOR = {
  name: '入学率',
  measure: 'ratio',
  unitOfMeasure: '%',
  direction: 'gte',
  target: '98',
  period: 'monthly',
  reportingUnitIds: ['village'],
};
let figureMonths = 0;
/** The indicator the figure and table rows use, created on first need. */
async function matrixIndicator(fx: Fixture) {
  const res = await fx.api.call('PUT', `/v1/plans/${fx.plan.id}/indicators/matrix-rate`, {
    body: MATRIX_INDICATOR,
  });
  if (res.status !== 200 && res.status !== 409)
    throw new Error(`fixture: indicator ${res.status} ${res.text}`);
}

/** A channel to a closed loopback port: tests of it answer 200 with ok false, and post nowhere. */
async function matrixChannel(fx: Fixture, id: string): Promise<void> {
  if ((await fx.api.services.channels.list(OFFICE, 'unit:village')).some((c) => c.id === id)) return;
  await fx.api.services.channels.put(
    OFFICE,
    id,
    {
      owner: 'unit:village',
      kind: 'wecom',
      name: '矩阵测试群',
      webhookUrl: 'http://127.0.0.1:9/cgi-bin/webhook/send?key=m',
    },
    new Date(),
  );
}

const ROUTES: Record<string, RouteCase> = {
  'GET /v1/units': { request: async () => ({ path: '/v1/units' }), allowed: READ_ALL },
  'POST /v1/units': {
    request: async (_fx, fresh) => ({
      path: '/v1/units',
      body: {
        id: fresh ? `u-${Math.random().toString(36).slice(2, 10)}` : 'refused-unit',
        name: '新单位',
        kind: 'other',
      },
    }),
    allowed: OFFICE_ONLY(201),
  },
  'GET /v1/units/{unitId}': { request: async () => ({ path: '/v1/units/village' }), allowed: READ_ALL },
  'POST /v1/units/{unitId}/deactivate': {
    request: async (fx, fresh) => ({
      path: `/v1/units/${fresh ? await fx.newUnitId() : 'other'}/deactivate`,
    }),
    allowed: OFFICE_ONLY(200),
  },
  'GET /v1/units/{unitId}/duties': {
    request: async () => ({ path: '/v1/units/village/duties' }),
    allowed: OWN_TREE_READ,
  },
  'POST /v1/plans': {
    request: async () => ({
      path: '/v1/plans',
      body: { title: '新方案', phases: [{ key: 'a', name: '一', start: '2026-05-01' }] },
    }),
    allowed: OFFICE_ONLY(201),
  },
  'GET /v1/plans': { request: async () => ({ path: '/v1/plans' }), allowed: READ_ALL },
  'GET /v1/plans/{planId}': {
    request: async (fx) => ({ path: `/v1/plans/${fx.plan.id}` }),
    allowed: READ_ALL,
  },
  'POST /v1/plans/{planId}/tasks': {
    request: async (fx) => ({
      path: `/v1/plans/${fx.plan.id}/tasks`,
      body: { title: '新任务', phaseKey: 'work', leadUnitId: 'village', dueAt: '2026-06-30' },
    }),
    allowed: OFFICE_ONLY(201),
  },
  'GET /v1/plans/{planId}/tasks': {
    request: async (fx) => ({ path: `/v1/plans/${fx.plan.id}/tasks` }),
    allowed: READ_ALL,
  },
  'GET /v1/plans/{planId}/tasks/{taskId}': {
    request: async (fx) => ({ path: `/v1/plans/${fx.plan.id}/tasks/${fx.openDuty.taskId}` }),
    allowed: { office: 200, leader: 200 },
  },
  'GET /v1/plans/{planId}/duties': {
    request: async (fx) => ({ path: `/v1/plans/${fx.plan.id}/duties?unitId=village` }),
    allowed: OWN_TREE_READ,
  },
  'GET /v1/duties/{dutyId}': {
    request: async (fx) => ({ path: `/v1/duties/${fx.openDuty.id}` }),
    allowed: OWN_TREE_READ,
  },
  'GET /v1/duties/{dutyId}/history': {
    request: async (fx) => ({ path: `/v1/duties/${fx.openDuty.id}/history` }),
    allowed: OWN_TREE_READ,
  },
  'POST /v1/duties/{dutyId}/submit': {
    request: async (fx, fresh) => ({
      path: `/v1/duties/${fresh ? (await fx.newOpenDuty()).id : fx.openDuty.id}/submit`,
      body: { note: '已完成' },
    }),
    allowed: { office: 200, own: 200 },
  },
  'POST /v1/duties/{dutyId}/evidence-uploads': {
    request: async (fx, fresh) => ({
      path: `/v1/duties/${fresh ? (await fx.newOpenDuty()).id : fx.openDuty.id}/evidence-uploads`,
      body: { fileName: '花名册.pdf', contentType: 'application/pdf', size: 1024 },
    }),
    // Uploading evidence is part of submitting: the owning unit and the office, nobody else.
    allowed: { office: 201, own: 201 },
  },
  'GET /v1/duties/{dutyId}/evidence-files/{fileName}': {
    request: async (fx) => {
      // A stored file of the open duty (uploading writes files only, no table item).
      const upload = await fx.api.evidence.service.createUpload(
        OFFICE,
        fx.openDuty.id,
        { fileName: '花名册.pdf', contentType: 'application/pdf', size: 3 },
        new Date('2026-05-16T02:00:00Z'),
      );
      const put = await fx.api.evidence.uploads.request(upload.uploadUrl, {
        method: 'PUT',
        headers: upload.headers,
        body: new Uint8Array([1, 2, 3]),
      });
      if (put.status !== 201) throw new Error(`fixture: upload answered ${put.status}`);
      return { path: `/v1/duties/${fx.openDuty.id}/evidence-files/${upload.fileKey.split('/').at(-1)}` };
    },
    // Whoever may read the duty may open its files.
    allowed: OWN_TREE_READ,
  },
  'POST /v1/duties/{dutyId}/accept': {
    request: async (fx) => ({ path: `/v1/duties/${(await fx.newSubmittedDuty()).id}/accept`, body: {} }),
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/duties/{dutyId}/return': {
    request: async (fx) => ({
      path: `/v1/duties/${(await fx.newSubmittedDuty()).id}/return`,
      body: { reason: '请补充' },
    }),
    allowed: OFFICE_ONLY(200),
  },
  'GET /v1/notices': {
    request: async () => ({ path: '/v1/notices?unitId=village' }),
    allowed: OWN_TREE_READ,
  },
  'POST /v1/notices/{noticeId}/ack': {
    request: async (fx) => ({ path: `/v1/notices/${fx.notice.id}/ack` }),
    // Only the addressee acknowledges: the village's overdue notice is addressed to the village.
    allowed: { own: 200 },
  },
  'POST /v1/sweeps': { request: async () => ({ path: '/v1/sweeps', body: {} }), allowed: OFFICE_ONLY(200) },
  'POST /v1/plans/{planId}/counters/recount': {
    request: async (fx) => ({ path: `/v1/plans/${fx.plan.id}/counters/recount` }),
    allowed: OFFICE_ONLY(200),
  },
  'GET /v1/calendar/{year}': { request: async () => ({ path: '/v1/calendar/2026' }), allowed: READ_ALL },
  'PUT /v1/calendar/{year}': {
    request: async () => ({ path: '/v1/calendar/2032', body: { holidays: ['2032-01-01'], workdays: [] } }),
    allowed: OFFICE_ONLY(200),
  },
  'GET /v1/audit': { request: async () => ({ path: '/v1/audit' }), allowed: OFFICE_ONLY(200) },
  'POST /v1/duties/{dutyId}/confirm': {
    request: async (fx) => ({
      path: `/v1/duties/${(await fx.newDutyAwaitingTown()).id}/confirm`,
      body: { note: '确认' },
    }),
    // Only the unit whose turn it is confirms; the office is not in the chain.
    allowed: { parent: 200, office: 409 },
  },
  'POST /v1/duties/{dutyId}/extension-requests': {
    request: async (fx, fresh) => ({
      path: `/v1/duties/${fresh ? (await fx.newOpenDuty()).id : fx.openDuty.id}/extension-requests`,
      body: { reason: '需要更多时间', progress: '进行中', proposedDueAt: '2026-07-15' },
    }),
    allowed: { office: 201, own: 201 },
  },
  'GET /v1/duties/{dutyId}/extension-requests': {
    request: async (fx) => ({ path: `/v1/duties/${fx.openDuty.id}/extension-requests` }),
    allowed: OWN_TREE_READ,
  },
  'POST /v1/duties/{dutyId}/extension-requests/{requestId}/approve': {
    request: async (fx) => {
      const { dutyId, requestId } = await fx.newPendingExtension();
      return { path: `/v1/duties/${dutyId}/extension-requests/${requestId}/approve`, body: {} };
    },
    allowed: { office: 200, leader: 200 },
  },
  'POST /v1/duties/{dutyId}/extension-requests/{requestId}/refuse': {
    request: async (fx) => {
      const { dutyId, requestId } = await fx.newPendingExtension();
      return {
        path: `/v1/duties/${dutyId}/extension-requests/${requestId}/refuse`,
        body: { reason: '请按期完成' },
      };
    },
    allowed: { office: 200, leader: 200 },
  },
  'POST /v1/plans/{planId}/phases/{key}/close': {
    request: async (fx, fresh) => ({
      path: `/v1/plans/${fresh ? await fx.newEmptyPlanId() : fx.plan.id}/phases/work/close`,
      body: {},
    }),
    allowed: { office: 200, leader: 200 },
  },
  'POST /v1/plans/{planId}/phases/{key}/reopen': {
    request: async (fx, fresh) => {
      if (!fresh) return { path: `/v1/plans/${fx.plan.id}/phases/work/reopen`, body: { reason: '补充任务' } };
      const planId = await fx.newEmptyPlanId();
      await fx.api.call('POST', `/v1/plans/${planId}/phases/work/close`, { body: {} });
      return { path: `/v1/plans/${planId}/phases/work/reopen`, body: { reason: '补充任务' } };
    },
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/plans/{planId}/findings': {
    request: async (fx) => ({
      path: `/v1/plans/${fx.plan.id}/findings`,
      body: {
        title: '发现问题',
        detail: '数据不一致',
        unitIds: ['village'],
        dueAt: '2026-06-30',
        source: 'county-check',
      },
    }),
    allowed: OFFICE_ONLY(201),
  },
  'POST /v1/plans/{planId}/reports': {
    // Fresh plans give fresh periods: the first request for a period creates it (201).
    request: async (fx, fresh) => ({
      path: `/v1/plans/${fresh ? await fx.newEmptyPlanId() : fx.plan.id}/reports`,
      body: { period: 'week' },
    }),
    allowed: OFFICE_ONLY(201),
  },
  'GET /v1/plans/{planId}/reports': {
    request: async (fx) => ({ path: `/v1/plans/${fx.plan.id}/reports` }),
    allowed: READ_ALL,
  },
  'GET /v1/reports/{reportId}': {
    request: async (fx) => ({ path: `/v1/reports/${await fx.reportId()}` }),
    allowed: READ_ALL,
  },
  'GET /v1/plans/{planId}/findings': {
    request: async (fx) => ({ path: `/v1/plans/${fx.plan.id}/findings` }),
    allowed: READ_ALL,
  },
  'POST /v1/cases': {
    request: async () => ({ path: '/v1/cases', body: CASE_BODY }),
    allowed: { office: 201, own: 201 },
  },
  // Everyone lists; each sees only its own part (another unit's list is empty: cases.test.ts).
  'GET /v1/cases': { request: async () => ({ path: '/v1/cases' }), allowed: READ_ALL },
  'GET /v1/cases/{caseId}': {
    request: async (fx) => ({ path: `/v1/cases/${fx.caseId}` }),
    allowed: OWN_TREE_READ,
  },
  'POST /v1/cases/{caseId}/steps': {
    request: async (fx) => ({
      path: `/v1/cases/${fx.caseId}/steps`,
      body: { kind: 'contact', date: '2026-05-15', by: '王老师', method: '电话', result: '家长答应送回' },
    }),
    allowed: { office: 201, own: 201 },
  },
  'POST /v1/cases/{caseId}/return': {
    request: async (fx, fresh) => ({
      path: `/v1/cases/${fresh ? await fx.newCase() : fx.caseId}/return`,
      body: { returnedOn: '2026-05-15', evidence: '返校签到表' },
    }),
    allowed: { office: 200, own: 200 },
  },
  'POST /v1/cases/{caseId}/registry-updated': {
    request: async (fx, fresh) => ({
      path: `/v1/cases/${fresh ? await fx.newReturnedCase() : fx.caseId}/registry-updated`,
      body: { updatedOn: '2026-05-15' },
    }),
    allowed: { office: 200, own: 200 },
  },
  'POST /v1/semesters': {
    request: async (fx, fresh) => ({
      path: '/v1/semesters',
      body: {
        id: fresh ? `term-${Math.random().toString(36).slice(2, 10)}` : 'refused-term',
        name: '2026秋季学期',
        startDate: '2026-09-01',
        planId: fresh ? await fx.newEmptyPlanId() : fx.plan.id,
        schoolUnitIds: ['village'],
      },
    }),
    allowed: OFFICE_ONLY(201),
  },
  'GET /v1/semesters': { request: async () => ({ path: '/v1/semesters' }), allowed: READ_ALL },
  'GET /v1/semesters/{semesterId}': {
    request: async (fx) => ({ path: `/v1/semesters/${await matrixSemester(fx)}` }),
    allowed: READ_ALL,
  },
  'POST /v1/rosters/imports': {
    // A preview of the village's rosters: only the school itself (and the office for it) files them.
    request: async (fx) => ({
      path: `/v1/rosters/imports?semester=${await matrixSemester(fx)}&school=village&mode=preview`,
      rawBody:
        '花名册类别,姓名,居住乡镇,监护人姓名,监护人电话\n无学籍人员,张小明,城关镇,张大山,13812345678\n',
      headers: { 'content-type': 'text/csv' },
    }),
    allowed: { office: 200, own: 200 },
  },
  // The village's part of the ledger: itself, the township above it, the office and leaders only.
  'GET /v1/rosters/ledger': {
    request: async (fx) => ({
      path: `/v1/rosters/ledger?semester=${await matrixSemester(fx)}&school=village`,
    }),
    allowed: OWN_TREE_READ,
  },
  'GET /v1/rosters/ledger/export': {
    request: async (fx) => ({
      path: `/v1/rosters/ledger/export?semester=${await matrixSemester(fx)}&school=village&format=csv`,
    }),
    allowed: OWN_TREE_READ,
  },
  'PUT /v1/units/{unitId}/aliases': {
    request: async (fx, fresh) => ({
      path: `/v1/units/${fresh ? await fx.newUnitId() : 'other'}/aliases`,
      body: { aliases: ['别名'] },
    }),
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/plans/{planId}/imports': {
    // A preview: it reads the file and writes nothing, for every caller.
    request: async (fx) => ({
      path: `/v1/plans/${fx.plan.id}/imports?mode=preview`,
      rawBody: '工作任务,责任单位,完成时限\n摸排,东街村,6月30日\n',
      headers: { 'content-type': 'text/csv' },
    }),
    allowed: OFFICE_ONLY(200),
  },
  'GET /v1/imports/template.xlsx': {
    request: async () => ({ path: '/v1/imports/template.xlsx' }),
    allowed: READ_ALL,
  },
  'GET /v1/plans/{planId}/indicators': {
    request: async (fx) => ({ path: `/v1/plans/${fx.plan.id}/indicators` }),
    allowed: READ_ALL,
  },
  'GET /v1/plans/{planId}/indicators/table': {
    request: async (fx) => {
      await matrixIndicator(fx);
      return { path: `/v1/plans/${fx.plan.id}/indicators/table?period=2026-05` };
    },
    allowed: READ_ALL,
  },
  'PUT /v1/plans/{planId}/indicators/{key}': {
    request: async (fx, fresh) => ({
      path: `/v1/plans/${fx.plan.id}/indicators/${fresh ? `k-${Math.random().toString(36).slice(2, 10)}` : 'refused'}`,
      body: MATRIX_INDICATOR,
    }),
    allowed: OFFICE_ONLY(200),
  },
  'PUT /v1/plans/{planId}/indicators/{key}/figures/{period}': {
    request: async (fx) => {
      await matrixIndicator(fx);
      // A month of its own for every request: each success is a first report.
      figureMonths++;
      const month = `${2026 + Math.floor((4 + figureMonths) / 12)}-${String(((4 + figureMonths) % 12) + 1).padStart(2, '0')}`;
      return {
        path: `/v1/plans/${fx.plan.id}/indicators/matrix-rate/figures/${month}`,
        body: { unitId: 'village', source: 'report', numerator: '9', denominator: '10' },
      };
    },
    // A unit reports its own figures; the office may report for it; a unit above only reads them.
    allowed: { office: 200, own: 200 },
  },
  'POST /v1/duties/{dutyId}/progress': {
    request: async (fx) => ({ path: `/v1/duties/${fx.openDuty.id}/progress`, body: { percent: 40 } }),
    allowed: { office: 200, own: 200 },
  },
  'POST /v1/calendar/{year}/notice': {
    request: async () => ({
      path: '/v1/calendar/2033/notice',
      body: { text: '一、元旦：1月1日放假，共1天。', mode: 'commit' },
    }),
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/duties/{dutyId}/receive': {
    // Only the owning unit signs; a fresh duty of a plan that requires 签收 each time it succeeds.
    request: async (fx, fresh) => ({
      path: `/v1/duties/${fresh ? (await fx.newReceiptDuty()).id : fx.openDuty.id}/receive`,
    }),
    allowed: { own: 200 },
  },
  'POST /v1/duties/{dutyId}/reminders': {
    request: async (fx) => ({ path: `/v1/duties/${fx.openDuty.id}/reminders`, body: { text: '请尽快办理' } }),
    // 催办: the office, and a unit over the owner.
    allowed: { office: 201, parent: 201 },
  },
  'GET /v1/channels': { request: async () => ({ path: '/v1/channels' }), allowed: OFFICE_ONLY(200) },
  'PUT /v1/channels/{channelId}': {
    request: async () => ({
      path: '/v1/channels/matrix-put',
      body: {
        owner: 'unit:village',
        kind: 'wecom',
        name: '东街村工作群',
        webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=matrix',
      },
    }),
    allowed: OFFICE_ONLY(200),
  },
  'DELETE /v1/channels/{channelId}': {
    request: async (fx, fresh) => {
      const id = fresh ? `del-${Math.random().toString(36).slice(2, 10)}` : 'matrix-kept';
      await matrixChannel(fx, id);
      return { path: `/v1/channels/${id}` };
    },
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/channels/{channelId}/test': {
    request: async (fx) => {
      await matrixChannel(fx, 'matrix-test');
      return { path: '/v1/channels/matrix-test/test' };
    },
    allowed: OFFICE_ONLY(200),
  },
  'GET /v1/delivery-settings': {
    request: async () => ({ path: '/v1/delivery-settings' }),
    allowed: OFFICE_ONLY(200),
  },
  'PUT /v1/delivery-settings': {
    request: async () => ({
      path: '/v1/delivery-settings',
      body: { quietStart: '22:00', quietEnd: '07:30', urgentLevels: ['accountability'] },
    }),
    allowed: OFFICE_ONLY(200),
  },
  'GET /v1/notices/{noticeId}/deliveries': {
    request: async (fx) => ({ path: `/v1/notices/${fx.notice.id}/deliveries` }),
    allowed: OWN_TREE_READ,
  },
  'PUT /v1/plans/{planId}/scoring-rules': {
    request: async (fx) => {
      // The plan's version as it stands (other rows close and reopen its phases).
      const plan = await fx.api.call<{ version: number }>('GET', `/v1/plans/${fx.plan.id}`);
      return {
        path: `/v1/plans/${fx.plan.id}/scoring-rules`,
        body: { ...SCORING_RULES, expectedVersion: plan.body.version },
      };
    },
    allowed: OFFICE_ONLY(200),
  },
  'PUT /v1/plans/{planId}/light-settings': {
    request: async (fx) => {
      const plan = await fx.api.call<{ version: number }>('GET', `/v1/plans/${fx.plan.id}`);
      return {
        path: `/v1/plans/${fx.plan.id}/light-settings`,
        body: { tolerancePoints: 15, nearWorkingDays: 3, expectedVersion: plan.body.version },
      };
    },
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/case-weekly-forms/setup': {
    request: async (fx) => {
      await fx.api.call('POST', '/v1/units', {
        body: { id: 'matrix-school', name: '矩阵中心校', kind: 'school', parentId: 'town' },
      });
      return {
        path: '/v1/case-weekly-forms/setup',
        body: { planId: fx.plan.id, phaseKey: 'work', schoolUnitIds: ['matrix-school'] },
      };
    },
    allowed: OFFICE_ONLY(200),
  },
  'GET /v1/case-weekly-forms/{dutyId}': {
    request: async (fx) => ({ path: `/v1/case-weekly-forms/${await weeklyFormDuty(fx, false)}` }),
    allowed: OWN_TREE_READ,
  },
  'POST /v1/case-weekly-forms/{dutyId}': {
    request: async (fx, fresh) => ({
      path: `/v1/case-weekly-forms/${await weeklyFormDuty(fx, fresh)}`,
      body: {},
    }),
    allowed: { office: 200, own: 200 },
  },
  'POST /v1/plans/{planId}/tasks/{taskId}/instructions': {
    request: async (fx) => ({
      path: `/v1/plans/${fx.plan.id}/tasks/${fx.openDuty.taskId}/instructions`,
      body: { text: '请抓紧办理' },
    }),
    // 领导批示: leaders and the office; no unit.
    allowed: { office: 201, leader: 201 },
  },
  'GET /v1/plans/{planId}/tasks/{taskId}/instructions': {
    request: async (fx) => ({ path: `/v1/plans/${fx.plan.id}/tasks/${fx.openDuty.taskId}/instructions` }),
    allowed: { office: 200, leader: 200 },
  },
  'POST /v1/duties/{dutyId}/instructions': {
    request: async (fx) => ({
      path: `/v1/duties/${fx.openDuty.id}/instructions`,
      body: { text: '请抓紧办理' },
    }),
    allowed: { office: 201, leader: 201 },
  },
  'GET /v1/duties/{dutyId}/instructions': {
    request: async (fx) => ({ path: `/v1/duties/${fx.openDuty.id}/instructions` }),
    allowed: OWN_TREE_READ,
  },
  'PUT /v1/duties/{dutyId}/milestones': {
    request: async (fx) => ({ path: `/v1/duties/${fx.openDuty.id}/milestones`, body: MILESTONES }),
    // The office sets them; the owning unit proposes; nobody else.
    allowed: { office: 200, own: 200 },
  },
  'POST /v1/duties/{dutyId}/milestones/approve': {
    request: async (fx, fresh) => {
      const duty = fresh ? await fx.newOpenDuty() : fx.openDuty;
      const proposed = await fx.api.call('PUT', `/v1/duties/${duty.id}/milestones`, {
        as: unitUser('village'),
        body: MILESTONES,
      });
      if (proposed.status !== 200) throw new Error(`fixture: milestones ${proposed.status} ${proposed.text}`);
      return { path: `/v1/duties/${duty.id}/milestones/approve`, body: {} };
    },
    // Only the office approves: never the unit that proposed them.
    allowed: OFFICE_ONLY(200),
  },
  'PUT /v1/plans/{planId}/tasks/{taskId}/milestones': {
    request: async (fx) => ({
      path: `/v1/plans/${fx.plan.id}/tasks/${fx.openDuty.taskId}/milestones`,
      body: MILESTONES,
    }),
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/duties/{dutyId}/handoffs': {
    // A township's own duty (the 'parent' caller holds it), passed down to its village.
    request: async (fx) => {
      const task = await fx.api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${fx.plan.id}/tasks`, {
        body: { title: '转办', phaseKey: 'work', leadUnitId: 'town', dueAt: '2026-06-30' },
      });
      return { path: `/v1/duties/${task.body.duties[0]?.id}/handoffs`, body: { unitIds: ['village'] } };
    },
    // 转办 is the holding unit's own act: not the office's, nor the unit below's.
    allowed: { parent: 201 },
  },
  // The county ledger: office and leaders; the township its own part ('parent' is the township);
  // the school ('own' is a village here) and another unit 403.
  'GET /v1/case-ledger': {
    request: async () => ({ path: '/v1/case-ledger' }),
    allowed: { office: 200, leader: 200, parent: 200 },
  },
  'GET /v1/case-settings': { request: async () => ({ path: '/v1/case-settings' }), allowed: READ_ALL },
  'PUT /v1/case-settings': {
    request: async (fx) => {
      const current = await fx.api.call<{ version: number }>('GET', '/v1/case-settings');
      return {
        path: '/v1/case-settings',
        body: {
          stepDeadlines: { contact: 2, notice: 3, 'report-bureau': 2, 'notify-township': 3, arrange: 10 },
          retentionSchoolYears: 1,
          expectedVersion: current.body.version,
        },
      };
    },
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/cases/{caseId}/home-teaching': {
    request: async (fx) => {
      homeTeachingCase ??= (
        await fx.api.call<{ id: string }>('POST', '/v1/cases', {
          as: unitUser('village'),
          body: { ...CASE_BODY, groups: { disabled: true, homeTeaching: true } },
        })
      ).body.id;
      return {
        path: `/v1/cases/${homeTeachingCase}/home-teaching`,
        body: { planId: fx.plan.id, phaseKey: 'work' },
      };
    },
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/care-files': {
    request: async () => ({ path: '/v1/care-files', body: CARE_FILE_BODY }),
    allowed: { office: 201, own: 201 },
  },
  // Everyone lists; each sees only its own part (another school's list is empty: care-files.test.ts).
  'GET /v1/care-files': { request: async () => ({ path: '/v1/care-files' }), allowed: READ_ALL },
  'GET /v1/care-files/{careFileId}': {
    request: async (fx) => ({ path: `/v1/care-files/${await matrixCareFile(fx)}` }),
    allowed: OWN_TREE_READ,
  },
  'POST /v1/care-files/{careFileId}/records': {
    request: async (fx) => ({
      path: `/v1/care-files/${await matrixCareFile(fx)}/records`,
      body: { date: '2026-05-15', by: '王老师', content: '辅导数学作业' },
    }),
    allowed: { office: 201, own: 201 },
  },
  'POST /v1/care-files/{careFileId}/pairs': {
    request: async (fx) => ({
      path: `/v1/care-files/${await matrixCareFile(fx)}/pairs`,
      body: { teacher: { name: '王老师', phone: '13900001111' }, planId: fx.plan.id, phaseKey: 'work' },
    }),
    allowed: OFFICE_ONLY(200),
  },
  'POST /v1/cases/{caseId}/pairs': {
    request: async (fx) => ({
      path: `/v1/cases/${fx.caseId}/pairs`,
      body: { teacher: { name: '王老师', phone: '13900001111' }, planId: fx.plan.id, phaseKey: 'work' },
    }),
    allowed: OFFICE_ONLY(200),
  },
  // 台账快照: the office freezes the county ledger (a fresh cut-off date each time it may); the office
  // and leaders read and download it (the CSV download is audited: refused, it writes nothing).
  'POST /v1/case-ledger/reports': {
    request: async (_fx, fresh) => ({
      path: '/v1/case-ledger/reports',
      body: { asOf: fresh ? `2026-04-${String(10 + ledgerSnapshots++).padStart(2, '0')}` : '2026-05-01' },
    }),
    allowed: OFFICE_ONLY(201),
  },
  'GET /v1/case-ledger/reports': {
    request: async () => ({ path: '/v1/case-ledger/reports' }),
    allowed: { office: 200, leader: 200 },
  },
  'GET /v1/case-ledger/reports/{reportId}': {
    request: async (fx) => {
      const made = await fx.api.call('POST', '/v1/case-ledger/reports', { body: { asOf: '2026-05-15' } });
      if (made.status !== 201 && made.status !== 200) throw new Error(`fixture: snapshot ${made.status}`);
      return { path: '/v1/case-ledger/reports/ledger-2026-05-15?format=csv' };
    },
    allowed: { office: 200, leader: 200 },
  },
  // 下级任务: the township's own (parent) and those above it; the village (own) has nothing below.
  'GET /v1/units/{unitId}/below/duties': {
    request: async (fx) => ({ path: `/v1/units/town/below/duties?planId=${fx.plan.id}` }),
    allowed: { office: 200, leader: 200, parent: 200 },
  },
};

const CARE_FILE_BODY = careChild({
  schoolUnitId: 'village',
  village: '东街村',
  guardian: { name: '刘奶奶', phone: '13712345678' },
});
let careFile: Promise<string> | undefined;
/** The own unit's care file (a left-behind child of the village school), filed on first need. */
function matrixCareFile(fx: Fixture): Promise<string> {
  careFile ??= fx.api
    .call<{ id: string }>('POST', '/v1/care-files', { as: unitUser('village'), body: CARE_FILE_BODY })
    .then((res) => {
      if (res.status !== 201) throw new Error(`fixture: care file ${res.status} ${res.text}`);
      return res.body.id;
    });
  return careFile;
}

const MILESTONES = {
  milestones: [
    { date: '2026-06-10', percent: 30 },
    { date: '2026-06-20', percent: 70, name: '完成排查' },
  ],
};

let homeTeachingCase: string | undefined;
let ledgerSnapshots = 0;
let sharedWeeklyFormDuty: string | undefined;
/** An open weekly-form duty of the own unit: a new plan's (one form task per plan and unit) when fresh. */
async function weeklyFormDuty(fx: Fixture, fresh: boolean): Promise<string> {
  if (!fresh && sharedWeeklyFormDuty !== undefined) return sharedWeeklyFormDuty;
  const planId = await fx.newEmptyPlanId();
  const task = await fx.api.services.plans.createTask(
    OFFICE,
    planId,
    {
      title: '控辍保学周报表',
      phaseKey: 'work',
      coUnitIds: [],
      leadUnitId: 'village',
      kind: 'report',
      recurrence: { freq: 'weekly', weekdays: [5], time: '12:00' },
      signOffLevels: 0,
    },
    new Date('2026-05-16T02:00:00Z'),
    { taskId: weeklyFormTaskId(planId, 'village') },
  );
  const duty = task.duties.find((d) => d.occurrenceKey === '2026-W20');
  if (duty === undefined) throw new Error('fixture: no weekly form duty');
  if (!fresh) sharedWeeklyFormDuty = duty.id;
  return duty.id;
}

const SCORING_RULES = {
  base: 100,
  perOnTime: 1,
  perOverdueDay: 0.5,
  perReturn: 2,
  perNotice: { overdue: 1 },
  perMissedReport: 2,
  perLateExtension: 1,
};

const CASE_BODY = {
  childName: '张小明',
  gender: 'male',
  age: 12,
  grade: '六年级',
  className: '1班',
  schoolUnitId: 'village',
  townshipUnitId: 'town',
  guardian: { name: '张大山', phone: '13812345678' },
  teacher: { name: '王老师', phone: '13900001111' },
  leader: { name: '李校长', phone: '13900002222' },
  firstDayAbsent: '2026-05-11',
};

let matrixTerm: Promise<string> | undefined;
/** The semester the roster rows use (the village files for it), set on first need. */
function matrixSemester(fx: Fixture): Promise<string> {
  matrixTerm ??= (async () => {
    const planId = await fx.newEmptyPlanId();
    const res = await fx.api.call('POST', '/v1/semesters', {
      body: {
        id: 'matrix-term',
        name: '矩阵学期',
        startDate: '2026-09-01',
        planId,
        schoolUnitIds: ['village'],
      },
    });
    if (res.status !== 201) throw new Error(`fixture: semester ${res.status} ${res.text}`);
    return 'matrix-term';
  })();
  return matrixTerm;
}

const PUBLIC = ['GET /health', 'GET /openapi.json', 'GET /docs'];

/** Both tables, every attribute at every depth: equal snapshots mean nothing was written. */
const snapshot = (api: Api) => tableSnapshot(api.table);

describe('the access matrix', () => {
  let fx: Fixture;
  let tokens: Record<Caller, string | null>;

  beforeAll(async () => {
    const api = await testApp({ now: new Date('2026-05-16T02:00:00Z') });
    for (const body of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' },
      { id: 'town', name: '城关镇', kind: 'township', parentId: 'county' },
      { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
      { id: 'other', name: '柳湾村', kind: 'village', parentId: 'county' },
      { id: 'closed', name: '已撤并学校', kind: 'school', parentId: 'town' },
    ]) {
      expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
    }
    const plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: { title: '控辍保学', phases: [{ key: 'work', name: '整改', start: '2026-05-01' }] },
      })
    ).body;
    const newOpenDuty = async (dueAt = '2026-06-30') =>
      (
        await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
          body: { title: '摸排', phaseKey: 'work', leadUnitId: 'village', dueAt },
        })
      ).body.duties[0] as Duty;
    const pastDue = await newOpenDuty('2026-05-10');
    await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } });
    const notices = (await api.call<{ items: Notice[] }>('GET', '/v1/notices?unitId=village')).body.items;
    const notice = notices.find((n) => n.dutyId === pastDue.id && n.level === 'overdue');
    if (notice === undefined) throw new Error('fixture: no overdue notice');
    expect((await api.call('POST', '/v1/units/closed/deactivate')).status).toBe(200);
    let counter = 0;
    let report: string | undefined;
    const newCase = async () =>
      (await api.call<{ id: string }>('POST', '/v1/cases', { as: unitUser('village'), body: CASE_BODY })).body
        .id;
    let receiptPlan: string | undefined;
    fx = {
      api,
      newCase,
      caseId: await newCase(),
      async newReturnedCase() {
        const id = await newCase();
        await api.call('POST', `/v1/cases/${id}/return`, {
          as: unitUser('village'),
          body: { returnedOn: '2026-05-15', evidence: '返校签到表' },
        });
        return id;
      },
      plan,
      openDuty: await newOpenDuty(),
      notice,
      newOpenDuty: () => newOpenDuty(),
      async newSubmittedDuty() {
        const d = await newOpenDuty();
        await api.call('POST', `/v1/duties/${d.id}/submit`, {
          as: unitUser('village'),
          body: { note: '完成' },
        });
        return d;
      },
      async newDutyAwaitingTown() {
        const d = (
          await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
            body: {
              title: '逐级确认',
              phaseKey: 'work',
              leadUnitId: 'village',
              dueAt: '2026-06-30',
              signOffLevels: 1,
            },
          })
        ).body.duties[0] as Duty;
        await api.call('POST', `/v1/duties/${d.id}/submit`, {
          as: unitUser('village'),
          body: { note: '完成' },
        });
        return d;
      },
      async newPendingExtension() {
        const d = await newOpenDuty();
        const res = await api.call<{ id: string }>('POST', `/v1/duties/${d.id}/extension-requests`, {
          as: unitUser('village'),
          body: { reason: '需要时间', progress: '过半', proposedDueAt: '2026-07-20' },
        });
        return { dutyId: d.id, requestId: res.body.id };
      },
      async reportId() {
        report ??= (
          await api.call<{ id: string }>('POST', `/v1/plans/${plan.id}/reports`, {
            body: { period: 'month' },
          })
        ).body.id;
        return report;
      },
      async newEmptyPlanId() {
        const res = await api.call<Plan>('POST', '/v1/plans', {
          body: { title: '空方案', phases: [{ key: 'work', name: '整改', start: '2026-05-01' }] },
        });
        return res.body.id;
      },
      async newUnitId() {
        const id = `fresh-${++counter}`;
        await api.call('POST', '/v1/units', { body: { id, name: `新单位${counter}`, kind: 'other' } });
        return id;
      },
      async newReceiptDuty() {
        receiptPlan ??= (
          await api.call<Plan>('POST', '/v1/plans', {
            body: {
              title: '须签收的方案',
              phases: [{ key: 'work', name: '整改', start: '2026-05-01' }],
              receiptRequired: true,
            },
          })
        ).body.id;
        return (
          await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${receiptPlan}/tasks`, {
            body: { title: '签收', phaseKey: 'work', leadUnitId: 'village', dueAt: '2026-06-30' },
          })
        ).body.duties[0] as Duty;
      },
    };
    const sign = (p: Principal) => issueHs256Token(TEST_SECRET, p);
    tokens = {
      office: await sign(OFFICE),
      leader: await sign(LEADER),
      own: await sign(unitUser('village')),
      parent: await sign(unitUser('town')),
      other: await sign(unitUser('other')),
      none: null,
      expired: await issueHs256Token(TEST_SECRET, OFFICE, {
        now: new Date(Date.now() - 7200_000),
        ttlSeconds: 3600,
      }),
      forged: await issueHs256Token('not-the-secret-not-the-secret-not-the', OFFICE),
      deleted: await sign(unitUser('closed')),
    };
  }, 120_000);

  it('has a row for every route the API serves', async () => {
    const doc = await fx.api.call<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
      {
        as: null,
      },
    );
    const served = Object.entries(doc.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const unlisted = served.filter((r) => !(r in ROUTES) && !PUBLIC.includes(r));
    expect(unlisted, 'routes without an access row').toEqual([]);
    expect(
      Object.keys(ROUTES).filter((r) => !served.includes(r)),
      'rows for routes that do not exist',
    ).toEqual([]);
  });

  it('keeps the public routes public', async () => {
    for (const route of PUBLIC) {
      const [method = 'GET', path = '/'] = route.split(' ');
      expect((await fx.api.call(method, path, { as: null })).status, route).toBe(200);
    }
  });

  for (const [route, spec] of Object.entries(ROUTES)) {
    it(`${route}: ${CALLERS.join(', ')}`, async () => {
      const [method = 'GET'] = route.split(' ');
      for (const caller of CALLERS) {
        const expected = ['none', 'expired', 'forged', 'deleted'].includes(caller)
          ? 401
          : (spec.allowed[caller as keyof Allowed] ?? 403);
        const success = expected < 300;
        const { path, body, rawBody, headers } = await spec.request(fx, success);
        const before = success ? '' : await snapshot(fx.api);
        const res = await fx.api.call(method, path, {
          as: tokens[caller],
          body,
          ...(rawBody === undefined ? {} : { rawBody }),
          ...(headers === undefined ? {} : { headers }),
        });
        expect(res.status, `${route} as ${caller}: ${res.text.slice(0, 200)}`).toBe(expected);
        if (!success) expect(await snapshot(fx.api), `${route} as ${caller} wrote something`).toBe(before);
      }
    }, 120_000);
  }
});
