import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { SIGN_OFF_KEYED_SINCE } from '../../shared/db/counter-repository.js';
import { dutyKey, planKey } from '../../shared/db/keys.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan, RecountResult } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { OFFICE, testApp, unitUser } from '../fixtures/app.js';

type TaskWithDuties = Task & { duties: Duty[] };
interface ErrorBody {
  error: { code: string };
}

const NOW = new Date('2025-09-01T02:00:00Z');

/**
 * bureau → 城关镇 (town) → two villages, and beside it 河西乡 (town-2) → its village: two branches
 * of one county. Each duty is its village's, with a sign-off chain of one or two levels.
 */
async function setup() {
  const api = await testApp({ now: NOW });
  for (const body of [
    { id: 'bureau', name: '县教育体育局', kind: 'bureau' },
    { id: 'town', name: '城关镇', kind: 'township', parentId: 'bureau' },
    { id: 'village-1', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'village-2', name: '西街村', kind: 'village', parentId: 'town' },
    { id: 'town-2', name: '河西乡', kind: 'township', parentId: 'bureau' },
    { id: 'village-3', name: '河西村', kind: 'village', parentId: 'town-2' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  const plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: {
        title: '控辍保学专项',
        phases: [{ key: 'self-check', name: '自查补短', start: '2025-09-01', end: '2025-09-30' }],
      },
    })
  ).body;
  const chainDuty = async (title: string, leadUnitId: string, signOffLevels: number) => {
    const res = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { title, phaseKey: 'self-check', dueAt: '2025-09-19', leadUnitId, signOffLevels },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.duties[0] as Duty;
  };
  const act = async (verb: 'submit' | 'confirm' | 'return' | 'accept', d: Duty, as: Principal, body = {}) => {
    const res = await api.call<Duty & ErrorBody>('POST', `/v1/duties/${d.id}/${verb}`, {
      as,
      body:
        verb === 'submit'
          ? { note: '已完成', ...body }
          : verb === 'return'
            ? { reason: '缺少签字', ...body }
            : body,
    });
    return res;
  };
  /** The unit's queue as ids, each half sorted. */
  const queue = async (unitId: string) => {
    const q = await api.services.duties.signOffQueue(unitUser(unitId), NOW);
    return {
      waiting: q.waiting.map((d) => d.id).sort(),
      passedOn: q.passedOn.map((d) => d.id).sort(),
    };
  };
  const stored = async (dutyId: string) =>
    (await api.doc.send(new GetCommand({ TableName: api.table.tableName, Key: dutyKey(dutyId) }))).Item;
  return { api, plan, chainDuty, act, queue, stored };
}

const none = { waiting: [], passedOn: [] };

/**
 * As an older version stored them: the duties' sign-off keys removed and, unless `withMarker`, the
 * plan's marker too.
 */
async function unkeyed(
  api: Awaited<ReturnType<typeof testApp>>,
  planId: string,
  duties: readonly Duty[],
  withMarker: boolean,
) {
  const { doc, table } = api;
  for (const d of duties) {
    await doc.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: dutyKey(d.id),
        UpdateExpression: 'REMOVE gsi3pk, gsi3sk',
      }),
    );
  }
  if (withMarker) return;
  await doc.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: planKey(planId),
      UpdateExpression: 'REMOVE #since',
      ExpressionAttributeNames: { '#since': SIGN_OFF_KEYED_SINCE },
    }),
  );
}

