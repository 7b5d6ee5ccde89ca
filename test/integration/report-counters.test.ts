/**
 * A report at "now" on a counted plan is computed from the counters (units × phases items, the
 * open duties due by the cut-off, the periodic reports filed before they are due, the findings'
 * duties by id) instead of replaying every duty. Both ways must give the same report: random work
 * — tasks of every kind, weekly zero reports, submits on time and late, returns, accepts,
 * extension requests approved, refused and left pending, sweeps writing notices, findings — is
 * played through the services on a real DynamoDB Local, and at every checkpoint the two ways are
 * computed for the same state and compared whole.
 */
import { describe, expect, it } from 'vitest';
import { counterRepository } from '../../shared/db/counter-repository.js';
import { reportRepository } from '../../shared/db/report-repository.js';
import { unitRepository } from '../../shared/db/unit-repository.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { DEFAULT_SCORING_RULES, resolveScoringRules } from '../../shared/domain/indicator/scoring.js';
import { AppError } from '../../shared/errors.js';
import {
  AcceptDutySchema,
  type Duty,
  ReturnDutySchema,
  SubmitDutySchema,
} from '../../shared/schemas/duties.js';
import { CreateFindingSchema } from '../../shared/schemas/findings.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import type { Report } from '../../shared/schemas/reports.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { reportComputer } from '../../shared/services/report-service.js';
import { LEADER, OFFICE, testApp, unitUser } from '../fixtures/app.js';

const START = new Date('2026-05-08T01:00:00Z');
const UNITS = ['u1', 'u2', 'u3', 'u4'];
const PHASES = [
  { key: 'mobilize', name: '部署发动阶段', start: '2026-05-09', end: '2026-05-20' },
  { key: 'self-check', name: '自查补短阶段', start: '2026-05-21', end: '2026-06-10' },
  { key: 'improve', name: '完善提升阶段', start: '2026-06-11' },
];
const KINDS = ['task', 'task', 'self-check', 'rectification'] as const;
const HOUR_MS = 3_600_000;

/** A small seeded generator (mulberry32), so a failing run can be replayed exactly. */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

/** A refusal (a period not open yet, a co-unit's part, a decided request) changes nothing: skip it. */
async function tried(run: () => Promise<unknown>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (err) {
    if (err instanceof AppError) return false;
    throw err;
  }
}

const localDate = (d: Date, days: number) =>
  new Date(d.getTime() + 8 * HOUR_MS + days * 24 * HOUR_MS).toISOString().slice(0, 10);

