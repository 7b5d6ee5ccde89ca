import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { planItem } from '../../shared/db/plan-repository.js';
import { SubmitDutySchema } from '../../shared/schemas/duties.js';
import { CreateExtensionSchema } from '../../shared/schemas/extensions.js';
import { CreateFindingSchema } from '../../shared/schemas/findings.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2025-09-01T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };
const unit = (unitId: string): Principal => ({ sub: `clerk-${unitId}`, role: 'unit', unitId });

type Web = Awaited<ReturnType<typeof webApp>>;
type Counts = Record<string, number>;

/**
 * Counts every command the app sends to DynamoDB Local, by name, with a middleware on the real
 * client: what a page costs is measured on the engine, not guessed from the code.
 */
function callCounter(client: DynamoDBClient) {
  let calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countPageCalls' },
  );
  return {
    async during(run: () => Promise<void>): Promise<Counts> {
      calls = [];
      await run();
      const counts: Counts = { total: calls.length };
      for (const name of calls) counts[name] = (counts[name] ?? 0) + 1;
      return counts;
    },
  };
}

/**
 * What each page costs in DynamoDB calls must not grow with the number of plans, findings,
 * extension requests or submissions it shows (within one batch of 100): the same pages are read in
 * a small world and again after it grew four-fold, and must send exactly the same calls.
 */
describe('pages read in batches: their DynamoDB calls do not grow with plans or duties', () => {
  let web: Web;
  let counter: ReturnType<typeof callCounter>;
  /** The plan whose pages are read; the others only add duties across plans. */
  let planId = '';
  /** A submission in the measured plan, waiting for the township's confirmation. */
  let dutyId = '';
  const measured = new Map<string, Counts[]>();

  async function addPlan(n: number) {
    const plan = await web.services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: `第${n}号工作方案`,
        phases: [{ key: 'self-check', name: '自查补短', start: '2025-08-25', end: '2025-09-30' }],
      }),
      NOW,
    );
    if (planId === '') planId = plan.id;
    // Across plans: one submission waiting for the township, one open duty for the village.
    const waiting = await submitted(plan.id, n);
    if (dutyId === '') dutyId = waiting;
    await villageTask(plan.id, `第${n}号方案待办`);
  }

  async function villageTask(inPlan: string, title: string, signOffLevels = 0) {
    const task = await web.services.plans.createTask(
      OFFICE,
      inPlan,
      CreateTaskSchema.parse({
        title,
        phaseKey: 'self-check',
        leadUnitId: 'village',
        dueAt: '2025-09-20',
        signOffLevels,
      }),
      NOW,
    );
    return task.duties[0]?.id ?? '';
  }

  async function submitted(inPlan: string, n: number) {
    const id = await villageTask(inPlan, `第${n}项摸排(需乡镇确认)`, 1);
    await web.services.duties.submit(unit('village'), id, SubmitDutySchema.parse({ note: '已摸排' }), NOW);
    return id;
  }

  /** In the measured plan: `n` more findings (two units each), extension requests and submissions. */
  async function addToMeasuredPlan(n: number, from: number) {
    for (let i = from; i < from + n; i++) {
      await web.services.supervision.createFinding(
        OFFICE,
        planId,
        CreateFindingSchema.parse({
          title: `第${i}个督查问题`,
          detail: '花名册与学籍系统不一致',
          unitIds: ['village', 'school'],
          dueAt: '2025-09-25',
          source: 'county-check',
        }),
        NOW,
      );
      const open = await villageTask(planId, `第${i}项需延期的任务`);
      await web.services.extensions.request(
        unit('village'),
        open,
        CreateExtensionSchema.parse({
          reason: '等待户籍数据',
          progress: '已完成八成',
          proposedDueAt: '2025-09-26',
        }),
        NOW,
      );
      await submitted(planId, 100 + i);
    }
  }

  const pages = [
    { who: 'office', path: () => `/plans/${planId}/findings` },
    { who: 'office', path: () => `/plans/${planId}/extensions` },
    { who: 'office', path: () => `/plans/${planId}/review` },
    { who: 'office', path: () => `/duties/${dutyId}` },
    { who: 'unit:village', path: () => '/my' },
    { who: 'unit:town', path: () => '/review' },
    { who: 'unit:town', path: () => `/duties/${dutyId}` },
  ];

  async function measureAll(stage: string) {
    for (const page of pages) {
      const browser = web.browser();
      await browser.signIn(page.who);
      const path = page.path();
      let status = 0;
      const counts = await counter.during(async () => {
        status = (await browser.get(path)).status;
      });
      expect(status, `${page.who} ${path} (${stage})`).toBe(200);
      const key = `${page.who} ${path.replace(planId, '{plan}').replace(dutyId, '{duty}')}`;
      measured.set(key, [...(measured.get(key) ?? []), counts]);
    }
  }

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    counter = callCounter(web.client);
    for (const body of [
      { id: 'town', name: '城关镇', kind: 'township' },
      { id: 'village', name: '东街村', kind: 'village', parentId: 'town' },
      { id: 'school', name: '城关小学', kind: 'school', parentId: 'town' },
    ]) {
      await web.services.units.create(OFFICE, CreateUnitSchema.parse(body), NOW);
    }
    for (let n = 1; n <= 2; n++) await addPlan(n);
    await addToMeasuredPlan(2, 1);
    await measureAll('2 plans, 2 of each');
    for (let n = 3; n <= 8; n++) await addPlan(n);
    await addToMeasuredPlan(6, 3);
    await measureAll('8 plans, 8 of each');
  }, 120_000);

  afterAll(() => {
    // DUBAN_PRINT_READS=1 prints the figures (the README's before/after table comes from it).
    if (process.env.DUBAN_PRINT_READS === undefined) return;
    for (const [page, [small, large]] of measured) {
      console.info(`${page}: small ${JSON.stringify(small)} large ${JSON.stringify(large)}`);
    }
  });

  it('sends the same calls for each page after plans, findings, requests and submissions grew', () => {
    expect(measured.size).toBe(pages.length);
    for (const [page, [small, large]] of measured) {
      expect(large, page).toEqual(small);
    }
  });

  it('reads no page one item at a time: a handful of calls each, whatever the data', () => {
    for (const [page, [, large]] of measured) {
      expect(large?.total ?? Number.POSITIVE_INFINITY, page).toBeLessThanOrEqual(12);
    }
  });
});

