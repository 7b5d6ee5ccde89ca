import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { dutyKey } from '../../shared/db/keys.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan, PlanView } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { LEADER, SEED_PHASES, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { field: string; message: string }[] } };
}
type DutyPage = { items: Duty[]; nextCursor: string | null };
type TaskWithDuties = Task & { duties: Duty[] };
const fieldsOf = (b: ErrorBody) => (b.error.details?.fields ?? []).map((f) => f.field);

const UNITS = [
  { id: 'edu-bureau', name: '县教育体育局', kind: 'bureau' },
  { id: 'finance', name: '县财政局', kind: 'bureau' },
  { id: 'police', name: '县公安局', kind: 'bureau' },
  { id: 'chengguan', name: '城关镇', kind: 'township' },
];

describe('tasks and duties', () => {
  let api: Api;
  let plan: Plan;

  /** Reads the stored item directly, to prove a refused request changed nothing. */
  const stored = async (dutyId: string) =>
    (await api.doc.send(new GetCommand({ TableName: api.table.tableName, Key: dutyKey(dutyId) }))).Item;

  const newTask = async (body: Record<string, unknown>) => {
    const res = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, { body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    api = await testApp({ now: new Date('2026-05-16T02:00:00Z') });
    for (const u of UNITS) await api.call('POST', '/v1/units', { body: u });
    await api.call('POST', '/v1/units', { body: { id: 'retired', name: '已撤并乡', kind: 'township' } });
    plan = (await api.call<Plan>('POST', '/v1/plans', { body: { title: '迎国检', phases: SEED_PHASES } }))
      .body;
  });

  it('creates a task with one duty per responsible unit, all at once', async () => {
    const task = await newTask({
      title: '控辍保学回头看',
      description: '各乡镇、各学校迅速开展控辍保学回头看 ✅',
      phaseKey: 'self-check',
      leadUnitId: 'edu-bureau',
      coUnitIds: ['police', 'chengguan'],
      dueAt: '2026-05-26',
    });
    // A date alone is the end of that day in Asia/Shanghai.
    expect(task.dueAt).toBe('2026-05-26T15:59:59.999Z');
    expect(task.duties.map((d) => [d.unitId, d.role, d.status, d.version])).toEqual([
      ['edu-bureau', 'lead', 'open', 1],
      ['police', 'co', 'open', 1],
      ['chengguan', 'co', 'open', 1],
    ]);
    const listed = await api.call<{ items: Task[] }>('GET', `/v1/plans/${plan.id}/tasks`, {
      as: unitUser('police'),
    });
    expect(listed.body.items.map((t) => t.id)).toContain(task.id);
    const view = await api.call<PlanView>('GET', `/v1/plans/${plan.id}`);
    expect(view.body.counts.byPhase['self-check']).toMatchObject({ open: 3, total: 3 });
    expect(view.body.counts.byUnit.police).toMatchObject({ open: 1, total: 1 });
  });

  it('accepts a due time with an offset, and one in the past', async () => {
    const task = await newTask({
      title: '召开动员大会',
      phaseKey: 'mobilize',
      leadUnitId: 'finance',
      dueAt: '2026-05-13T17:30:00+08:00',
    });
    expect(task.dueAt).toBe('2026-05-13T09:30:00.000Z');
    expect(task.duties[0]?.overdue).toBe(true);
  });

  it('names each bad task field, and writes neither task nor duties', async () => {
    const before = await api.call<{ items: Task[] }>('GET', `/v1/plans/${plan.id}/tasks?limit=100`);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ title: 't', phaseKey: 'nope', leadUnitId: 'finance', dueAt: '2026-05-20' }, ['phaseKey']],
      [{ title: 't', phaseKey: 'improve', leadUnitId: 'finance', dueAt: '2026-05-20T10:00:00' }, ['dueAt']],
      [{ title: 't', phaseKey: 'improve', leadUnitId: 'finance', dueAt: '2026-02-30' }, ['dueAt']],
      [
        {
          title: 't',
          phaseKey: 'improve',
          leadUnitId: 'ghost',
          coUnitIds: ['police', 'nobody'],
          dueAt: '2026-05-20',
        },
        ['leadUnitId', 'coUnitIds.1'],
      ],
      [
        {
          title: 't',
          phaseKey: 'improve',
          leadUnitId: 'finance',
          coUnitIds: ['finance'],
          dueAt: '2026-05-20',
        },
        ['coUnitIds'],
      ],
      [
        {
          title: 't',
          phaseKey: 'improve',
          leadUnitId: 'finance',
          coUnitIds: ['police', 'police'],
          dueAt: '2026-05-20',
        },
        ['coUnitIds'],
      ],
      [{ phaseKey: 'improve', leadUnitId: 'finance', dueAt: '2026-05-20' }, ['title']],
      [
        { title: 't', phaseKey: 'improve', leadUnitId: 'finance', dueAt: '2026-05-20', owner: 'x' },
        ['(root)'],
      ],
    ];
    for (const [body, fields] of cases) {
      const res = await api.call<ErrorBody>('POST', `/v1/plans/${plan.id}/tasks`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(fieldsOf(res.body), JSON.stringify(res.body)).toEqual(expect.arrayContaining(fields));
    }
    const after = await api.call<{ items: Task[] }>('GET', `/v1/plans/${plan.id}/tasks?limit=100`);
    expect(after.body.items.length).toBe(before.body.items.length);
    const missingPlan = await api.call('POST', '/v1/plans/plan-ghost/tasks', {
      body: { title: 't', phaseKey: 'improve', leadUnitId: 'finance', dueAt: '2026-05-20' },
    });
    expect(missingPlan.status).toBe(404);
    const asUnit = await api.call('POST', `/v1/plans/${plan.id}/tasks`, {
      as: unitUser('finance'),
      body: { title: 't', phaseKey: 'improve', leadUnitId: 'finance', dueAt: '2026-05-20' },
    });
    expect(asUnit.status).toBe(403);
  });

  it('lets a unit list and read only its own duties', async () => {
    const mine = await api.call<DutyPage>('GET', `/v1/plans/${plan.id}/duties`, { as: unitUser('police') });
    expect(mine.status).toBe(200);
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.every((d) => d.unitId === 'police')).toBe(true);

    const others = await api.call<ErrorBody>('GET', `/v1/plans/${plan.id}/duties?unitId=finance`, {
      as: unitUser('police'),
    });
    expect(others.status).toBe(403);
    expect((await api.call('GET', '/v1/units/finance/duties', { as: unitUser('police') })).status).toBe(403);

    const financeDuty = (await api.call<DutyPage>('GET', '/v1/units/finance/duties')).body.items[0];
    expect(financeDuty).toBeDefined();
    const peek = await api.call('GET', `/v1/duties/${financeDuty?.id}`, { as: unitUser('police') });
    expect(peek.status).toBe(403);
    expect((await api.call('GET', `/v1/duties/${financeDuty?.id}`, { as: LEADER })).status).toBe(200);
  });

  it('filters a plan’s duties by unit, status and overdue, each with one query', async () => {
    const all = await api.call<DutyPage>('GET', `/v1/plans/${plan.id}/duties`, { as: LEADER });
    expect(all.body.items.length).toBe(4);
    const overdue = await api.call<DutyPage>('GET', `/v1/plans/${plan.id}/duties?overdue=true`);
    expect(overdue.body.items.map((d) => d.unitId)).toEqual(['finance']);
    const onTrack = await api.call<DutyPage>('GET', `/v1/plans/${plan.id}/duties?overdue=false`);
    expect(onTrack.body.items.every((d) => !d.overdue)).toBe(true);
    expect(onTrack.body.items.length).toBe(3);
    const unitOverdue = await api.call<DutyPage>(
      'GET',
      `/v1/plans/${plan.id}/duties?unitId=finance&overdue=true`,
    );
    expect(unitOverdue.body.items.length).toBe(1);
    const submitted = await api.call<DutyPage>('GET', `/v1/plans/${plan.id}/duties?status=submitted`);
    expect(submitted.body.items).toEqual([]);
    const bad = await api.call<ErrorBody>('GET', `/v1/plans/${plan.id}/duties?status=done&overdue=maybe`);
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(expect.arrayContaining(['status', 'overdue']));
  });

  it('refuses a cursor from another unit’s listing', async () => {
    const page = await api.call<DutyPage>('GET', '/v1/units/edu-bureau/duties?limit=1');
    // Ask for more, so a cursor exists.
    expect(page.status).toBe(200);
    const forged = Buffer.from(
      JSON.stringify({ pk: 'DUTY#x', sk: 'DUTY', gsi1pk: 'UNIT#edu-bureau', gsi1sk: 'PLAN#' }),
    ).toString('base64url');
    const res = await api.call<ErrorBody>('GET', `/v1/units/police/duties?cursor=${forged}`, {
      as: unitUser('police'),
    });
    expect(res.status).toBe(400);
  });

  it('submits a duty with note and evidence, exactly once', async () => {
    const task = await newTask({
      title: '报送花名册',
      phaseKey: 'self-check',
      leadUnitId: 'chengguan',
      dueAt: '2026-05-20',
    });
    const duty = task.duties[0] as Duty;
    const note = '本村适龄学生全部在校 👍 '.repeat(200).trim();
    const res = await api.call<Duty>('POST', `/v1/duties/${duty.id}/submit`, {
      as: unitUser('chengguan'),
      body: { note, evidence: [{ title: '花名册(签字版)', ref: 'files/2026/花名册.pdf' }] },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'submitted', version: 2 });
    expect(res.body.submission?.note).toBe(note);
    expect(res.body.submission?.evidence[0]?.ref).toBe('files/2026/花名册.pdf');

    const again = await api.call<ErrorBody>('POST', `/v1/duties/${duty.id}/submit`, {
      as: unitUser('chengguan'),
      body: { note: '再交一次' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_transition');
    expect((await stored(duty.id))?.submission.note).toBe(note);
    const view = await api.call<PlanView>('GET', `/v1/plans/${plan.id}`);
    expect(view.body.counts.byUnit.chengguan).toMatchObject({ submitted: 1 });
    // Submitted duties leave the open-by-due index.
    expect((await stored(duty.id))?.gsi3pk).toBeUndefined();
  });

  it('refuses another unit, a leader, a stale version and bad bodies, changing nothing', async () => {
    const task = await newTask({
      title: '核实编制',
      phaseKey: 'self-check',
      leadUnitId: 'edu-bureau',
      dueAt: '2026-05-25',
    });
    const duty = task.duties[0] as Duty;
    const before = await stored(duty.id);
    const attempts: [Parameters<Api['call']>[2], number][] = [
      [{ as: unitUser('police'), body: { note: '替别人办' } }, 403],
      [{ as: LEADER, body: { note: '领导代办' } }, 403],
      [{ as: unitUser('edu-bureau'), body: { note: '旧版本', version: 7 } }, 409],
      [{ as: unitUser('edu-bureau'), body: { note: '' } }, 400],
      [{ as: unitUser('edu-bureau'), body: { note: 'x', evidence: [{ title: 'x' }] } }, 400],
      [
        {
          as: unitUser('edu-bureau'),
          rawBody: '{"note": "broken',
          headers: { 'content-type': 'application/json' },
        },
        400,
      ],
      [{ as: unitUser('edu-bureau'), rawBody: 'note=x', headers: { 'content-type': 'text/plain' } }, 415],
      [{ as: unitUser('edu-bureau'), body: { note: 'x'.repeat(300 * 1024) } }, 413],
      [{ as: null, body: { note: '无令牌' } }, 401],
    ];
    for (const [init, status] of attempts) {
      const res = await api.call<ErrorBody>('POST', `/v1/duties/${duty.id}/submit`, init);
      expect(res.status, JSON.stringify(init).slice(0, 120)).toBe(status);
      expect(res.body.error.message.length).toBeGreaterThan(0);
    }
    expect(await stored(duty.id)).toEqual(before);
    expect((await api.call('POST', '/v1/duties/duty-ghost/submit', { body: { note: 'x' } })).status).toBe(
      404,
    );
    expect(api.errors).toEqual([]);
  });

  it('lets exactly one of many concurrent submits win', async () => {
    const task = await newTask({
      title: '并发提交',
      phaseKey: 'self-check',
      leadUnitId: 'police',
      dueAt: '2026-05-25',
    });
    const duty = task.duties[0] as Duty;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api.call<Duty | ErrorBody>('POST', `/v1/duties/${duty.id}/submit`, {
          as: unitUser('police'),
          body: { note: `第${i}次`, version: 1 },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    const winner = results.find((r) => r.status === 200)?.body as Duty;
    const final = await api.call<Duty>('GET', `/v1/duties/${duty.id}`);
    expect(final.body.version).toBe(2);
    expect(final.body.submission?.note).toBe(winner.submission?.note);
  });
});

describe('request logs', () => {
  it('write one structured line per request with the request id and the principal, never the token', async () => {
    const api = await testApp();
    await api.call('GET', '/v1/units', { as: LEADER, headers: { 'x-request-id': 'req-log-1' } });
    const line = api.requests.find((r) => r.requestId === 'req-log-1');
    expect(line).toMatchObject({
      method: 'GET',
      path: '/v1/units',
      status: 200,
      sub: 'leader-1',
      role: 'leader',
    });
    expect(JSON.stringify(api.requests)).not.toMatch(/eyJ/);
  });
});

describe('a unit’s duties across plans', () => {
  it('filters by status even without a plan', async () => {
    const api = await testApp();
    await api.call('POST', '/v1/units', { body: { id: 'solo', name: '独立单位', kind: 'other' } });
    const plans: Plan[] = [];
    for (const title of ['方案一', '方案二']) {
      plans.push((await api.call<Plan>('POST', '/v1/plans', { body: { title, phases: SEED_PHASES } })).body);
    }
    for (const plan of plans) {
      const task = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
        body: { title: '任务', phaseKey: 'self-check', leadUnitId: 'solo', dueAt: '2026-05-25' },
      });
      if (plan === plans[0]) {
        await api.call('POST', `/v1/duties/${task.body.duties[0]?.id}/submit`, {
          as: unitUser('solo'),
          body: { note: '完成' },
        });
      }
    }
    const submitted = await api.call<DutyPage>('GET', '/v1/units/solo/duties?status=submitted', {
      as: unitUser('solo'),
    });
    expect(submitted.body.items.map((d) => d.status)).toEqual(['submitted']);
  });
});
