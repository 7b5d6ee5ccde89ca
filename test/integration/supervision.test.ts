import { describe, expect, it } from 'vitest';
import type { Duty } from '../../shared/schemas/duties.js';
import type { ExtensionRequest } from '../../shared/schemas/extensions.js';
import { FINDING_TITLE_MAX, type FindingView } from '../../shared/schemas/findings.js';
import type { Notice } from '../../shared/schemas/notices.js';
import type { Plan, PlanView } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { LEADER, OFFICE, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type TaskWithDuties = Task & { duties: Duty[] };
interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

async function setup(now = new Date('2025-09-01T02:00:00Z')) {
  const api = await testApp({ now });
  for (const body of [
    { id: 'bureau', name: '县教育体育局', kind: 'bureau' },
    { id: 'town', name: '城关镇', kind: 'township', parentId: 'bureau' },
    { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'school', name: '城关小学', kind: 'school', parentId: 'town' },
  ]) {
    await api.call('POST', '/v1/units', { body });
  }
  const plan = (
    await api.call<Plan>('POST', '/v1/plans', {
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
    const res = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: {
        title: '花名册核实',
        phaseKey: 'self-check',
        dueAt: '2025-09-19',
        leadUnitId: 'village',
        ...body,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };
  return { api, plan, task };
}

const submit = (api: Api, d: Duty, unit: string, note = '已完成') =>
  api.call<Duty & ErrorBody>('POST', `/v1/duties/${d.id}/submit`, { as: unitUser(unit), body: { note } });

describe('extension requests (延期申请)', () => {
  it('moves the due time and restarts the ladder when approved, and keeps every request', async () => {
    const { api, plan, task } = await setup();
    const duty = (await task({})).duties[0] as Duty;
    const ask = await api.call<ExtensionRequest>('POST', `/v1/duties/${duty.id}/extension-requests`, {
      as: unitUser('village'),
      body: { reason: '等待公安户籍数据', progress: '已完成八成', proposedDueAt: '2025-09-26' },
    });
    expect(ask.status).toBe(201);
    expect(ask.body).toMatchObject({ status: 'pending', proposedDueAt: '2025-09-26T15:59:59.999Z' });
    const second = await api.call<ErrorBody>('POST', `/v1/duties/${duty.id}/extension-requests`, {
      as: unitUser('village'),
      body: { reason: '再申请', progress: '同上', proposedDueAt: '2025-09-30' },
    });
    expect(second.status).toBe(409);
    expect(
      (
        await api.call('POST', `/v1/duties/${duty.id}/extension-requests/${ask.body.id}/approve`, {
          as: unitUser('village'),
          body: {},
        })
      ).status,
    ).toBe(403);

    const approved = await api.call<ExtensionRequest>(
      'POST',
      `/v1/duties/${duty.id}/extension-requests/${ask.body.id}/approve`,
      { as: LEADER, body: { dueAt: '2025-09-24', note: '同意延期至 9 月 24 日' } },
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', approvedDueAt: '2025-09-24T15:59:59.999Z' });
    const after = (await api.call<Duty>('GET', `/v1/duties/${duty.id}`)).body;
    expect(after).toMatchObject({
      dueAt: '2025-09-24T15:59:59.999Z',
      extensions: 1,
      pendingExtensionId: null,
      round: 2,
    });

    // No overdue notice on the old due date; the ladder counts from the new one.
    api.setNow(new Date('2025-09-22T00:00:00Z'));
    await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } });
    const notices = (await api.call<{ items: Notice[] }>('GET', '/v1/notices?unitId=village')).body.items;
    expect(notices.filter((n) => n.level === 'overdue')).toEqual([]);
    const listed = await api.call<{ items: ExtensionRequest[] }>(
      'GET',
      `/v1/duties/${duty.id}/extension-requests`,
      {
        as: unitUser('town'),
      },
    );
    expect(listed.body.items.map((r) => r.status)).toEqual(['approved']);
  });

  it('changes nothing when refused, and refuses requests after the deadline', async () => {
    const { api, task } = await setup();
    const duty = (await task({})).duties[0] as Duty;
    const ask = await api.call<ExtensionRequest>('POST', `/v1/duties/${duty.id}/extension-requests`, {
      as: unitUser('village'),
      body: { reason: '人手不足', progress: '进行中', proposedDueAt: '2025-09-30' },
    });
    const refused = await api.call<ExtensionRequest>(
      'POST',
      `/v1/duties/${duty.id}/extension-requests/${ask.body.id}/refuse`,
      { body: { reason: '时间充足,请按期完成' } },
    );
    expect(refused.body).toMatchObject({ status: 'refused', decisionNote: '时间充足,请按期完成' });
    const after = (await api.call<Duty>('GET', `/v1/duties/${duty.id}`)).body;
    expect(after).toMatchObject({ dueAt: duty.dueAt, extensions: 0, pendingExtensionId: null, round: 1 });
    expect(
      (
        await api.call('POST', `/v1/duties/${duty.id}/extension-requests/${ask.body.id}/approve`, {
          body: {},
        })
      ).status,
    ).toBe(409);

    api.setNow(new Date('2025-09-20T00:00:00Z'));
    const late = await api.call<ErrorBody>('POST', `/v1/duties/${duty.id}/extension-requests`, {
      as: unitUser('village'),
      body: { reason: '晚了', progress: '未完成', proposedDueAt: '2025-09-30' },
    });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('already_due');
  });
});

describe('sign-off chains and co-units', () => {
  it('climbs village → township → bureau before the office accepts; any level can return it', async () => {
    const { api, task } = await setup();
    const duty = (await task({ signOffLevels: 2 })).duties[0] as Duty;
    const submitted = await submit(api, duty, 'village', '本村适龄学生全部在校');
    expect(submitted.body.awaitingConfirmationFrom).toBe('town');
    expect(
      (await api.call<ErrorBody>('POST', `/v1/duties/${duty.id}/accept`, { body: {} })).body.error.code,
    ).toBe('awaiting_confirmation');
    // The bureau cannot jump the queue, the village cannot confirm itself.
    expect(
      (
        await api.call('POST', `/v1/duties/${duty.id}/confirm`, {
          as: unitUser('bureau'),
          body: { note: 'x' },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await api.call('POST', `/v1/duties/${duty.id}/confirm`, {
          as: unitUser('village'),
          body: { note: 'x' },
        })
      ).status,
    ).toBe(403);

    const town = await api.call<Duty>('POST', `/v1/duties/${duty.id}/confirm`, {
      as: unitUser('town'),
      body: { note: '乡镇确认签字' },
    });
    expect(town.body.awaitingConfirmationFrom).toBe('bureau');
    // The bureau returns it down with a reason: open again, a new round.
    const back = await api.call<Duty>('POST', `/v1/duties/${duty.id}/return`, {
      as: unitUser('bureau'),
      body: { reason: '缺少村长签字' },
    });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'open', round: 2, awaitingConfirmationFrom: null });

    await submit(api, duty, 'village', '已补签字');
    await api.call('POST', `/v1/duties/${duty.id}/confirm`, { as: unitUser('town'), body: { note: '确认' } });
    const bureau = await api.call<Duty>('POST', `/v1/duties/${duty.id}/confirm`, {
      as: unitUser('bureau'),
      body: { note: '局审核确认' },
    });
    expect(bureau.body.awaitingConfirmationFrom).toBeNull();
    expect(bureau.body.confirmations.map((c) => c.unitId)).toEqual(['town', 'bureau']);
    const accepted = await api.call<Duty>('POST', `/v1/duties/${duty.id}/accept`, { body: {} });
    expect(accepted.body.status).toBe('accepted');
  });

  it('gives each level its own sign-off queue from the units below it, and nobody else’s', async () => {
    const { api, task } = await setup();
    const now = new Date('2025-09-01T02:00:00Z');
    const queue = async (unit: string) => {
      const q = await api.services.duties.signOffQueue(unitUser(unit), now);
      return { waiting: q.waiting.map((d) => d.id), passedOn: q.passedOn.map((d) => d.id) };
    };
    const [a, b] = [
      (await task({ signOffLevels: 2 })).duties[0],
      (await task({ signOffLevels: 2 })).duties[0],
    ] as [Duty, Duty];
    const plain = (await task({ leadUnitId: 'school' })).duties[0] as Duty;
    await submit(api, a, 'village');
    await submit(api, b, 'village');
    await submit(api, plain, 'school');
    expect(await queue('town')).toEqual({ waiting: expect.arrayContaining([a.id, b.id]), passedOn: [] });
    expect((await queue('town')).waiting).toHaveLength(2);
    expect(await queue('bureau')).toEqual({ waiting: [], passedOn: [] });
    expect(await queue('village')).toEqual({ waiting: [], passedOn: [] });

    await api.call('POST', `/v1/duties/${a.id}/confirm`, { as: unitUser('town'), body: { note: '确认' } });
    expect(await queue('town')).toEqual({ waiting: [b.id], passedOn: [a.id] });
    expect(await queue('bureau')).toEqual({ waiting: [a.id], passedOn: [] });
    // The office has its review queue; a sign-off queue is a unit's.
    await expect(api.services.duties.signOffQueue(OFFICE, now)).rejects.toThrow(/单位用户/);
    // A unit beside the chain finds nothing of it.
    expect(
      await api.services.duties
        .signOffQueue(unitUser('school'), now)
        .then((q) => [...q.waiting, ...q.passedOn]),
    ).toEqual([]);
  });

  it('lets the lead unit submit for the task only after its co-units, listing their parts', async () => {
    const { api, task } = await setup();
    const created = await task({ leadUnitId: 'town', coUnitIds: ['village', 'school'] });
    const [lead, village, school] = created.duties as [Duty, Duty, Duty];
    const early = await submit(api, lead, 'town');
    expect(early.status).toBe(409);
    expect(early.body.error.details).toMatchObject({ pending: ['village', 'school'] });
    await submit(api, village, 'village', '村里已摸排');
    await submit(api, school, 'school', '学校已核对');
    const consolidated = await submit(api, lead, 'town', '汇总:全镇已完成');
    expect(consolidated.status).toBe(200);
    expect(consolidated.body.submission?.contributions.map((c) => [c.unitId, c.note])).toEqual([
      ['village', '村里已摸排'],
      ['school', '学校已核对'],
    ]);
  });
});

describe('findings and phase gates', () => {
  it('turns a finding into rectification duties and closes it (销号) when all are accepted', async () => {
    const { api, plan } = await setup(new Date('2025-09-05T02:00:00Z'));
    const res = await api.call<FindingView>('POST', `/v1/plans/${plan.id}/findings`, {
      body: {
        title: '花名册与学籍系统不一致',
        detail: '四不两直暗访发现东街村、城关小学数据不一致',
        unitIds: ['village', 'school'],
        dueAt: '2025-09-15',
        source: 'unannounced',
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ phaseKey: 'self-check', status: 'open', total: 2 });
    const dutyIds = res.body.dutyIds;
    for (const [id, unit] of [
      [dutyIds[0], 'village'],
      [dutyIds[1], 'school'],
    ] as const) {
      const d = (await api.call<Duty>('GET', `/v1/duties/${id}`)).body;
      expect(d.kind).toBe('rectification');
      await submit(api, d, unit);
    }
    await api.call('POST', `/v1/duties/${dutyIds[0]}/accept`, { body: {} });
    let findings = (
      await api.call<{ items: FindingView[] }>('GET', `/v1/plans/${plan.id}/findings`, {
        as: unitUser('village'),
      })
    ).body.items;
    expect(findings[0]).toMatchObject({ status: 'open', accepted: 1 });
    await api.call('POST', `/v1/duties/${dutyIds[1]}/accept`, { body: {} });
    findings = (await api.call<{ items: FindingView[] }>('GET', `/v1/plans/${plan.id}/findings`)).body.items;
    expect(findings[0]).toMatchObject({ status: 'closed', accepted: 2, closedAt: expect.any(String) });
    expect(
      (
        await api.call('POST', `/v1/plans/${plan.id}/findings`, {
          as: LEADER,
          body: { title: 'x', detail: 'x', unitIds: ['village'], dueAt: '2025-09-15', source: 'self-check' },
        })
      ).status,
    ).toBe(403);
  });

  it('takes a finding title as long as its rectification task can carry, and refuses a longer one', async () => {
    const { api, plan } = await setup(new Date('2025-09-05T02:00:00Z'));
    const body = (title: string) => ({
      title,
      detail: '暗访发现',
      unitIds: ['village'],
      dueAt: '2025-09-30',
      source: 'unannounced',
    });
    const longest = await api.call<FindingView>('POST', `/v1/plans/${plan.id}/findings`, {
      body: body('查'.repeat(FINDING_TITLE_MAX)),
    });
    expect(longest.status, longest.text).toBe(201);
    const tooLong = await api.call<{ error: { details: { fields: { field: string }[] } } }>(
      'POST',
      `/v1/plans/${plan.id}/findings`,
      { body: body('查'.repeat(FINDING_TITLE_MAX + 1)) },
    );
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details.fields.map((f) => f.field)).toEqual(['title']);
    expect(api.errors).toEqual([]);
  });

  it('closes a phase only when all its duties are accepted, or with an exact override', async () => {
    const { api, plan, task } = await setup();
    const [a] = (await task({})).duties as [Duty];
    const [b] = (await task({ leadUnitId: 'school' })).duties as [Duty];
    const refused = await api.call<ErrorBody>('POST', `/v1/plans/${plan.id}/phases/self-check/close`, {
      body: {},
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details?.openDutyIds).toEqual(expect.arrayContaining([a.id, b.id]));
    const wrong = await api.call<ErrorBody>('POST', `/v1/plans/${plan.id}/phases/self-check/close`, {
      as: LEADER,
      body: { override: { reason: '国检提前', openDutyIds: [a.id] } },
    });
    expect(wrong.body.error.code).toBe('override_mismatch');

    await submit(api, a, 'village');
    await api.call('POST', `/v1/duties/${a.id}/accept`, { body: {} });
    const closed = await api.call<Plan>('POST', `/v1/plans/${plan.id}/phases/self-check/close`, {
      as: LEADER,
      body: { override: { reason: '国检提前,城关小学的任务转入下一阶段跟踪', openDutyIds: [b.id] } },
    });
    expect(closed.status).toBe(200);
    expect(closed.body.phaseClosures['self-check']?.override?.openDutyIds).toEqual([b.id]);
    expect(
      (await api.call('POST', `/v1/plans/${plan.id}/phases/self-check/close`, { body: {} })).status,
    ).toBe(409);
    expect(
      (
        await api.call('POST', `/v1/plans/${plan.id}/phases/improve/close`, {
          as: unitUser('town'),
          body: {},
        })
      ).status,
    ).toBe(403);

    api.setNow(new Date('2025-11-05T00:00:00Z'));
    const view = (await api.call<PlanView>('GET', `/v1/plans/${plan.id}`)).body;
    expect(view.phaseStates.map((p) => [p.key, p.state])).toEqual([
      ['self-check', 'closed-on-time'],
      ['improve', 'overdue'],
    ]);
    // The override is in the audit trail.
    const audit = await api.call<{ items: { action: string }[] }>('GET', `/v1/audit?planId=${plan.id}`);
    expect(audit.body.items.map((e) => e.action)).toContain('phase.close-override');
  });
});