/** More plans than the pages' plan listing used to hold (1,000) before the one that is opened. */
const NEWER_PLANS = 1000;

/**
 * A page about one plan reads that plan by id: the pages used to search a listing capped at the
 * newest 1,000 plans, so an older plan was "not found". The 1,000 newer plans are written straight
 * to the table in batches of 25 (the same items the repository writes): through the service, one
 * transaction each, they would take most of a minute on DynamoDB Local.
 */
describe('a plan older than the newest 1,000 still opens on every page', () => {
  let web: Web;
  let oldPlanId = '';
  let dutyId = '';

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    await web.services.units.create(
      OFFICE,
      CreateUnitSchema.parse({ id: 'village', name: '东街村', kind: 'village' }),
      NOW,
    );
    const old = await web.services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: '最早的工作方案',
        phases: [{ key: 'self-check', name: '自查补短', start: '2025-08-25', end: '2025-09-30' }],
      }),
      new Date('2024-01-05T10:00:00+08:00'),
    );
    oldPlanId = old.id;
    const task = await web.services.plans.createTask(
      OFFICE,
      old.id,
      CreateTaskSchema.parse({
        title: '老方案里的任务',
        phaseKey: 'self-check',
        leadUnitId: 'village',
        dueAt: '2025-09-20',
      }),
      NOW,
    );
    dutyId = task.duties[0]?.id ?? '';
    const newer = Array.from({ length: NEWER_PLANS }, (_, i) =>
      planItem({
        ...old,
        id: `plan-newer-${String(i).padStart(4, '0')}`,
        title: `较新的方案${i}`,
        createdAt: new Date(Date.parse('2025-01-01T00:00:00Z') + i * 60_000).toISOString(),
      }),
    );
    const { doc, tableName } = web.tableRef;
    for (let at = 0; at < newer.length; at += 25 * 4) {
      await Promise.all(
        [0, 25, 50, 75].map(async (offset) => {
          let requests = newer.slice(at + offset, at + offset + 25).map((Item) => ({ PutRequest: { Item } }));
          while (requests.length > 0) {
            const out = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
            requests = (out.UnprocessedItems?.[tableName] ?? []) as typeof requests;
          }
        }),
      );
    }
  }, 120_000);

  it('is past the newest 1,000 in the plan listing', async () => {
    const first = await web.services.plans.list(OFFICE, { limit: NEWER_PLANS });
    expect(first.items).toHaveLength(NEWER_PLANS);
    expect(first.items.map((p) => p.id)).not.toContain(oldPlanId);
  });

  it('opens the overview, task entry, review, extensions, findings and reports of the old plan', async () => {
    const office = web.browser();
    await office.signIn('office');
    for (const path of ['', '/tasks/new', '/review', '/extensions', '/findings', '/reports']) {
      const res = await office.get(`/plans/${oldPlanId}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.html, path).toContain('最早的工作方案');
    }
    const plans = await office.get('/plans');
    expect(plans.html).toContain(`只列出最新的 ${NEWER_PLANS} 个方案`);
  });

  it('shows the old plan’s duty, with its plan, in the unit’s inbox and on the duty page', async () => {
    const clerk = web.browser();
    await clerk.signIn('unit:village');
    const my = await clerk.get('/my');
    expect(my.status).toBe(200);
    expect(my.html).toContain('老方案里的任务');
    expect(my.html).toContain('最早的工作方案');
    const duty = await clerk.get(`/duties/${dutyId}`);
    expect(duty.status).toBe(200);
    expect(duty.html).toContain('老方案里的任务');
  });
});

/**
 * The township's sign-off queue (/review) reads the sign-off index, not each unit below it: with 5
 * villages below or 40 (a bureau over 400 would be the same), it sends the same calls. Every
 * village has a submission waiting for the township; some the township confirmed, waiting for the
 * bureau above it or for the office.
 */
describe('/review sends the same calls however many units are below', () => {
  let web: Web;
  let counter: ReturnType<typeof callCounter>;
  let planId = '';
  const measured: Counts[] = [];
  const shown: number[] = [];

  async function addVillages(from: number, to: number) {
    for (let i = from; i <= to; i++) {
      const id = `village-${i}`;
      await web.services.units.create(
        OFFICE,
        CreateUnitSchema.parse({ id, name: `第${i}村`, kind: 'village', parentId: 'town' }),
        NOW,
      );
      const task = await web.services.plans.createTask(
        OFFICE,
        planId,
        CreateTaskSchema.parse({
          title: `第${i}村入户走访`,
          phaseKey: 'self-check',
          leadUnitId: id,
          dueAt: '2025-09-20',
          // Every third climbs to the bureau; the rest go to the office after the township.
          signOffLevels: i % 3 === 0 ? 2 : 1,
        }),
        NOW,
      );
      const dutyId = task.duties[0]?.id ?? '';
      await web.services.duties.submit(unit(id), dutyId, SubmitDutySchema.parse({ note: '已走访' }), NOW);
      // Every other one the township has confirmed already.
      if (i % 2 === 0) await web.services.duties.confirm(unit('town'), dutyId, { note: '乡镇确认' }, NOW);
    }
  }

  async function measure() {
    const browser = web.browser();
    await browser.signIn('unit:town');
    let html = '';
    const counts = await counter.during(async () => {
      const res = await browser.get('/review');
      expect(res.status).toBe(200);
      html = res.html;
    });
    measured.push(counts);
    shown.push((html.match(/data-duty=/g) ?? []).length);
  }

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    counter = callCounter(web.client);
    for (const body of [
      { id: 'bureau', name: '县教育体育局', kind: 'bureau' },
      { id: 'town', name: '城关镇', kind: 'township', parentId: 'bureau' },
    ]) {
      await web.services.units.create(OFFICE, CreateUnitSchema.parse(body), NOW);
    }
    const plan = await web.services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: '入户走访',
        phases: [{ key: 'self-check', name: '自查补短', start: '2025-08-25', end: '2025-09-30' }],
      }),
      NOW,
    );
    planId = plan.id;
    await addVillages(1, 5);
    await measure();
    await addVillages(6, 40);
    await measure();
  }, 180_000);

  afterAll(() => {
    if (process.env.DUBAN_PRINT_READS === undefined) return;
    console.info(
      `unit:town /review: 5 villages ${JSON.stringify(measured[0])} 40 villages ${JSON.stringify(measured[1])}`,
    );
  });

  it('shows every waiting submission, 5 villages’ and then 40 villages’', () => {
    // Those the township has not confirmed yet (odd-numbered villages) wait on the page.
    expect(shown).toEqual([3, 20]);
  });

  it('sends exactly the same calls for 5 and for 40 villages below', () => {
    expect(measured[1]).toEqual(measured[0]);
    expect(measured[0]?.total ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(12);
  });
});
