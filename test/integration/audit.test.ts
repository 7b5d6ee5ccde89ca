import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEDULER } from '../../functions/reports/report-job.js';
import type { AuditEventView } from '../../shared/schemas/audit.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { LEADER, testApp, unitUser } from '../fixtures/app.js';

type AuditPage = { items: AuditEventView[]; nextCursor: string | null };

async function scenario() {
  const api = await testApp({ now: new Date('2026-05-16T02:00:00Z') });
  await api.call('POST', '/v1/units', { body: { id: 'village', name: '东街村', kind: 'village' } });
  await api.call('POST', '/v1/units', { body: { id: 'other', name: '柳湾村', kind: 'village' } });
  const plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: { title: '控辍保学', phases: [{ key: 'work', name: '整改', start: '2026-05-01' }] },
    })
  ).body;
  const task = (
    await api.call<Task & { duties: Duty[] }>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { title: '花名册', phaseKey: 'work', leadUnitId: 'village', dueAt: '2026-05-30' },
    })
  ).body;
  const duty = task.duties[0] as Duty;
  return { api, plan, task, duty };
}

describe('the audit trail', () => {
  it('records every change with actor, role, request id and the changed fields', async () => {
    const { api, duty } = await scenario();
    await api.call('POST', `/v1/duties/${duty.id}/submit`, {
      as: unitUser('village'),
      body: { note: '已完成' },
      headers: { 'x-request-id': 'req-submit-1' },
    });
    await api.call('POST', `/v1/duties/${duty.id}/return`, {
      body: { reason: '缺签字', newDueAt: '2026-06-05' },
    });

    const history = await api.call<AuditPage>('GET', `/v1/duties/${duty.id}/history`, {
      as: unitUser('village'),
    });
    expect(history.status).toBe(200);
    expect(history.body.items.map((e) => e.action)).toEqual(['duty.assign', 'duty.submit', 'duty.return']);
    const [, submit, ret] = history.body.items;
    expect(submit).toMatchObject({
      actor: 'village-clerk',
      role: 'unit',
      actorUnitId: 'village',
      requestId: 'req-submit-1',
      before: { status: 'open', submission: null },
      after: { status: 'submitted' },
    });
    expect(ret?.before).toMatchObject({ status: 'submitted', round: 1, returns: 0 });
    expect(ret?.after).toMatchObject({
      status: 'open',
      round: 2,
      returns: 1,
      dueAt: '2026-06-05T15:59:59.999Z',
    });
    // Unchanged fields are not repeated.
    expect(ret?.after).not.toHaveProperty('title');
  });

  it('keeps refused requests out of the record', async () => {
    const { api, duty } = await scenario();
    await api.call('POST', `/v1/duties/${duty.id}/submit`, { as: unitUser('other'), body: { note: '越权' } });
    await api.call('POST', `/v1/duties/${duty.id}/accept`, { body: {} });
    const history = await api.call<AuditPage>('GET', `/v1/duties/${duty.id}/history`);
    expect(history.body.items.map((e) => e.action)).toEqual(['duty.assign']);
    expect((await api.call('GET', `/v1/duties/${duty.id}/history`, { as: unitUser('other') })).status).toBe(
      403,
    );
  });

  it('lists the whole trail for the office by plan, actor and time, newest first', async () => {
    const { api, plan } = await scenario();
    const all = await api.call<AuditPage>('GET', '/v1/audit?limit=100');
    expect(all.body.items.map((e) => e.action)).toEqual([
      'task.create',
      'plan.create',
      'unit.create',
      'unit.create',
    ]);
    const byPlan = await api.call<AuditPage>('GET', `/v1/audit?planId=${plan.id}`);
    expect(byPlan.body.items.map((e) => e.action)).toEqual(['task.create', 'plan.create']);
    const byActor = await api.call<AuditPage>('GET', `/v1/audit?actor=office-1&planId=${plan.id}`);
    expect(byActor.body.items).toHaveLength(2);
    const future = await api.call<AuditPage>('GET', '/v1/audit?from=2999-01-01T00:00:00Z');
    expect(future.body.items).toEqual([]);
    const bad = await api.call('GET', '/v1/audit?from=2026-05-02T00:00:00Z&to=2026-05-01T00:00:00Z');
    expect(bad.status).toBe(400);
    for (const as of [LEADER, unitUser('village')]) {
      expect((await api.call('GET', '/v1/audit', { as })).status).toBe(403);
    }
  });

  it('writes the event in the same transaction as the change: a failed change leaves no event', async () => {
    const { api, duty } = await scenario();
    const before =
      (await api.doc.send(new ScanCommand({ TableName: `${api.table.tableName}-audit` }))).Items ?? [];
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        api.call('POST', `/v1/duties/${duty.id}/submit`, {
          as: unitUser('village'),
          body: { note: '并发', version: 1 },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    const after =
      (await api.doc.send(new ScanCommand({ TableName: `${api.table.tableName}-audit` }))).Items ?? [];
    expect(after.length - before.length).toBe(1);
  });

  it('refuses to overwrite an event, even from code with write access', async () => {
    const { api } = await scenario();
    const [event] =
      (await api.doc.send(new ScanCommand({ TableName: `${api.table.tableName}-audit`, Limit: 1 }))).Items ??
      [];
    if (event === undefined) throw new Error('no audit event');
    const { auditPut } = await import('../../shared/db/audit.js');
    const put = auditPut(api.table, { ...(event as unknown as Parameters<typeof auditPut>[1]) });
    await expect(api.doc.send(new PutCommand(put.Put))).rejects.toThrow(/conditional/i);
    // Deletion is refused by IAM in AWS (see test/infra); the app has no code path that deletes.
    expect(DeleteCommand).toBeDefined();
  });
});

describe('report creation in the audit trail', () => {
  const reportEvents = async (api: Awaited<ReturnType<typeof testApp>>, planId: string) =>
    (await api.call<AuditPage>('GET', `/v1/audit?planId=${planId}&limit=100`)).body.items.filter(
      (e) => e.entityType === 'report',
    );

  it('writes exactly one event with the report, and none when the period’s report is asked for again', async () => {
    const { api, plan } = await scenario();
    const first = await api.call<{ id: string }>('POST', `/v1/plans/${plan.id}/reports`, {
      body: { period: 'week' },
      headers: { 'x-request-id': 'req-report-1' },
    });
    expect(first.status).toBe(201);
    const events = await reportEvents(api, plan.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: 'report.create',
      entityId: first.body.id,
      actor: 'office-1',
      role: 'office',
      requestId: 'req-report-1',
      before: null,
      after: { period: 'week', periodKey: '2026-W20', trigger: 'manual' },
    });
    const again = await api.call('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'week' } });
    expect(again.status).toBe(200);
    const racing = await Promise.all(
      Array.from({ length: 3 }, () =>
        api.call('POST', `/v1/plans/${plan.id}/reports`, { body: { period: 'month' } }),
      ),
    );
    expect(racing.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect((await reportEvents(api, plan.id)).map((e) => e.after?.periodKey).sort()).toEqual([
      '2026-05',
      '2026-W20',
    ]);
  });

  it('names the schedule as the actor of a scheduled report', async () => {
    const { api, plan } = await scenario();
    // The plan was made on Saturday 05-16: the next Friday's schedule reports it.
    const friday = new Date('2026-05-22T09:00:00Z');
    const result = await api.services.reports.runScheduled(
      REPORT_SCHEDULER,
      { period: 'week', scheduledTime: friday, planId: plan.id },
      new Date('2026-05-22T09:00:05Z'),
    );
    expect(result.created).toBe(1);
    const events = await reportEvents(api, plan.id);
    expect(events.map((e) => [e.action, e.actor, e.role, e.after?.trigger])).toEqual([
      ['report.create', 'report-scheduler', 'office', 'schedule'],
    ]);
  });
});
