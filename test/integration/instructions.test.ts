/**
 * 领导批示 (issue 17): a leader (or the office) writes an instruction on a duty or a whole task; it
 * is stored once, kept in the duty's history, shown to the unit, and written as one `instruction`
 * notice per unit through the single notice writer (so the outbox pushes it) — once per press, a
 * retry with the same Idempotency-Key (or after a crash, with the same key) writing nothing twice.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { noticeKey } from '../../shared/db/keys.js';
import type { AuditEventView } from '../../shared/schemas/audit.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Instruction } from '../../shared/schemas/instructions.js';
import type { Notice } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { LEADER, OFFICE, type TestResponse, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
const ok = <T>(res: TestResponse<T>, status = 200): T => {
  expect(res.status, res.text).toBe(status);
  return res.body;
};

describe('领导批示', () => {
  let api: Api;
  let plan: Plan;
  let task: Task & { duties: Duty[] };
  let townDuty: Duty;
  let villageDuty: Duty;
  const instructionNotices = async (dutyId: string): Promise<Notice[]> =>
    ok(
      await api.call<{ items: Notice[] }>('GET', `/v1/notices?planId=${plan.id}&level=instruction&limit=100`),
    ).items.filter((n) => n.dutyId === dutyId);

  beforeAll(async () => {
    api = await testApp({ now: new Date('2026-05-18T02:00:00Z') });
    for (const body of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' },
      { id: 'town', name: '城关镇', kind: 'township', parentId: 'county' },
      { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
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
    task = ok(
      await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
        body: {
          title: '适龄儿童入学摸排',
          phaseKey: 'work',
          leadUnitId: 'town',
          coUnitIds: ['village'],
          dueAt: '2026-06-30',
          fromInstruction: { signedBy: '王县长', signedOn: '2026-05-15', text: '请教体局牵头摸排。' },
        },
      }),
      201,
    );
    townDuty = task.duties.find((d) => d.unitId === 'town') as Duty;
    villageDuty = task.duties.find((d) => d.unitId === 'village') as Duty;
  }, 60_000);

  it('records on the task that it came from a leader’s 批示', async () => {
    expect(task.fromInstruction).toEqual({
      signedBy: '王县长',
      signedOn: '2026-05-15',
      text: '请教体局牵头摸排。',
    });
    const stored = ok(await api.call<Task>('GET', `/v1/plans/${plan.id}/tasks/${task.id}`));
    expect(stored.fromInstruction?.signedBy).toBe('王县长');
  });

  it('writes one instruction and one notice a press, and a retry gives the first answer', async () => {
    const press = (
      key: string,
      body: Record<string, unknown> = { text: '务必逐户核实', signedBy: '李副县长' },
    ) =>
      api.call<Instruction>('POST', `/v1/duties/${townDuty.id}/instructions`, {
        as: LEADER,
        body,
        headers: { 'idempotency-key': key },
      });
    const first = ok(await press('press-1'), 201);
    expect(first).toMatchObject({
      dutyId: townDuty.id,
      taskId: task.id,
      text: '务必逐户核实',
      signedBy: '李副县长',
      signedOn: '2026-05-18',
      authorRole: 'leader',
      by: LEADER.sub,
    });
    const replayed = await press('press-1');
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(replayed.body.id).toBe(first.id);
    // A retry that reaches the service again (the first answer lost in a crash) with the same key.
    const again = await api.services.instructions.onDuty(
      LEADER,
      townDuty.id,
      { text: '务必逐户核实', signedBy: '李副县长' },
      new Date('2026-05-18T02:05:00Z'),
      'press-1',
    );
    expect(again.id).toBe(first.id);
    expect(again.at).toBe(first.at);

    let notices = await instructionNotices(townDuty.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      level: 'instruction',
      levelLabel: '领导批示',
      recipients: ['unit:town', 'role:office'],
      text: '李副县长(2026-05-18):务必逐户核实',
    });
    // Pushed like any notice: the notice item sits in the delivery outbox.
    const item = await api.doc.send(
      new GetCommand({ TableName: api.table.tableName, Key: noticeKey(notices[0]?.id ?? '') }),
    );
    expect(item.Item?.gsi4pk).toBe('OUTBOX');
    // The office's inbox has it; the unit's too.
    const officeInbox = ok(
      await api.call<{ items: Notice[] }>('GET', '/v1/notices?level=instruction&limit=100'),
    ).items;
    expect(officeInbox.some((n) => n.id === notices[0]?.id)).toBe(true);

    // Another press is another instruction.
    const second = ok(await press('press-2', { text: '周五前报结果', signedOn: '2026-05-17' }), 201);
    expect(second.id).not.toBe(first.id);
    expect(second.signedBy).toBe(LEADER.sub);
    notices = await instructionNotices(townDuty.id);
    expect(notices).toHaveLength(2);

    // Kept in the duty's history.
    const history = ok(
      await api.call<{ items: AuditEventView[] }>('GET', `/v1/duties/${townDuty.id}/history?limit=100`),
    ).items;
    expect(history.filter((e) => e.action === 'duty.instruct')).toHaveLength(2);
    expect(history.filter((e) => e.action === 'duty.instruction-notice')).toHaveLength(2);
  });

  it('sends a whole task’s instruction to each unit once, and each unit sees only its own', async () => {
    const onTaskRes = await api.call<Instruction>(
      'POST',
      `/v1/plans/${plan.id}/tasks/${task.id}/instructions`,
      {
        body: { text: '各单位加快进度' },
        headers: { 'idempotency-key': 'task-press-1' },
      },
    );
    const onTask = ok(onTaskRes, 201);
    if (api.errors.length > 0) console.log(JSON.stringify(api.errors).slice(0, 1500));
    expect(onTask).toMatchObject({ dutyId: null, authorRole: 'office', signedBy: OFFICE.sub });
    expect(onTask.noticeIds).toHaveLength(2);
    // From the office, the units only.
    expect((await instructionNotices(villageDuty.id)).map((n) => n.recipients)).toEqual([['unit:village']]);

    const village = ok(
      await api.call<{ items: Instruction[] }>('GET', `/v1/duties/${villageDuty.id}/instructions`, {
        as: unitUser('village'),
      }),
    ).items;
    // The task's instruction, not those on the township's duty.
    expect(village.map((i) => i.id)).toEqual([onTask.id]);
    const town = ok(
      await api.call<{ items: Instruction[] }>('GET', `/v1/duties/${townDuty.id}/instructions`, {
        as: unitUser('town'),
      }),
    ).items;
    expect(town.map((i) => i.dutyId).sort()).toEqual([townDuty.id, townDuty.id, null].sort());
    // The county above the township reads it; a unit elsewhere does not.
    expect(
      (await api.call('GET', `/v1/duties/${townDuty.id}/instructions`, { as: unitUser('county') })).status,
    ).toBe(200);
    expect(
      (await api.call('GET', `/v1/duties/${townDuty.id}/instructions`, { as: unitUser('other') })).status,
    ).toBe(403);
    const all = ok(
      await api.call<{ items: Instruction[] }>('GET', `/v1/plans/${plan.id}/tasks/${task.id}/instructions`, {
        as: LEADER,
      }),
    ).items;
    expect(all).toHaveLength(3);
  });

  it('refuses units, bad fields and unknown targets, writing nothing', async () => {
    const before = (await instructionNotices(villageDuty.id)).length;
    const asVillage = await api.call('POST', `/v1/duties/${villageDuty.id}/instructions`, {
      as: unitUser('village'),
      body: { text: '自己批示' },
    });
    expect(asVillage.status).toBe(403);
    const asTown = await api.call('POST', `/v1/plans/${plan.id}/tasks/${task.id}/instructions`, {
      as: unitUser('town'),
      body: { text: '乡镇批示' },
    });
    expect(asTown.status).toBe(403);
    const bad = await api.call<{ error: { details: { fields: { field: string }[] } } }>(
      'POST',
      `/v1/duties/${villageDuty.id}/instructions`,
      { as: LEADER, body: { text: '', signedOn: '2026-13-40', signedBy: 'x'.repeat(41) } },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f) => f.field).sort()).toEqual([
      'signedBy',
      'signedOn',
      'text',
    ]);
    expect(
      (await api.call('POST', '/v1/duties/duty-missing/instructions', { as: LEADER, body: { text: '批示' } }))
        .status,
    ).toBe(404);
    expect(
      (
        await api.call('POST', `/v1/plans/${plan.id}/tasks/task-missing/instructions`, {
          as: LEADER,
          body: { text: '批示' },
        })
      ).status,
    ).toBe(404);
    expect((await instructionNotices(villageDuty.id)).length).toBe(before);
  });

  it('leaves 批示 out of the report’s notice counts', async () => {
    const report = ok(
      await api.call<{ id: string }>('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } }),
      201,
    );
    const body = ok(await api.call<Record<string, unknown>>('GET', `/v1/reports/${report.id}`));
    expect(JSON.stringify(body)).not.toContain('"instruction"');
  });
});