describe('a report from the counters', () => {
  it('equals the replay of every duty for the same plan state, through 160 random steps', async () => {
    const api = await testApp({ now: START });
    const { services } = api;
    let now = START;
    const setNow = (d: Date) => {
      now = d;
      api.setNow(d);
    };
    for (const id of UNITS) {
      await services.units.create(
        OFFICE,
        CreateUnitSchema.parse({ id, name: `单位${id}`, kind: 'village' }),
        now,
      );
    }
    const plan = await services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({ title: '迎国检', phases: PHASES }),
      now,
    );
    const ref = { doc: api.doc, tableName: api.table.tableName };
    const computer = reportComputer({
      reports: reportRepository(ref),
      units: unitRepository(ref),
      counters: counterRepository(ref),
    });
    const duties = async (): Promise<Duty[]> => {
      const all: Duty[] = [];
      let cursor: string | null = null;
      do {
        const q: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
        const res = await api.call<{ items: Duty[]; nextCursor: string | null }>(
          'GET',
          `/v1/plans/${plan.id}/duties?limit=100${q}`,
        );
        expect(res.status, res.text).toBe(200);
        all.push(...res.body.items);
        cursor = res.body.nextCursor;
      } while (cursor !== null);
      // The listing's order holds ids, new each run: an order of the test's own keeps the seeded
      // picks the same every run.
      const order = (d: Duty) => `${d.title}|${d.unitId}|${d.occurrenceKey ?? ''}`;
      return all.sort((a, b) => order(a).localeCompare(order(b)));
    };
    // What the run went through, so a pass says something.
    const seen = {
      returns: 0,
      approved: 0,
      refused: 0,
      filedEarly: 0,
      notices: 0,
      reportsDue: 0,
      overdue: 0,
    };
    const compare = async (label: string) => {
      const calendar = createWorkingCalendar([]);
      // Scored too: 量化考评 reads the same per-unit figures, so both ways must score alike.
      const scoring = {
        rules: resolveScoringRules(
          DEFAULT_SCORING_RULES,
          plan.escalation.map((l) => l.level),
          [],
        ),
        indicators: new Map(),
        periods: [],
        note: '',
      };
      const input = { asOf: now, now, calendar, periodStart: localDate(now, -6), scoring };
      const [counted, replayed] = await Promise.all([
        computer.compute(plan, { ...input, method: 'counters' }),
        computer.compute(plan, { ...input, method: 'replay' }),
      ]);
      expect(counted.method, label).toBe('counters');
      expect(replayed.method, label).toBe('replay');
      expect(replayed.built.approximated, label).toBe(0);
      expect(counted.built.content, label).toEqual(replayed.built.content);
      expect(counted.built.noticesRead, label).toBe(replayed.built.noticesRead);
      expect(counted.built.content.scoring?.units.length, label).toBe(counted.built.content.units.length);
      const { totals } = counted.built.content;
      seen.notices = Math.max(seen.notices, counted.built.noticesRead);
      seen.reportsDue = Math.max(seen.reportsDue, totals.reports.due);
      seen.overdue = Math.max(seen.overdue, totals.overdue);
      const all = await duties();
      seen.filedEarly += all.filter(
        (d) => d.kind === 'report' && d.status !== 'open' && d.dueAt > now.toISOString(),
      ).length;
      // The counters' way reads what the clock decides, not every duty.
      expect(counted.built.dutiesRead, label).toBeLessThanOrEqual(all.length);
    };

    const rnd = random(20261207);
    // A weekly zero report for every unit, from the start.
    await services.plans.createTask(
      OFFICE,
      plan.id,
      CreateTaskSchema.parse({
        title: '周报表',
        phaseKey: 'mobilize',
        leadUnitId: 'u1',
        coUnitIds: ['u2', 'u3', 'u4'],
        kind: 'report',
        recurrence: { freq: 'weekly', weekdays: [5], time: '12:00', holidayRule: 'previous-working-day' },
      }),
      now,
    );
    for (let i = 0; i < 160; i++) {
      setNow(new Date(now.getTime() + Math.floor(rnd.next() * 14) * HOUR_MS));
      const roll = rnd.next();
      const all = await duties();
      if (roll < 0.1) {
        const lead = rnd.pick(UNITS);
        await services.plans.createTask(
          OFFICE,
          plan.id,
          CreateTaskSchema.parse({
            title: `任务${i}`,
            phaseKey: rnd.pick(PHASES).key,
            leadUnitId: lead,
            coUnitIds: UNITS.filter((u) => u !== lead && rnd.next() < 0.4),
            kind: rnd.pick(KINDS),
            dueAt: localDate(now, Math.floor(rnd.next() * 12) - 2),
          }),
          now,
        );
      } else if (roll < 0.14) {
        await services.supervision.createFinding(
          OFFICE,
          plan.id,
          CreateFindingSchema.parse({
            title: `督查发现问题${i}`,
            detail: '四不两直暗访发现',
            unitIds: UNITS.filter(() => rnd.next() < 0.5)
              .concat(rnd.pick(UNITS))
              .filter((u, k, a) => a.indexOf(u) === k),
            dueAt: localDate(now, Math.floor(rnd.next() * 8) + 1),
            source: rnd.pick(['unannounced', 'county-check', 'self-check'] as const),
          }),
          now,
        );
      } else if (roll < 0.2) {
        await services.sweeps.sweep(OFFICE, { planId: plan.id }, now);
      } else if (all.length > 0) {
        // An extension is asked for before the deadline: pick among the duties not yet due.
        const notDue = all.filter((d) => d.status === 'open' && d.dueAt > now.toISOString());
        const extend = roll < 0.32 && notDue.length > 0;
        const duty = extend ? rnd.pick(notDue) : rnd.pick(all);
        const as = unitUser(duty.unitId);
        if (extend) {
          await tried(async () => {
            const request = await services.extensions.request(
              as,
              duty.id,
              { reason: '需要协调', progress: '已完成一半', proposedDueAt: localDate(now, 6) },
              now,
            );
            const decide = rnd.next();
            if (decide < 0.5) {
              await services.extensions.approve(OFFICE, duty.id, request.id, {}, now);
              seen.approved++;
            } else if (decide < 0.8) {
              await services.extensions.refuse(LEADER, duty.id, request.id, '时间充足,请按期完成。', now);
              seen.refused++;
            }
          });
        } else if (duty.status === 'open') {
          await tried(() =>
            services.duties.submit(
              as,
              duty.id,
              SubmitDutySchema.parse(duty.kind === 'report' ? { nothingToReport: true } : { note: '已完成' }),
              now,
            ),
          );
        } else if (duty.status === 'submitted') {
          if (rnd.next() < 0.55) {
            await tried(() => services.duties.accept(OFFICE, duty.id, AcceptDutySchema.parse({}), now));
          } else if (
            await tried(() =>
              services.duties.returnForRework(
                OFFICE,
                duty.id,
                ReturnDutySchema.parse({
                  reason: '材料不全',
                  newDueAt: localDate(now, rnd.pick([-1, 2, 5])),
                }),
                now,
              ),
            )
          ) {
            seen.returns++;
          }
        }
      }
      if (i % 20 === 19) await compare(`after step ${i} at ${now.toISOString()}`);
    }
    await services.sweeps.sweep(OFFICE, { planId: plan.id }, now);
    await compare('at the end');
    expect(seen.returns).toBeGreaterThan(0);
    expect(seen.approved).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.notices).toBeGreaterThan(0);
    expect(seen.reportsDue).toBeGreaterThan(0);
    expect(seen.overdue).toBeGreaterThan(0);
    expect(seen.filedEarly).toBeGreaterThan(0);
    const all = await duties();
    expect(all.some((d) => d.kind === 'rectification' && d.status === 'accepted')).toBe(true);

    // Through the API: a report at "now" says it came from the counters, an earlier cut-off from the replay.
    const current = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, {
      body: { period: 'week' },
    });
    expect(current.status, current.text).toBe(201);
    expect(current.body.source.method).toBe('counters');
    expect(current.body.source.cells).toBeGreaterThan(0);
    const past = await api.call<Report>('POST', `/v1/plans/${plan.id}/reports`, {
      body: { period: 'month', asOf: new Date(now.getTime() - 20 * 24 * HOUR_MS).toISOString() },
    });
    expect(past.status, past.text).toBe(201);
    expect(past.body.source.method).toBe('replay');
    expect(past.body.source.cells).toBe(0);
  }, 180_000);
});