describe('the sign-off queue (下级确认) read from the sign-off index', () => {
  it('follows each duty through submit, confirm, return, resubmit and the office’s decision', async () => {
    const { api, plan, chainDuty, act, queue, stored } = await setup();
    const a = await chainDuty('辍学学生劝返台账', 'village-1', 2);
    const b = await chainDuty('适龄儿童入学摸排', 'village-2', 1);
    const c = await chainDuty('河西村摸排', 'village-3', 1);
    const sorted = (...ids: string[]) => [...ids].sort();

    // Open duties wait for nobody.
    for (const unit of ['town', 'town-2', 'bureau']) expect(await queue(unit)).toEqual(none);
    for (const [d, unit] of [
      [a, 'village-1'],
      [b, 'village-2'],
      [c, 'village-3'],
    ] as const) {
      expect((await act('submit', d, unitUser(unit))).status).toBe(200);
    }
    expect(await queue('town')).toEqual({ waiting: sorted(a.id, b.id), passedOn: [] });
    expect(await queue('town-2')).toEqual({ waiting: [c.id], passedOn: [] });
    expect(await queue('bureau')).toEqual(none);
    expect(await queue('village-1')).toEqual(none);

    // The township confirms both: one climbs to the bureau, the other reaches the office.
    expect(
      (await act('confirm', a, unitUser('town'), { note: '乡镇确认' })).body.awaitingConfirmationFrom,
    ).toBe('bureau');
    expect(
      (await act('confirm', b, unitUser('town'), { note: '乡镇确认' })).body.awaitingConfirmationFrom,
    ).toBeNull();
    expect(await queue('town')).toEqual({ waiting: [], passedOn: sorted(a.id, b.id) });
    expect(await queue('bureau')).toEqual({ waiting: [a.id], passedOn: [] });
    // The office reviews what no unit still has to confirm; the rest is not its turn yet.
    const review = await api.call<{ items: Duty[] }>('GET', `/v1/plans/${plan.id}/duties?status=submitted`);
    expect(review.body.items.map((d) => d.id).sort()).toEqual(sorted(a.id, b.id, c.id));
    expect((await act('accept', a, OFFICE)).body.error.code).toBe('awaiting_confirmation');

    // The bureau confirms: both wait for the office now, each in the queue of those who confirmed.
    expect((await act('confirm', a, unitUser('bureau'), { note: '局确认' })).status).toBe(200);
    expect(await queue('bureau')).toEqual({ waiting: [], passedOn: [a.id] });
    expect(await queue('town')).toEqual({ waiting: [], passedOn: sorted(a.id, b.id) });
    expect((await stored(a.id))?.gsi3pk).toBe('SIGNOFF#bureau#@office');

    // The office returns it for rework: open again, in nobody's queue, back in the open-by-due index.
    expect((await act('return', a, OFFICE)).body.status).toBe('open');
    expect(await queue('bureau')).toEqual(none);
    expect(await queue('town')).toEqual({ waiting: [], passedOn: [b.id] });
    expect((await stored(a.id))?.gsi3pk).toBe(`OPEN#${plan.id}`);

    // Resubmitted: a new round climbs from the bottom again.
    expect((await act('submit', a, unitUser('village-1'), { note: '已补签字' })).body.round).toBe(2);
    expect(await queue('town')).toEqual({ waiting: [a.id], passedOn: [b.id] });
    expect(await queue('bureau')).toEqual(none);

    // A township returns one down itself: out of every queue at once.
    expect((await act('return', a, unitUser('town'))).body.status).toBe('open');
    expect(await queue('town')).toEqual({ waiting: [], passedOn: [b.id] });

    // The office accepts: done, and the duty leaves the index.
    expect((await act('accept', b, OFFICE)).body.status).toBe('accepted');
    expect(await queue('town')).toEqual(none);
    expect((await stored(b.id))?.gsi3pk).toBeUndefined();
    expect((await stored(b.id))?.gsi3sk).toBeUndefined();

    // The other branch never saw any of it, and kept its own.
    expect(await queue('town-2')).toEqual({ waiting: [c.id], passedOn: [] });
  });

  it('shows a unit only its own branch: another township neither sees nor confirms, and the office has no sign-off queue', async () => {
    const { api, chainDuty, act, queue } = await setup();
    const a = await chainDuty('辍学学生劝返台账', 'village-1', 2);
    const c = await chainDuty('河西村摸排', 'village-3', 2);
    await act('submit', a, unitUser('village-1'));
    await act('submit', c, unitUser('village-3'));
    expect(await queue('town')).toEqual({ waiting: [a.id], passedOn: [] });
    expect(await queue('town-2')).toEqual({ waiting: [c.id], passedOn: [] });
    // A village below the other township, and the village that submitted, have nothing to confirm.
    expect(await queue('village-3')).toEqual(none);
    expect(await queue('village-1')).toEqual(none);

    const foreign = await act('confirm', a, unitUser('town-2'), { note: '越级确认' });
    expect(foreign.status).toBe(403);
    expect(await queue('town')).toEqual({ waiting: [a.id], passedOn: [] });

    // Both reach the bureau over them: it sees both, each township only its own.
    await act('confirm', a, unitUser('town'), { note: '确认' });
    await act('confirm', c, unitUser('town-2'), { note: '确认' });
    expect(await queue('bureau')).toEqual({ waiting: [a.id, c.id].sort(), passedOn: [] });
    expect(await queue('town')).toEqual({ waiting: [], passedOn: [a.id] });
    expect(await queue('town-2')).toEqual({ waiting: [], passedOn: [c.id] });

    await expect(api.services.duties.signOffQueue(OFFICE, NOW)).rejects.toThrow(/单位用户/);
  });

  it('keys the duties of a plan stored before the index: once by the sweep, and again by the recount', async () => {
    const { api, plan, chainDuty, act, queue, stored } = await setup();
    const a = await chainDuty('辍学学生劝返台账', 'village-1', 2);
    const b = await chainDuty('适龄儿童入学摸排', 'village-2', 1);
    await act('submit', a, unitUser('village-1'));
    await act('submit', b, unitUser('village-2'));
    await act('confirm', a, unitUser('town'), { note: '确认' });
    const { doc, table } = api;
    const unkey = (withMarker: boolean) => unkeyed(api, plan.id, [a, b], withMarker);
    const planItem = async () =>
      (await doc.send(new GetCommand({ TableName: table.tableName, Key: planKey(plan.id) }))).Item;
    const versions = async () => Promise.all([a, b].map(async (d) => (await stored(d.id))?.version));

    expect(typeof (await planItem())?.[SIGN_OFF_KEYED_SINCE]).toBe('string');
    const before = await versions();
    await unkey(false);
    // The upgrade gap: until the plan is re-keyed, its submissions are in no queue.
    expect(await queue('town')).toEqual(none);
    expect(await queue('bureau')).toEqual(none);

    expect((await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } })).status).toBe(200);
    expect(await queue('town')).toEqual({ waiting: [b.id], passedOn: [a.id] });
    expect(await queue('bureau')).toEqual({ waiting: [a.id], passedOn: [] });
    expect(typeof (await planItem())?.[SIGN_OFF_KEYED_SINCE]).toBe('string');
    // Index upkeep, not a change: no new version.
    expect(await versions()).toEqual(before);
    // Once: a keyed plan is not read again.
    expect((await api.services.counters.upkeep(OFFICE, plan.id, NOW)).signOffRekeyed).toBe(0);

    // Keys lost on a keyed plan (written by hand, an older function still running): the recount repairs them.
    await unkey(true);
    expect(await queue('town')).toEqual(none);
    const recount = await api.call<RecountResult>('POST', `/v1/plans/${plan.id}/counters/recount`);
    expect(recount.status).toBe(200);
    expect(recount.body.signOffRekeyed).toBe(2);
    expect(await queue('town')).toEqual({ waiting: [b.id], passedOn: [a.id] });
    expect(
      (await api.call<RecountResult>('POST', `/v1/plans/${plan.id}/counters/recount`)).body.signOffRekeyed,
    ).toBe(0);
  });

  it('leaves a duty to the change that moved it while the upkeep was re-keying it', async () => {
    const { api, plan, chainDuty, act, queue, stored } = await setup();
    const a = await chainDuty('辍学学生劝返台账', 'village-1', 2);
    await act('submit', a, unitUser('village-1'));
    const submittedVersion = (await stored(a.id))?.version;
    await unkeyed(api, plan.id, [a], false);
    // Right before the re-keying write reaches the engine, the township confirms the duty.
    let raced = false;
    api.doc.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (!raced && input.UpdateExpression?.startsWith('SET gsi3pk = :g3pk') === true) {
          raced = true;
          expect((await act('confirm', a, unitUser('town'), { note: '乡镇确认' })).status).toBe(200);
        }
        return next(args);
      },
      { step: 'initialize', name: 'confirmDuringRekey' },
    );
    const upkeep = await api.services.counters.upkeep(OFFICE, plan.id, NOW);
    expect(raced).toBe(true);
    // The re-keying write was refused (the version moved); the confirmation's own keys stand.
    expect(upkeep.signOffRekeyed).toBe(0);
    expect(await stored(a.id)).toMatchObject({
      version: (submittedVersion ?? 0) + 1,
      gsi3pk: 'SIGNOFF#bureau',
      awaitingConfirmationFrom: 'bureau',
    });
    expect(await queue('bureau')).toEqual({ waiting: [a.id], passedOn: [] });
    expect(await queue('town')).toEqual({ waiting: [], passedOn: [a.id] });
  });
});
