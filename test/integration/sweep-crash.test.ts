/**
 * The sweep writes each notice with single idempotent writes in a crash-safe order (notice, then its
 * inbox entries and audit event, then the duty's ladder step): these tests stop a sweep right after
 * one of those writes landed, on the real DynamoDB Local, and check that a later sweep finishes
 * the work with exactly one notice and one audit event each — also when the duty is submitted in
 * between, and when eight sweeps run at once.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/db/client.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Notice, SweepResult } from '../../shared/schemas/notices.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { createServices } from '../../shared/services/index.js';
import { CLAIM_LEASE_MS, escalationEventIdFor } from '../../shared/services/sweep-service.js';
import { OFFICE, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
type TaskWithDuties = Task & { duties: Duty[] };
type Event = { id: string; action: string; businessAt: string; after: Record<string, unknown> };

// Due Friday 2025-09-26 17:00 Shanghai: remind Thu 09-25 17:00, overdue at due, escalate Tue 09-30
// (to the unit, its parent town and the leaders), accountability Fri 10-10.
const DUE = '2025-09-26T17:00:00+08:00';
const AT = {
  created: new Date('2025-09-01T02:00:00Z'),
  remind: new Date('2025-09-25T09:00:00Z'),
  escalate: new Date('2025-09-30T09:00:00Z'),
  accountability: new Date('2025-10-10T09:00:00Z'),
};
const afterLease = (d: Date) => new Date(d.getTime() + CLAIM_LEASE_MS + 60_000);

async function setup(tasks: number, coUnitIds: string[] = []) {
  const api = await testApp({ now: AT.created });
  for (const body of [
    { id: 'town', name: '城关镇', kind: 'township' },
    { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
    { id: 'bureau', name: '县教育体育局', kind: 'bureau' },
  ]) {
    expect((await api.call('POST', '/v1/units', { body })).status).toBe(201);
  }
  const plan = (
    await api.call<Plan>('POST', '/v1/plans', {
      body: { title: '控辍保学', phases: [{ key: 'work', name: '整改阶段', start: '2025-09-01' }] },
    })
  ).body;
  const duties: Duty[] = [];
  for (let i = 0; i < tasks; i++) {
    const res = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
      body: {
        title: `摸排适龄儿童 ${i + 1}`,
        phaseKey: 'work',
        leadUnitId: 'village',
        coUnitIds,
        dueAt: DUE,
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    duties.push(...res.body.duties);
  }
  return { api, plan, duties };
}

/**
 * The app's services on a client that dies right after `crashesAfter` picks a command: that one
 * still reaches the table (as the last write of a Lambda killed by its timeout can), its caller
 * and every command after it get an error.
 */
function crashingServices(api: Api, crashesAfter: (command: unknown) => boolean) {
  const real = createDocumentClient(api.table.client);
  let dead = false;
  const dying = Object.create(real) as typeof real;
  dying.send = (async (command: unknown) => {
    if (dead) throw new Error('killed');
    if (crashesAfter(command)) {
      dead = true;
      await real.send(command as Parameters<typeof real.send>[0]);
      throw new Error('killed');
    }
    return real.send(command as Parameters<typeof real.send>[0]);
  }) as typeof real.send;
  const lost: string[] = [];
  const services = createServices(
    { doc: dying, tableName: api.table.tableName },
    { onSweepItemError: (_err, id) => lost.push(id) },
  );
  return { services, lost, wasKilled: () => dead };
}

const isNoticePut = (c: unknown) => c instanceof PutCommand && c.input.Item?.entity === 'Notice';
const isAuditPut = (c: unknown) => c instanceof PutCommand && (c.input.TableName ?? '').endsWith('-audit');

