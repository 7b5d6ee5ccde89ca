import { describe, expect, it } from 'vitest';
import type { AuditEventView } from '../../shared/schemas/audit.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { LEADER, testApp } from '../fixtures/app.js';

interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { field: string }[] } };
}

async function setup() {
  const api = await testApp({ now: new Date('2025-09-05T02:00:00Z') });
  await api.call('POST', '/v1/units', { body: { id: 'village', name: '东街村', kind: 'village' } });
  const newPlan = async () =>
    (
      await api.call<Plan>('POST', '/v1/plans', {
        body: {
          title: '迎国检',
          phases: [
            { key: 'mobilize', name: '部署发动阶段', start: '2025-09-01', end: '2025-09-10' },
            { key: 'self-check', name: '自查补短阶段', start: '2025-09-11', end: '2025-09-30' },
          ],
        },
      })
    ).body;
  const task = (planId: string, phaseKey: string) =>
    api.call<ErrorBody>('POST', `/v1/plans/${planId}/tasks`, {
      body: { title: '宣传动员', phaseKey, dueAt: '2025-09-09', leadUnitId: 'village' },
    });
  const finding = (planId: string, phaseKey: string) =>
    api.call<ErrorBody>('POST', `/v1/plans/${planId}/findings`, {
      body: {
        title: '宣传栏未更新',
        detail: '暗访发现',
        unitIds: ['village'],
        dueAt: '2025-09-09',
        source: 'unannounced',
        phaseKey,
      },
    });
  const close = (planId: string, phaseKey: string) =>
    api.call<Plan & ErrorBody>('POST', `/v1/plans/${planId}/phases/${phaseKey}/close`, { body: {} });
  return { api, newPlan, task, finding, close };
}

describe('a closed phase takes no new work until the office reopens it (issue 11, item 7)', () => {
  it('refuses tasks and findings in a closed phase with 409 phase_closed, and takes them again once reopened', async () => {
    const { api, newPlan, task, finding, close } = await setup();
    const plan = await newPlan();
    expect((await close(plan.id, 'mobilize')).status).toBe(200);

    const refusedTask = await task(plan.id, 'mobilize');
    expect(refusedTask.status).toBe(409);
    expect(refusedTask.body.error.code).toBe('phase_closed');
    const refusedFinding = await finding(plan.id, 'mobilize');
    expect(refusedFinding.status).toBe(409);
    expect(refusedFinding.body.error.code).toBe('phase_closed');
    // Nothing was written, and the other phase still takes work.
    const tasks = await api.call<{ items: unknown[] }>('GET', `/v1/plans/${plan.id}/tasks`);
    expect(tasks.body.items).toEqual([]);
    expect((await task(plan.id, 'self-check')).status).toBe(201);

    const reopen = (body: unknown, as = undefined as typeof LEADER | undefined) =>
      api.call<Plan & ErrorBody>('POST', `/v1/plans/${plan.id}/phases/mobilize/reopen`, { body, as });
    expect((await reopen({ reason: '领导要求补充' }, LEADER)).status).toBe(403);
    const noReason = await reopen({});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details?.fields?.map((f) => f.field)).toEqual(['reason']);
    const reopened = await reopen({ reason: '上级通知补充宣传任务' });
    expect(reopened.status).toBe(200);
    expect(reopened.body.phaseClosures).toEqual({});
    expect((await reopen({ reason: '再开一次' })).body.error.code).toBe('phase_open');

    const events = (
      await api.call<{ items: AuditEventView[] }>('GET', `/v1/audit?planId=${plan.id}&limit=100`)
    ).body.items;
    const event = events.find((e) => e.action === 'phase.reopen');
    expect(event).toMatchObject({
      actor: 'office-1',
      before: { 'phaseClosures.mobilize': { closedBy: 'office-1' } },
      after: { 'phaseClosures.mobilize': null, reason: '上级通知补充宣传任务' },
    });
    expect((await task(plan.id, 'mobilize')).status).toBe(201);
    expect((await finding(plan.id, 'mobilize')).status).toBe(201);
  });

  it('creates no further occurrences of a recurring task in a closed phase', async () => {
    const { api } = await setup();
    const plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: {
          title: '控辍保学',
          phases: [
            { key: 'mobilize', name: '部署发动阶段', start: '2025-09-01', end: '2025-09-10' },
            { key: 'consolidate', name: '稳固待检阶段', start: '2025-09-11' },
          ],
        },
      })
    ).body;
    const weekly = await api.call('POST', `/v1/plans/${plan.id}/tasks`, {
      body: {
        title: '周报表',
        phaseKey: 'mobilize',
        leadUnitId: 'village',
        kind: 'report',
        recurrence: { freq: 'weekly', weekdays: [5], time: '12:00' },
      },
    });
    expect(weekly.status).toBe(201);
    const duties = async () =>
      (await api.call<{ items: { id: string }[] }>('GET', `/v1/plans/${plan.id}/duties?limit=100`)).body
        .items;
    const open = (await duties()).map((d) => d.id);
    expect(open.length).toBeGreaterThan(0);
    const closed = await api.call('POST', `/v1/plans/${plan.id}/phases/mobilize/close`, {
      body: { override: { reason: '阶段结束,周报转入下一阶段', openDutyIds: open } },
    });
    expect(closed.status).toBe(200);
    // Two weeks on, the sweep's top-up would add the weeks now within 35 days: not in a closed phase.
    api.setNow(new Date('2025-09-19T02:00:00Z'));
    expect((await api.call('POST', '/v1/sweeps', { body: { planId: plan.id } })).status).toBe(200);
    expect((await duties()).map((d) => d.id).sort()).toEqual([...open].sort());
  });

  it('never both closes a phase and creates work in it when the two race', async () => {
    const { api, newPlan, task, close } = await setup();
    const outcomes: string[] = [];
    for (let round = 0; round < 8; round++) {
      const plan = await newPlan();
      const [closed, ...created] = await Promise.all([
        close(plan.id, 'mobilize'),
        task(plan.id, 'mobilize'),
        task(plan.id, 'mobilize'),
        task(plan.id, 'mobilize'),
      ]);
      const made = created.filter((r) => r.status === 201).length;
      for (const r of created) {
        if (r.status !== 201) {
          expect(r.status).toBe(409);
          expect(r.body.error.code).toBe('phase_closed');
        }
      }
      const duties = await api.call<{ items: unknown[] }>('GET', `/v1/plans/${plan.id}/duties?limit=100`);
      expect(duties.body.items).toHaveLength(made);
      if (closed?.status === 200) {
        // Closed without an override: no duty of the phase may exist.
        expect(made, `round ${round}`).toBe(0);
        outcomes.push('closed');
      } else {
        expect(closed?.status).toBe(409);
        expect(made).toBeGreaterThan(0);
        outcomes.push('open');
      }
    }
    expect(outcomes).toHaveLength(8);
  }, 180_000);
});
