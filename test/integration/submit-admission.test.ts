/**
 * A submit starts without a round trip of its own: its transaction checks the caller's unit (a
 * ConditionCheck) and it waits for the rate counter — counted while the duty is read — before
 * writing. These prove the saving changes no answer: a deactivated unit's write never lands, a
 * spent budget writes nothing and stays exact under concurrency, and refusals keep their order.
 */
import { describe, expect, it } from 'vitest';
import { auditEvent, changedFields } from '../../shared/db/audit.js';
import { dutyRepository } from '../../shared/db/duty-repository.js';
import { UnitInactiveError } from '../../shared/errors.js';
import { CreateExtensionSchema } from '../../shared/schemas/extensions.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { OFFICE, SEED_PHASES, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
interface ErrorBody {
  error: { code: string; message: string };
}

const NOW = new Date('2026-05-16T02:00:00Z');
const NOTE = { note: '已按要求完成。' };

/** A unit and `count` open duties of its own, written through the services (no request budget spent). */
async function unitWithDuties(api: Api, unitId: string, count: number): Promise<string[]> {
  const { services } = api;
  await services.units.create(
    OFFICE,
    CreateUnitSchema.parse({ id: unitId, name: unitId, kind: 'school' }),
    NOW,
  );
  const plan = await services.plans.create(
    OFFICE,
    CreatePlanSchema.parse({ title: `${unitId} 的方案`, phases: SEED_PHASES }),
    NOW,
  );
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const task = await services.plans.createTask(
      OFFICE,
      plan.id,
      CreateTaskSchema.parse({
        title: `任务 ${i + 1}`,
        phaseKey: 'self-check',
        leadUnitId: unitId,
        dueAt: '2026-05-26',
      }),
      NOW,
    );
    ids.push(...task.duties.map((d) => d.id));
  }
  return ids;
}

