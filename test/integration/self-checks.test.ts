import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan, PlanView } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { LEADER, OFFICE, TEST_SECRET, testApp, unitUser } from '../fixtures/app.js';
import { webApp } from './web-harness.js';

type TaskWithDuties = Task & { duties: Duty[] };
interface ErrorBody {
  error: { code: string; details?: { fields?: { field: string }[] } };
}

const START = new Date('2025-09-01T02:00:00Z');
/** After the self-check reports were due (09-19, end of day) and the self-check phase ended. */
const LATER = new Date('2025-09-22T02:00:00Z');

type Caller = <T>(
  method: string,
  path: string,
  options?: { as?: Principal; body?: unknown },
) => Promise<{ status: number; body: T }>;

/**
 * 自查报告 as duties of kind `self-check`: one task for four units in the self-check phase, one
 * for the town in the next phase, and an ordinary task that must not count. The town's report is
 * accepted, the village's awaits review, the school and the bureau have filed nothing.
 */
async function selfCheckPlan(call: Caller, setNow: (d: Date) => void) {
  setNow(START);
  for (const body of [
    { id: 'bureau', name: '县教育体育局', kind: 'bureau' },
    { id: 'town', name: '城关镇', kind: 'township', parentId: 'bureau' },
    { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'school', name: '城关小学', kind: 'school', parentId: 'town' },
  ]) {
    expect((await call('POST', '/v1/units', { body })).status).toBe(201);
  }
  const plan = (
    await call<Plan>('POST', '/v1/plans', {
      body: {
        title: '迎国检',
        phases: [
          { key: 'self-check', name: '自查补短阶段', start: '2025-09-01', end: '2025-09-20' },
          { key: 'improve', name: '完善提升阶段', start: '2025-09-21', end: '2025-10-31' },
        ],
      },
    })
  ).body;
  const task = async (body: Record<string, unknown>) => {
    const res = await call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  const reports = await task({
    title: '形成自查报告上报迎检办',
    phaseKey: 'self-check',
    kind: 'self-check',
    leadUnitId: 'bureau',
    coUnitIds: ['town', 'village', 'school'],
    dueAt: '2025-09-19',
  });
  await task({
    title: '完善提升自查报告',
    phaseKey: 'improve',
    kind: 'self-check',
    leadUnitId: 'town',
    dueAt: '2025-10-20',
  });
  await task({ title: '花名册核实', phaseKey: 'self-check', leadUnitId: 'school', dueAt: '2025-09-19' });
  const dutyOf = (unitId: string) => reports.duties.find((d) => d.unitId === unitId) as Duty;
  setNow(new Date('2025-09-15T02:00:00Z'));
  const submit = (unitId: string) =>
    call('POST', `/v1/duties/${dutyOf(unitId).id}/submit`, {
      as: unitUser(unitId),
      body: { note: '自查报告已上报' },
    });
  expect((await submit('town')).status).toBe(200);
  setNow(new Date('2025-09-16T02:00:00Z'));
  expect((await call('POST', `/v1/duties/${dutyOf('town').id}/accept`, { body: {} })).status).toBe(200);
  setNow(new Date('2025-09-18T02:00:00Z'));
  expect((await submit('village')).status).toBe(200);
  setNow(LATER);
  return plan;
}

describe('self-check reports (自查报告)', () => {
  it('creates tasks of kind self-check and lists, per phase, who has and has not filed', async () => {
    const api = await testApp({ now: START });
    const plan = await selfCheckPlan(api.call, api.setNow);
    const res = await api.call<PlanView>('GET', `/v1/plans/${plan.id}`, { as: LEADER });
    expect(res.status).toBe(200);
    const [selfCheck, improve, ...rest] = res.body.selfChecks;
    expect(rest).toEqual([]);
    expect(selfCheck).toMatchObject({
      phaseKey: 'self-check',
      phaseName: '自查补短阶段',
      filed: 2,
      accepted: 1,
      submitted: 1,
      notFiled: 2,
      overdue: 2,
    });
    // Not filed first (overdue first, then by name in pinyin), then awaiting review, then accepted.
    expect(selfCheck?.units.map((u) => [u.unitName, u.state, u.overdue])).toEqual([
      ['城关小学', 'not-filed', true],
      ['县教育体育局', 'not-filed', true],
      ['东街村', 'submitted', false],
      ['城关镇', 'accepted', false],
    ]);
    expect(selfCheck?.units[0]?.dueAt).toBe('2025-09-19T15:59:59.999Z');
    expect(improve).toMatchObject({ phaseKey: 'improve', filed: 0, notFiled: 1, overdue: 0 });
    expect(improve?.units.map((u) => u.unitId)).toEqual(['town']);
    // The ordinary task in the same phase is not a self-check report.
    expect(res.body.counts.byPhase['self-check']?.total).toBe(5);
  });

  it('refuses an unknown kind, naming the field, and creates nothing', async () => {
    const api = await testApp({ now: START });
    const plan = await selfCheckPlan(api.call, api.setNow);
    const res = await api.call<ErrorBody>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: {
        title: '自查',
        phaseKey: 'self-check',
        kind: 'selfcheck',
        leadUnitId: 'town',
        dueAt: '2025-09-30',
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details?.fields?.map((f) => f.field)).toEqual(['kind']);
    const view = await api.call<PlanView>('GET', `/v1/plans/${plan.id}`);
    expect(view.body.counts.all.total).toBe(6);
  });

  it('shows 已报送 / 未报送 on the plan overview', async () => {
    const web = await webApp({ now: START });
    // The page reads its own table: build the plan there through the same API calls.
    const call = (async (method: string, path: string, options: { as?: Principal; body?: unknown } = {}) => {
      const res = await web.app.request(path, {
        method,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await issueHs256Token(TEST_SECRET, options.as ?? OFFICE)}`,
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      return { status: res.status, body: await res.json() };
    }) as Caller;
    const plan = await selfCheckPlan(call, web.setNow);
    const page = web.browser();
    await page.signIn('office');
    const res = await page.get(`/plans/${plan.id}`);
    expect(res.status).toBe(200);
    expect(res.html).toContain('自查报告报送情况');
    const phase = res.html.slice(res.html.indexOf('data-self-check-phase="self-check"'));
    const notFiled = phase.slice(
      phase.indexOf('data-self-check="not-filed"'),
      phase.indexOf('data-self-check="filed"'),
    );
    const filed = phase.slice(phase.indexOf('data-self-check="filed"'), phase.indexOf('</div>'));
    expect(phase.slice(0, phase.indexOf('</p>'))).toContain('已报送 2 个单位,未报送 2 个');
    expect(notFiled).toContain('城关小学(逾期)');
    expect(notFiled).toContain('县教育体育局(逾期)');
    expect(notFiled).not.toContain('城关镇');
    expect(filed).toContain('城关镇(已审核)');
    expect(filed).toContain('东街村(待审核)');
  });
});