async function sweep(api: Api, now: Date, planId: string) {
  api.setNow(now);
  const res = await api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function noticesOf(api: Api, planId: string): Promise<Notice[]> {
  const res = await api.call<{ items: Notice[]; nextCursor: string | null }>(
    'GET',
    `/v1/notices?planId=${planId}&limit=100`,
  );
  expect(res.body.nextCursor).toBeNull();
  return res.body.items;
}

async function escalations(api: Api, dutyId: string): Promise<Event[]> {
  const res = await api.call<{ items: Event[] }>('GET', `/v1/duties/${dutyId}/history?limit=100`);
  expect(res.status).toBe(200);
  return res.body.items.filter((e) => e.action === 'duty.escalate');
}

async function planEscalations(api: Api, planId: string): Promise<Event[]> {
  const found: Event[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Event[]; nextCursor: string | null } = (
      await api.call<{ items: Event[]; nextCursor: string | null }>(
        'GET',
        `/v1/audit?planId=${planId}&limit=100${cursor ? `&cursor=${cursor}` : ''}`,
      )
    ).body;
    found.push(...page.items.filter((e) => e.action === 'duty.escalate'));
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

async function dutyOf(api: Api, id: string): Promise<Duty> {
  return (await api.call<Duty>('GET', `/v1/duties/${id}`)).body;
}

describe('a sweep that stops half-way', () => {
  it('is finished by the next sweep after the notice was written: one notice, one event, as stored', async () => {
    const { api, plan, duties } = await setup(1);
    const duty = duties[0] as Duty;
    const crashing = crashingServices(api, isNoticePut);
    const first = await crashing.services.sweeps.sweep(OFFICE, { planId: plan.id }, AT.remind);
    expect(crashing.wasKilled()).toBe(true);
    expect(first).toMatchObject({ examined: 1, written: 0, failed: 1 });
    expect(crashing.lost).toEqual([duty.id]);
    // The notice is stored; its event and the duty's step are not.
    expect(await noticesOf(api, plan.id)).toHaveLength(1);
    expect(await escalations(api, duty.id)).toEqual([]);
    expect(await dutyOf(api, duty.id)).toMatchObject({
      nextLevelIndex: 0,
      nextActionAt: AT.remind.toISOString(),
    });

    // Minutes later (the stopped sweep's lease still runs) the duty is still due: the sweep
    // rebuilds the same notice id, finds it, and finishes it as stored (its time, not the rerun's).
    const later = new Date(AT.remind.getTime() + 5 * 60_000);
    expect(await sweep(api, later, plan.id)).toMatchObject({
      examined: 1,
      written: 0,
      alreadyWritten: 1,
      failed: 0,
    });
    const [notice, ...others] = await noticesOf(api, plan.id);
    expect(others).toEqual([]);
    expect(notice).toMatchObject({ level: 'remind', createdAt: AT.remind.toISOString() });
    const events = await escalations(api, duty.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: escalationEventIdFor(notice?.id ?? ''),
      businessAt: AT.remind.toISOString(),
      after: { noticeId: notice?.id, lastNoticeLevel: 'remind', recipients: ['unit:village'] },
    });
    expect(await dutyOf(api, duty.id)).toMatchObject({ nextLevelIndex: 1, lastNoticeLevel: 'remind' });
    // The unit sees it in its inbox (the notice item is its entry) and acknowledges it.
    const inbox = await api.call<{ items: Notice[] }>('GET', '/v1/notices', { as: unitUser('village') });
    expect(inbox.body.items.map((n) => n.id)).toEqual([notice?.id]);
    const ack = await api.call<Notice>('POST', `/v1/notices/${notice?.id}/ack`, { as: unitUser('village') });
    expect(ack.status).toBe(200);
    expect(Object.keys(ack.body.acks)).toEqual(['unit:village']);

    // Once the stopped sweep's lease has run out, its claim is recovered: nothing more is written.
    const recovered = await sweep(api, afterLease(later), plan.id);
    expect(recovered).toMatchObject({ written: 0, failed: 0 });
    expect(await noticesOf(api, plan.id)).toHaveLength(1);
    expect(await escalations(api, duty.id)).toHaveLength(1);
    // …and released: the sweep after that reads no claim.
    expect(await sweep(api, afterLease(afterLease(later)), plan.id)).toMatchObject({ itemsRead: 0 });
  });

  it('is finished by the next sweep after the audit event was written, entries and all', async () => {
    const { api, plan, duties } = await setup(1);
    const duty = duties[0] as Duty;
    // Three levels at once (remind, overdue, escalate): the crash comes after the first event.
    const crashing = crashingServices(api, isAuditPut);
    const first = await crashing.services.sweeps.sweep(OFFICE, { planId: plan.id }, AT.escalate);
    expect(crashing.wasKilled()).toBe(true);
    expect(first.failed).toBe(1);
    expect((await escalations(api, duty.id)).length).toBeGreaterThanOrEqual(1);
    expect((await dutyOf(api, duty.id)).nextLevelIndex).toBe(0);

    const rerun = await sweep(api, AT.escalate, plan.id);
    expect(rerun).toMatchObject({ examined: 1, failed: 0 });
    const notices = await noticesOf(api, plan.id);
    expect(notices.map((n) => n.level).sort()).toEqual(['escalate', 'overdue', 'remind']);
    expect(rerun.written + rerun.alreadyWritten).toBe(3);
    const events = await escalations(api, duty.id);
    expect(events.map((e) => e.after.noticeId).sort()).toEqual(notices.map((n) => n.id).sort());
    expect(events.map((e) => e.id).sort()).toEqual(notices.map((n) => escalationEventIdFor(n.id)).sort());
    // In ladder order in the duty's history, though written in one go.
    expect(events.map((e) => e.after.lastNoticeLevel)).toEqual(['remind', 'overdue', 'escalate']);
    expect(await dutyOf(api, duty.id)).toMatchObject({ nextLevelIndex: 3, lastNoticeLevel: 'escalate' });
    // The escalation reached the parent town's and the leaders' inboxes.
    for (const as of [unitUser('town'), { sub: 'leader-1', role: 'leader' as const }]) {
      const inbox = await api.call<{ items: Notice[] }>(
        'GET',
        as.role === 'unit' ? '/v1/notices' : '/v1/notices?unitId=town',
        { as },
      );
      expect(inbox.body.items.map((n) => n.level)).toEqual(['escalate']);
    }
  });

  it('is finished after its lease even when the duty is submitted in between', async () => {
    const { api, plan, duties } = await setup(1);
    const duty = duties[0] as Duty;
    const crashing = crashingServices(api, isNoticePut);
    await crashing.services.sweeps.sweep(OFFICE, { planId: plan.id }, AT.remind);
    expect(crashing.wasKilled()).toBe(true);
    api.setNow(new Date(AT.remind.getTime() + 60_000));
    const submitted = await api.call<Duty>('POST', `/v1/duties/${duty.id}/submit`, {
      as: unitUser('village'),
      body: { note: '已完成' },
    });
    expect(submitted.status).toBe(200);

    // The duty has left the sweep index; before the lease runs out nothing looks at the notice.
    expect(await sweep(api, new Date(AT.remind.getTime() + 120_000), plan.id)).toMatchObject({
      examined: 0,
      itemsRead: 0,
    });
    expect(await escalations(api, duty.id)).toEqual([]);

    // After it, the claim names the notice: its event is written, the submitted duty kept.
    const recovered = await sweep(api, afterLease(AT.remind), plan.id);
    expect(recovered).toMatchObject({ examined: 0, written: 0, alreadyWritten: 1, failed: 0, itemsRead: 1 });
    const [notice] = await noticesOf(api, plan.id);
    const events = await escalations(api, duty.id);
    expect(events.map((e) => e.after.noticeId)).toEqual([notice?.id]);
    expect(await dutyOf(api, duty.id)).toMatchObject({ status: 'submitted', nextLevelIndex: 0 });
    expect(await sweep(api, afterLease(afterLease(AT.remind)), plan.id)).toMatchObject({ itemsRead: 0 });
  });

  it('has no gaps and no duplicates when it dies after any of its writes', async () => {
    const { api, plan, duties } = await setup(4);
    // Every fourth write (notice, entry, event or ladder step) of the first sweep is its last.
    for (const nth of [3, 7, 11]) {
      const { api: fresh, plan: p, duties: ds } = nth === 3 ? { api, plan, duties } : await setup(4);
      let writes = 0;
      const crashing = crashingServices(
        fresh,
        (c) => (c instanceof PutCommand || c instanceof UpdateCommand) && ++writes === nth,
      );
      const first = await crashing.services.sweeps.sweep(OFFICE, { planId: p.id }, AT.accountability);
      expect(first.failed).toBeGreaterThan(0);
      const rerun = await sweep(fresh, AT.accountability, p.id);
      expect(rerun.failed).toBe(0);
      const notices = await noticesOf(fresh, p.id);
      expect(notices).toHaveLength(ds.length * 4);
      expect(new Set(notices.map((n) => n.id)).size).toBe(notices.length);
      expect(first.written + rerun.written).toBeLessThanOrEqual(notices.length);
      const events = await planEscalations(fresh, p.id);
      expect(events.map((e) => e.after.noticeId).sort()).toEqual(notices.map((n) => n.id).sort());
      for (const d of ds) expect((await dutyOf(fresh, d.id)).nextLevelIndex).toBe(4);
    }
  });
});

describe('eight sweeps at once', () => {
  it('write each notice once and each audit event once, also while recovering a stopped sweep', async () => {
    const { api, plan, duties } = await setup(5, ['bureau']);
    // One sweep dies after its fifth notice; eight more run at once once its lease has run out.
    let notices = 0;
    const crashing = crashingServices(api, (c) => isNoticePut(c) && ++notices === 5);
    await crashing.services.sweeps.sweep(OFFICE, { planId: plan.id }, AT.accountability);
    expect(crashing.wasKilled()).toBe(true);
    const at = afterLease(AT.accountability);
    api.setNow(at);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.call<SweepResult>('POST', '/v1/sweeps', { body: { planId: plan.id } }).then((r) => r.body),
      ),
    );
    expect(results.reduce((n, r) => n + r.failed, 0)).toBe(0);
    const stored = await noticesOf(api, plan.id);
    expect(stored).toHaveLength(duties.length * 4);
    expect(new Set(stored.map((n) => n.id)).size).toBe(stored.length);
    const events = await planEscalations(api, plan.id);
    expect(events).toHaveLength(stored.length);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    expect(events.map((e) => e.after.noticeId).sort()).toEqual(stored.map((n) => n.id).sort());
    for (const d of duties) {
      expect(await dutyOf(api, d.id)).toMatchObject({ nextLevelIndex: 4, nextActionAt: null });
    }
  });
});
