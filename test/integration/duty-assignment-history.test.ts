import { describe, expect, it } from 'vitest';
import type { AuditEventView } from '../../shared/schemas/audit.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { FindingView } from '../../shared/schemas/findings.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { testApp, unitUser } from '../fixtures/app.js';

type AuditPage = { items: AuditEventView[]; nextCursor: string | null };
type TaskWithDuties = Task & { duties: Duty[] };

async function setup() {
  const api = await testApp({ now: new Date('2026-05-16T02:00:00Z') });
  await api.call('POST', '/v1/units', { body: { id: 'town', name: '城关镇', kind: 'township' } });
  await api.call('POST', '/v1/units', {
    body: { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
  });
  const plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: { title: '控辍保学', phases: [{ key: 'work', name: '整改', start: '2026-05-01' }] },
    })
  ).body;
  return { api, plan };
}

const history = (api: Awaited<ReturnType<typeof testApp>>, dutyId: string, query = '') =>
  api.call<AuditPage>('GET', `/v1/duties/${dutyId}/history${query}`, { as: unitUser('village') });

describe('a duty’s history starts with its assignment (交办) (issue 11, item 5)', () => {
  it('lists who assigned the duty, when, with which due time and policy, before the submit', async () => {
    const { api, plan } = await setup();
    const task = (
      await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
        body: {
          title: '花名册',
          phaseKey: 'work',
          leadUnitId: 'town',
          coUnitIds: ['village'],
          dueAt: '2026-05-30',
        },
        headers: { 'x-request-id': 'req-assign-1' },
      })
    ).body;
    const duty = task.duties.find((d) => d.unitId === 'village') as Duty;
    await api.call('POST', `/v1/duties/${duty.id}/submit`, {
      as: unitUser('village'),
      body: { note: '已完成' },
    });

    const page = await history(api, duty.id);
    expect(page.status).toBe(200);
    expect(page.body.items.map((e) => e.action)).toEqual(['duty.assign', 'duty.submit']);
    expect(page.body.items[0]).toMatchObject({
      actor: 'office-1',
      role: 'office',
      requestId: 'req-assign-1',
      businessAt: '2026-05-16T02:00:00.000Z',
      entityType: 'duty',
      entityId: duty.id,
      planId: plan.id,
      before: null,
      after: {
        taskId: task.id,
        unitId: 'village',
        role: 'co',
        dueAt: '2026-05-30T15:59:59.999Z',
        escalation: duty.escalation,
      },
    });

    // Paged one at a time the assignment is still first and nothing is lost or repeated.
    const first = await history(api, duty.id, '?limit=1');
    expect(first.body.items.map((e) => e.action)).toEqual(['duty.assign']);
    const second = await history(api, duty.id, `?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((e) => e.action)).toEqual(['duty.submit']);
  });

  it('starts a recurring occurrence’s and a finding’s rectification duty with the assignment too', async () => {
    const { api, plan } = await setup();
    const weekly = (
      await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
        body: {
          title: '周报表',
          phaseKey: 'work',
          leadUnitId: 'village',
          kind: 'report',
          recurrence: { freq: 'weekly', weekdays: [5], time: '12:00' },
        },
      })
    ).body;
    const occurrence = weekly.duties[0] as Duty;
    const occurrenceHistory = (await history(api, occurrence.id)).body.items;
    expect(occurrenceHistory.map((e) => e.action)).toEqual(['duty.assign']);
    expect(occurrenceHistory[0]?.after).toMatchObject({
      taskId: weekly.id,
      dueAt: occurrence.dueAt,
      occurrenceKey: occurrence.occurrenceKey,
    });

    const finding = await api.call<FindingView>('POST', `/v1/plans/${plan.id}/findings`, {
      body: {
        title: '台账缺签字',
        detail: '暗访发现',
        unitIds: ['village'],
        dueAt: '2026-05-25',
        source: 'unannounced',
        phaseKey: 'work',
      },
    });
    expect(finding.status).toBe(201);
    const rectification = (await history(api, finding.body.dutyIds[0] as string)).body.items;
    expect(rectification.map((e) => e.action)).toEqual(['duty.assign']);
    expect(rectification[0]?.after).toMatchObject({
      taskId: finding.body.taskId,
      dueAt: '2026-05-25T15:59:59.999Z',
    });
  });
});
