import { describe, expect, it } from 'vitest';
import type { Duty } from '../../shared/schemas/duties.js';
import type { ExtensionRequest } from '../../shared/schemas/extensions.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { testApp, unitUser } from '../fixtures/app.js';

interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { field: string }[] } };
}

async function setup() {
  const api = await testApp({ now: new Date('2025-09-01T02:00:00Z') });
  await api.call('POST', '/v1/units', { body: { id: 'village', name: '东街村', kind: 'village' } });
  const plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: { title: '迎国检', phases: [{ key: 'work', name: '自查补短阶段', start: '2025-09-01' }] },
    })
  ).body;
  const duty = (
    await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { title: '花名册核实', phaseKey: 'work', dueAt: '2025-09-10', leadUnitId: 'village' },
    })
  ).body.duties[0] as Duty;
  return { api, plan, duty };
}

const fieldsOf = (body: ErrorBody) => (body.error.details?.fields ?? []).map((f) => f.field);

describe('a deadline a person sets lies in the future (issue 11, item 6)', () => {
  it('refuses to approve an extension whose proposed date has passed unless a future dueAt is given', async () => {
    const { api, duty } = await setup();
    const ask = await api.call<ExtensionRequest>('POST', `/v1/duties/${duty.id}/extension-requests`, {
      as: unitUser('village'),
      body: { reason: '等待户籍数据', progress: '已完成八成', proposedDueAt: '2025-09-12' },
    });
    expect(ask.status).toBe(201);
    // The office gets to it only after the proposed date (the duty itself was due on the 10th).
    api.setNow(new Date('2025-09-15T02:00:00Z'));
    const approve = (body: Record<string, unknown>) =>
      api.call<ExtensionRequest & ErrorBody>(
        'POST',
        `/v1/duties/${duty.id}/extension-requests/${ask.body.id}/approve`,
        { body },
      );
    const stale = await approve({});
    expect(stale.status).toBe(400);
    expect(fieldsOf(stale.body)).toEqual(['dueAt']);
    const past = await approve({ dueAt: '2025-09-14' });
    expect(past.status).toBe(400);
    expect(fieldsOf(past.body)).toEqual(['dueAt']);
    // Nothing changed: the request still waits and the duty keeps its deadline and round.
    const unchanged = (await api.call<Duty>('GET', `/v1/duties/${duty.id}`)).body;
    expect(unchanged).toMatchObject({ dueAt: duty.dueAt, round: 1, pendingExtensionId: ask.body.id });

    const ok = await approve({ dueAt: '2025-09-20' });
    expect(ok.status).toBe(200);
    expect(ok.body.approvedDueAt).toBe('2025-09-20T15:59:59.999Z');
  });

  it('refuses a finding whose rectification deadline has passed, naming dueAt', async () => {
    const { api, plan } = await setup();
    const res = await api.call<ErrorBody>('POST', `/v1/plans/${plan.id}/findings`, {
      body: {
        title: '花名册与学籍系统不一致',
        detail: '抽查发现 3 名学生信息不符',
        unitIds: ['village'],
        dueAt: '2025-08-31',
        source: 'county-check',
        phaseKey: 'work',
      },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(['dueAt']);
    const findings = await api.call<{ items: unknown[] } | unknown[]>('GET', `/v1/plans/${plan.id}/findings`);
    const items = Array.isArray(findings.body) ? findings.body : findings.body.items;
    expect(items).toEqual([]);
  });

  it('still takes a task due in the past: it is entered late and is overdue at once, as the README says', async () => {
    const { api, plan } = await setup();
    const res = await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { title: '补录:开学摸排', phaseKey: 'work', dueAt: '2025-08-30', leadUnitId: 'village' },
    });
    expect(res.status).toBe(201);
    expect(res.body.duties[0]?.overdue).toBe(true);
  });
});
