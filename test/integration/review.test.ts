import { beforeAll, describe, expect, it } from 'vitest';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Notice, SweepResult } from '../../shared/schemas/notices.js';
import type { Plan, PlanView } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { LEADER, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type TaskWithDuties = Task & { duties: Duty[] };
interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { field: string }[] } };
}

describe('review and rework', () => {
  let api: Api;
  let plan: Plan;

  const newDuty = async () => {
    const res = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: {
        title: '花名册清理',
        phaseKey: 'work',
        leadUnitId: 'village',
        dueAt: '2025-09-26T17:00:00+08:00',
      },
    });
    return res.body.duties[0] as Duty;
  };
  const submit = (d: Duty, note = '已完成') =>
    api.call<Duty>('POST', `/v1/duties/${d.id}/submit`, { as: unitUser('village'), body: { note } });

  beforeAll(async () => {
    api = await testApp({ now: new Date('2025-09-01T02:00:00Z') });
    await api.call('POST', '/v1/units', { body: { id: 'village', name: '东街村', kind: 'village' } });
    plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: {
          title: '控辍保学',
          phases: [{ key: 'work', name: '整改', start: '2025-09-01', end: '2025-12-31' }],
        },
      })
    ).body;
  });

  it('accepts a submitted duty: done, out of every open list', async () => {
    const d = await newDuty();
    await submit(d);
    const res = await api.call<Duty>('POST', `/v1/duties/${d.id}/accept`, { body: { note: '材料齐全' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'accepted', version: 3 });
    expect((await api.call<Duty>('GET', `/v1/duties/${d.id}`)).body.nextActionAt).toBeNull();
    expect(res.body.reviews).toEqual([
      expect.objectContaining({ decision: 'accepted', round: 1, note: '材料齐全' }),
    ]);
    const view = await api.call<PlanView>('GET', `/v1/plans/${plan.id}`);
    expect(view.body.counts.all.accepted).toBe(1);
  });

  it('returns a duty for rework with a new deadline and a fresh escalation round', async () => {
    const d = await newDuty();
    api.setNow(new Date('2025-09-30T02:00:00Z'));
    // Overdue by now: the sweep has escalated round 1.
    await api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId: plan.id } });
    await submit(d, '补交');
    const returned = await api.call<Duty>('POST', `/v1/duties/${d.id}/return`, {
      body: { reason: '缺少村长签字', newDueAt: '2025-10-15' },
    });
    expect(returned.status).toBe(200);
    expect(returned.body).toMatchObject({
      status: 'open',
      round: 2,
      returns: 1,
      dueAt: '2025-10-15T15:59:59.999Z',
      roundStartedAt: '2025-09-30T02:00:00.000Z',
      nextLevelIndex: 0,
      lastNoticeLevel: null,
    });
    // The new round's reminder: the working day before 10-15.
    expect(returned.body.nextActionAt).toBe('2025-10-14T15:59:59.999Z');

    api.setNow(new Date('2025-10-16T00:00:00Z'));
    await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } });
    const notices = (await api.call<{ items: Notice[] }>('GET', `/v1/notices?unitId=village&limit=100`)).body
      .items;
    const mine = notices.filter((n) => n.dutyId === d.id);
    expect(
      mine
        .filter((n) => n.round === 2)
        .map((n) => n.level)
        .sort(),
    ).toEqual(['overdue', 'remind']);
    expect(new Set(mine.map((n) => n.id)).size).toBe(mine.length);
  });

  it('defaults the rework deadline to the end of the third working day', async () => {
    const d = await newDuty();
    await submit(d);
    api.setNow(new Date('2025-10-17T02:00:00Z')); // Friday
    const res = await api.call<Duty>('POST', `/v1/duties/${d.id}/return`, { body: { reason: '数据不符' } });
    // Mon 10-20, Tue 10-21, Wed 10-22.
    expect(res.body.dueAt).toBe('2025-10-22T15:59:59.999Z');
  });

  it('guards every transition: 409 with a clear message, nothing written', async () => {
    const d = await newDuty();
    const acceptOpen = await api.call<ErrorBody>('POST', `/v1/duties/${d.id}/accept`, { body: {} });
    expect(acceptOpen.status).toBe(409);
    expect(acceptOpen.body.error.message).toContain('尚未提交');
    expect((await api.call('POST', `/v1/duties/${d.id}/return`, { body: { reason: 'x' } })).status).toBe(409);
    await submit(d);
    await api.call('POST', `/v1/duties/${d.id}/accept`, { body: {} });
    const returnAccepted = await api.call<ErrorBody>('POST', `/v1/duties/${d.id}/return`, {
      body: { reason: 'x' },
    });
    expect(returnAccepted.status).toBe(409);
    expect(returnAccepted.body.error.message).toContain('已经办结');
    const stored = (await api.call<Duty>('GET', `/v1/duties/${d.id}`)).body;
    expect(stored).toMatchObject({ status: 'accepted', version: 3, returns: 0 });
  });

  it('lets only the office review, and checks the rework deadline', async () => {
    const d = await newDuty();
    await submit(d);
    for (const as of [LEADER, unitUser('village')]) {
      expect((await api.call('POST', `/v1/duties/${d.id}/accept`, { as, body: {} })).status).toBe(403);
    }
    const past = await api.call<ErrorBody>('POST', `/v1/duties/${d.id}/return`, {
      body: { reason: 'x', newDueAt: '2020-01-01' },
    });
    expect(past.status).toBe(400);
    expect(past.body.error.details?.fields?.map((f) => f.field)).toEqual(['newDueAt']);
    expect((await api.call('POST', `/v1/duties/${d.id}/return`, { body: {} })).status).toBe(400);
    expect((await api.call<Duty>('GET', `/v1/duties/${d.id}`)).body.status).toBe('submitted');
  });

  it('lets exactly one of an accept and a return racing each other win', async () => {
    const d = await newDuty();
    await submit(d);
    const [a, r] = await Promise.all([
      api.call<Duty>('POST', `/v1/duties/${d.id}/accept`, { body: {} }),
      api.call<Duty>('POST', `/v1/duties/${d.id}/return`, { body: { reason: '并发' } }),
    ]);
    expect([a.status, r.status].sort()).toEqual([200, 409]);
    const stored = (await api.call<Duty>('GET', `/v1/duties/${d.id}`)).body;
    expect(stored.reviews).toHaveLength(1);
    expect(stored.version).toBe(3);
  });
});
