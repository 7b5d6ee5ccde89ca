/**
 * 转办 (issue 17): a township holding a duty passes it to some or all of its villages and schools;
 * each gets its own duty of the same task on the same ladder, written once however often the
 * request is sent; the township's duty is submitted only once theirs are, listing what they did;
 * the counters, the sweep and the histories treat each level's duty as its own work.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventView } from '../../shared/schemas/audit.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { HandOffResult } from '../../shared/schemas/handoffs.js';
import type { Notice } from '../../shared/schemas/notices.js';
import type { Plan, PlanView } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { type TestResponse, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
const ok = <T>(res: TestResponse<T>, status = 200): T => {
  expect(res.status, res.text).toBe(status);
  return res.body;
};
const town = unitUser('town');
const errorOf = (res: TestResponse<unknown>) =>
  (res.body as { error: { code: string; message: string; details?: { fields?: { field: string }[] } } })
    .error;

describe('转办', () => {
  let api: Api;
  let plan: Plan;
  const townDuty = async (dueAt = '2026-06-30'): Promise<Duty> =>
    ok(
      await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
        body: { title: '控辍保学入户核查', phaseKey: 'work', leadUnitId: 'town', dueAt },
      }),
      201,
    ).duties[0] as Duty;
  const handOff = (
    dutyId: string,
    body: Record<string, unknown>,
    init: { as?: typeof town; key?: string } = {},
  ) =>
    api.call<HandOffResult>('POST', `/v1/duties/${dutyId}/handoffs`, {
      as: init.as ?? town,
      body,
      ...(init.key ? { headers: { 'idempotency-key': init.key } } : {}),
    });
  const dutiesOfTask = async (taskId: string) =>
    ok(await api.call<Task & { duties: Duty[] }>('GET', `/v1/plans/${plan.id}/tasks/${taskId}`)).duties;

  beforeAll(async () => {
    api = await testApp({ now: new Date('2026-05-18T02:00:00Z') });
    for (const body of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' },
      { id: 'town', name: '城关镇', kind: 'township', parentId: 'county' },
      { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
      { id: 'school', name: '城关小学', kind: 'school', parentId: 'town' },
      { id: 'other', name: '柳湾村', kind: 'village', parentId: 'county' },
    ]) {
      ok(await api.call('POST', '/v1/units', { body }), 201);
    }
    plan = ok(
      await api.call<Plan>('POST', '/v1/plans', {
        body: { title: '控辍保学', phases: [{ key: 'work', name: '整改', start: '2026-05-01' }] },
      }),
      201,
    );
  }, 60_000);

  it('gives each unit below its own duty on the same ladder, once however often it is sent', async () => {
    const parent = await townDuty();
    const first = ok(
      await handOff(parent.id, { unitIds: ['village', 'school'], note: '请各村校逐户核查' }, { key: 'h-1' }),
      201,
    );
    expect(first.created).toBe(2);
    expect(first.duty.handedTo?.map((h) => h.unitId)).toEqual(['village', 'school']);
    expect(first.children.map((c) => c.unitId)).toEqual(['village', 'school']);
    for (const child of first.children) {
      expect(child).toMatchObject({
        taskId: parent.taskId,
        status: 'open',
        role: 'co',
        title: parent.title,
        dueAt: parent.dueAt,
        escalation: parent.escalation,
        nextActionAt: parent.nextActionAt,
        signOffLevels: 1,
        handedOffFrom: { dutyId: parent.id, unitId: 'town', note: '请各村校逐户核查', by: 'town-clerk' },
      });
    }
    // The same key: the first answer. Another key for a unit already handed it: a 409 naming it, nothing new.
    const replayed = await handOff(
      parent.id,
      { unitIds: ['village', 'school'], note: '请各村校逐户核查' },
      { key: 'h-1' },
    );
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    const again = await handOff(parent.id, { unitIds: ['school', 'village'] });
    expect(again.status, again.text).toBe(409);
    expect(errorOf(again)).toMatchObject({ code: 'already_handed_off' });
    expect(errorOf(again).message).toContain('已转办给城关小学、东街村');
    expect(errorOf(again).message).not.toContain('village');
    const stored = ok(await api.call<Duty>('GET', `/v1/duties/${parent.id}`, { as: town }));
    expect(stored.version).toBe(first.duty.version);
    expect(stored.handedTo).toEqual(first.duty.handedTo);
    expect((await dutiesOfTask(parent.taskId)).map((d) => d.unitId).sort()).toEqual([
      'school',
      'town',
      'village',
    ]);

    // The children's history opens with their assignment, by the township.
    const history = ok(
      await api.call<{ items: AuditEventView[] }>('GET', `/v1/duties/${first.children[0]?.id}/history`, {
        as: unitUser('village'),
      }),
    ).items;
    expect(history[0]).toMatchObject({ action: 'duty.assign', actor: 'town-clerk' });
    expect(history[0]?.after).toMatchObject({ assignedBy: 'task.handoff', unitId: 'village' });
    const parentHistory = ok(
      await api.call<{ items: AuditEventView[] }>('GET', `/v1/duties/${parent.id}/history`, { as: town }),
    ).items;
    expect(parentHistory.filter((e) => e.action === 'duty.handoff')).toHaveLength(1);
  });

  it('writes each child once when handoffs race', async () => {
    const parent = await townDuty();
    const results = await Promise.all(
      [['village'], ['village', 'school'], ['school'], ['village']].map((unitIds) =>
        handOff(parent.id, { unitIds }),
      ),
    );
    // Each unit is handed it once: the others are told it already was.
    for (const res of results) {
      expect([201, 409], res.text).toContain(res.status);
      if (res.status === 409) expect(errorOf(res).code).toBe('already_handed_off');
    }
    expect(results.reduce((n, r) => n + (r.status === 201 ? r.body.created : 0), 0)).toBe(2);
    const duties = await dutiesOfTask(parent.taskId);
    expect(duties.map((d) => d.unitId).sort()).toEqual(['school', 'town', 'village']);
    const stored = ok(await api.call<Duty>('GET', `/v1/duties/${parent.id}`, { as: town }));
    expect(stored.handedTo?.map((h) => h.unitId).sort()).toEqual(['school', 'village']);
    // The counters count each level's own duty once.
    const view = ok(await api.call<PlanView>('GET', `/v1/plans/${plan.id}`));
    const byUnit = (view.counts as unknown as { byUnit: Record<string, { total: number }> }).byUnit;
    expect(byUnit.village?.total).toBe(byUnit.school?.total);
    expect(byUnit.town?.total).toBeGreaterThan(0);
  });

  it('passes down only the holding unit’s open duty, only to units below it', async () => {
    const parent = await townDuty();
    const refusals = [
      await handOff(parent.id, { unitIds: ['village'] }, { as: unitUser('village') }),
      await handOff(parent.id, { unitIds: ['village'] }, { as: unitUser('county') }),
      await api.call('POST', `/v1/duties/${parent.id}/handoffs`, { body: { unitIds: ['village'] } }),
      await handOff(parent.id, { unitIds: ['village', 'other'] }),
      await handOff(parent.id, { unitIds: ['county'] }),
      await handOff(parent.id, { unitIds: ['town'] }),
    ];
    expect(refusals.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(errorOf(refusals[3] as TestResponse<unknown>).message).toContain('柳湾村');
    const bad = await handOff(parent.id, { unitIds: ['nowhere', 'village'], dueAt: '2026-07-30' });
    expect(bad.status).toBe(400);
    expect(
      errorOf(bad)
        .details?.fields?.map((f) => f.field)
        .sort(),
    ).toEqual(['dueAt', 'unitIds.0']);
    expect((await handOff(parent.id, { unitIds: [] })).status).toBe(400);
    expect((await handOff('duty-missing', { unitIds: ['village'] })).status).toBe(404);
    const stored = ok(await api.call<Duty>('GET', `/v1/duties/${parent.id}`, { as: town }));
    expect(stored.version).toBe(parent.version);
    expect(stored.handedTo).toBeUndefined();
    // An earlier deadline for the units below is theirs.
    const earlier = ok(await handOff(parent.id, { unitIds: ['school'], dueAt: '2026-06-20' }), 201);
    expect(earlier.children[0]?.dueAt).toBe('2026-06-20T15:59:59.999Z');
  });

  it('completes the township’s duty by consolidating theirs, one level down', async () => {
    const parent = await townDuty();
    const { children } = ok(await handOff(parent.id, { unitIds: ['village', 'school'] }), 201);
    const [village, school] = children as [Duty, Duty];
    const early = await api.call('POST', `/v1/duties/${parent.id}/submit`, {
      as: town,
      body: { note: '已汇总' },
    });
    expect(early.status).toBe(409);
    expect(errorOf(early)).toMatchObject({ code: 'handoffs_pending' });
    expect(errorOf(early).message).toContain('东街村、城关小学');

    const submitted = ok(
      await api.call<Duty>('POST', `/v1/duties/${village.id}/submit`, {
        as: unitUser('village'),
        body: { note: '东街村 12 户已核查' },
      }),
    );
    // The village's work climbs to the township, who confirms it before the office reviews it.
    expect(submitted.awaitingConfirmationFrom).toBe('town');
    ok(await api.call('POST', `/v1/duties/${village.id}/confirm`, { as: town, body: { note: '属实' } }));
    const stillOne = await api.call('POST', `/v1/duties/${parent.id}/submit`, {
      as: town,
      body: { note: '已汇总' },
    });
    expect(errorOf(stillOne).message).toBe('转办的下级单位尚未提交:城关小学');
    ok(
      await api.call('POST', `/v1/duties/${school.id}/submit`, {
        as: unitUser('school'),
        body: { note: '城关小学无辍学' },
      }),
    );
    const done = ok(
      await api.call<Duty>('POST', `/v1/duties/${parent.id}/submit`, {
        as: town,
        body: { note: '全镇已汇总' },
      }),
    );
    expect(done.status).toBe('submitted');
    expect(done.submission?.contributions).toEqual([
      { unitId: 'village', dutyId: village.id, status: 'submitted', note: '东街村 12 户已核查' },
      { unitId: 'school', dutyId: school.id, status: 'submitted', note: '城关小学无辍学' },
    ]);
    // Submitted: no more passing down.
    const late = await handOff(parent.id, { unitIds: ['village'] });
    expect(late.status).toBe(409);
    expect(errorOf(late).code).toBe('duty_not_open');
  });

  it('puts the children on the sweep’s ladder like any duty', async () => {
    const parent = await townDuty('2026-05-19');
    const { children } = ok(await handOff(parent.id, { unitIds: ['village'] }), 201);
    api.setNow(new Date('2026-05-20T02:00:00Z'));
    ok(await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } }));
    const notices = ok(
      await api.call<{ items: Notice[] }>('GET', `/v1/notices?unitId=village&level=overdue&limit=100`),
    ).items;
    expect(notices.filter((n) => n.dutyId === children[0]?.id)).toHaveLength(1);
    ok(await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } }));
    const again = ok(
      await api.call<{ items: Notice[] }>('GET', `/v1/notices?unitId=village&level=overdue&limit=100`),
    ).items;
    expect(again.filter((n) => n.dutyId === children[0]?.id)).toHaveLength(1);
    api.setNow(new Date('2026-05-18T02:00:00Z'));
  });
});