describe('submit admission', () => {
  it('refuses the write of a unit deactivated after it was let in: 401, duty and history untouched', async () => {
    const api = await testApp({ now: NOW });
    const [dutyId = ''] = await unitWithDuties(api, 'closing-school', 1);
    await api.services.units.deactivate(OFFICE, 'closing-school', NOW);
    // The service alone, as a request already past the front door would reach it.
    await expect(
      api.services.duties.submit(
        unitUser('closing-school'),
        dutyId,
        { ...NOTE, evidence: [], nothingToReport: false },
        NOW,
      ),
    ).rejects.toBeInstanceOf(UnitInactiveError);
    const duty = await api.services.duties.get(OFFICE, dutyId, NOW);
    expect([duty.status, duty.version, duty.submission]).toEqual(['open', 1, null]);
    const history = await api.services.audit.dutyHistory(OFFICE, dutyId, { limit: 100 });
    expect(history.items.map((e) => e.action)).not.toContain('duty.submit');
  });

  it('writes nothing over the budget, and shares it exactly between concurrent submits', async () => {
    const wall = new Date('2026-05-16T02:00:00Z');
    const api = await testApp({ now: NOW, rateLimit: { limit: 5, clock: () => wall } });
    const dutyIds = await unitWithDuties(api, 'busy-school', 12);
    const clerk = unitUser('busy-school');
    const answers = await Promise.all(
      dutyIds.map((id) => api.call('POST', `/v1/duties/${id}/submit`, { as: clerk, body: NOTE })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(5).fill(200), ...Array(7).fill(429)]);
    // Exactly the admitted five were written; every refused duty is still open at version 1.
    const stored = await Promise.all(dutyIds.map((id) => api.services.duties.get(OFFICE, id, NOW)));
    expect(stored.filter((d) => d.status === 'submitted')).toHaveLength(5);
    for (const [i, answer] of answers.entries()) {
      expect(stored[i]?.status).toBe(answer.status === 200 ? 'submitted' : 'open');
    }
  });

  it('answers a refused submit in the usual order: 401, then 429, then its own 404', async () => {
    const wall = new Date('2026-05-16T02:00:00Z');
    const api = await testApp({ now: NOW, rateLimit: { limit: 1, clock: () => wall } });
    await unitWithDuties(api, 'order-school', 1);
    await unitWithDuties(api, 'fresh-school', 0);
    const clerk = unitUser('order-school');

    const missing = await api.call<ErrorBody>('POST', '/v1/duties/no-such-duty/submit', {
      as: unitUser('fresh-school'),
      body: NOTE,
    });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'not_found']);

    expect((await api.call('GET', '/v1/units', { as: clerk })).status).toBe(200);
    const spent = await api.call<ErrorBody>('POST', '/v1/duties/no-such-duty/submit', {
      as: clerk,
      body: NOTE,
    });
    expect([spent.status, spent.body.error.code]).toEqual([429, 'rate_limited']);
    expect(spent.headers.get('retry-after')).toBe('60');
    const badBody = await api.call<ErrorBody>('POST', '/v1/duties/no-such-duty/submit', {
      as: clerk,
      body: { nothing: 1 },
    });
    expect(badBody.status).toBe(429);

    await api.services.units.deactivate(OFFICE, 'order-school', NOW);
    for (const body of [NOTE, { nothing: 1 }]) {
      const gone = await api.call<ErrorBody>('POST', '/v1/duties/no-such-duty/submit', { as: clerk, body });
      expect([gone.status, gone.body.error.code]).toEqual([401, 'unauthorized']);
      expect(gone.body.error.message).toBe(new UnitInactiveError().message);
    }
  });

  it('writes only what it changes: an extension request made between its read and write survives', async () => {
    const api = await testApp({ now: NOW });
    const [dutyId = ''] = await unitWithDuties(api, 'slow-school', 1);
    const clerk = unitUser('slow-school');
    const duties = dutyRepository({ doc: api.doc, tableName: api.table.tableName });
    const read = await duties.get(dutyId);
    if (read === undefined) throw new Error('seeded duty missing');
    // Meanwhile the unit asks for more time: the duty's pendingExtensionId is set, its version is not.
    const request = await api.services.extensions.request(
      clerk,
      dutyId,
      CreateExtensionSchema.parse({
        reason: '等待数据',
        progress: '已完成八成',
        proposedDueAt: '2026-06-10',
      }),
      NOW,
    );
    const next = {
      ...read,
      status: 'submitted' as const,
      submission: {
        note: '已完成',
        evidence: [],
        nothingToReport: false,
        contributions: [],
        submittedAt: NOW.toISOString(),
        submittedBy: clerk.sub,
      },
      updatedAt: NOW.toISOString(),
      version: read.version + 1,
    };
    const audit = auditEvent(
      clerk,
      'duty.submit',
      { type: 'duty', id: dutyId },
      changedFields(read, next),
      NOW,
    );
    const written = await duties.replace(next, { ...read, read }, audit);
    expect(written.ok).toBe(true);
    const stored = await duties.get(dutyId);
    expect([stored?.status, stored?.version, stored?.pendingExtensionId]).toEqual([
      'submitted',
      2,
      request.id,
    ]);
  });

  it('reads the duty once and writes once, lead or co-unit, with the counter alongside', async () => {
    const wall = new Date('2026-05-16T02:00:00Z');
    const api = await testApp({ now: NOW, rateLimit: { limit: 100, clock: () => wall } });
    const [leadDuty = ''] = await unitWithDuties(api, 'lone-school', 1);
    await unitWithDuties(api, 'partner-school', 0);
    const shared = await api.services.plans.createTask(
      OFFICE,
      (await api.services.plans.list(OFFICE, { limit: 1 })).items[0]?.id ?? '',
      CreateTaskSchema.parse({
        title: '联合任务',
        phaseKey: 'self-check',
        leadUnitId: 'partner-school',
        coUnitIds: ['lone-school'],
        dueAt: '2026-05-26',
      }),
      NOW,
    );
    const coDuty = shared.duties.find((d) => d.unitId === 'lone-school')?.id ?? '';
    const calls: string[] = [];
    api.doc.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    for (const id of [leadDuty, coDuty]) {
      calls.length = 0;
      const res = await api.call('POST', `/v1/duties/${id}/submit`, {
        as: unitUser('lone-school'),
        body: NOTE,
      });
      expect(res.status).toBe(200);
      expect(calls.sort()).toEqual(['GetItemCommand', 'TransactWriteItemsCommand', 'UpdateItemCommand']);
    }
  });
});
