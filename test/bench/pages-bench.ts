/**
 * What the server-rendered pages cost as the county grows: `npx tsx test/bench/pages-bench.ts`
 * (alone) or `npm run bench`. Two worlds on one in-memory DynamoDB Local, each in its own table:
 * S (2 plans, 10 villages under one township) and L (10 plans, 40 villages). In each: every plan has
 * a task for all the villages that the township confirms (签字确认), every duty of it submitted; the
 * measured plan has findings naming every village and one pending extension request per village.
 * For each page: the DynamoDB calls of one request by command, and the median wall time of
 * REQUESTS requests through the real app; the ratio is L over S (S is the baseline, measured in the
 * same run). Before the pages read in batches, their calls grew with plans and duties (the
 * figures in the README); now only the BatchGetItems grow, one per 100 items shown. `/review`
 * reads the sign-off index: the same calls with 10 villages below as with 40, its time growing
 * with the submissions it shows (20 in S, 400 in L). Prints figures only; timing is never
 * asserted. DynamoDB Local is stopped at the end.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createApp } from '../../functions/http/app.js';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { hs256Verifier, issueHs256Token } from '../../shared/auth/tokens.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { SubmitDutySchema } from '../../shared/schemas/duties.js';
import { CreateExtensionSchema } from '../../shared/schemas/extensions.js';
import { CreateFindingSchema } from '../../shared/schemas/findings.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { createServices, type Services } from '../../shared/services/index.js';
import { testEvidence } from '../fixtures/evidence.js';
import { median, ms, table } from './stats.js';

const SECRET = 'pages-bench-secret-0123456789-0123456789';
const NOW = new Date('2025-09-01T10:00:00+08:00');
const OFFICE: Principal = { sub: 'bench-office', role: 'office' };
const unit = (unitId: string): Principal => ({ sub: `clerk-${unitId}`, role: 'unit', unitId });
const WORLDS = [
  { label: 'S', plans: 2, villages: 10, findings: 2 },
  { label: 'L', plans: 10, villages: 40, findings: 5 },
] as const;
const REQUESTS = 5;

type World = (typeof WORLDS)[number];

interface PageFigures {
  calls: Map<string, number>;
  ms: number;
}

async function seed(services: Services, world: World) {
  const villages = Array.from({ length: world.villages }, (_, i) => `village-${i}`);
  await services.units.create(
    OFFICE,
    CreateUnitSchema.parse({ id: 'town', name: '城关镇', kind: 'township' }),
    NOW,
  );
  for (const id of villages) {
    await services.units.create(
      OFFICE,
      CreateUnitSchema.parse({ id, name: id, kind: 'village', parentId: 'town' }),
      NOW,
    );
  }
  const [lead, ...co] = villages as [string, ...string[]];
  const task = (planId: string, title: string, signOffLevels: number) =>
    services.plans.createTask(
      OFFICE,
      planId,
      CreateTaskSchema.parse({
        title,
        phaseKey: 'work',
        leadUnitId: lead,
        coUnitIds: co,
        dueAt: '2025-09-20',
        signOffLevels,
      }),
      NOW,
    );
  let measured = '';
  let duty = '';
  for (let n = 0; n < world.plans; n++) {
    const plan = await services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: `方案${n}`,
        phases: [{ key: 'work', name: '整改', start: '2025-08-25' }],
      }),
      NOW,
    );
    measured ||= plan.id;
    // Co-units first: the lead submits for the task only after them.
    const created = await task(plan.id, `方案${n}的摸排`, 1);
    for (const d of [...created.duties.slice(1), ...created.duties.slice(0, 1)]) {
      await services.duties.submit(unit(d.unitId), d.id, SubmitDutySchema.parse({ note: '已摸排' }), NOW);
    }
    duty ||= created.duties[0]?.id ?? '';
  }
  for (let f = 0; f < world.findings; f++) {
    await services.supervision.createFinding(
      OFFICE,
      measured,
      CreateFindingSchema.parse({
        title: `问题${f}`,
        detail: '花名册不一致',
        unitIds: villages,
        dueAt: '2025-09-25',
        source: 'county-check',
      }),
      NOW,
    );
  }
  const open = await task(measured, '需延期的任务', 0);
  for (const d of open.duties) {
    await services.extensions.request(
      unit(d.unitId),
      d.id,
      CreateExtensionSchema.parse({ reason: '等待数据', progress: '八成', proposedDueAt: '2025-09-26' }),
      NOW,
    );
  }
  return { planId: measured, dutyId: duty, village: lead };
}

interface SeededWorld {
  world: World;
  app: ReturnType<typeof createApp>;
  pages: [string, Principal, string][];
  /** Filled with the names of the commands sent while a measured request runs. */
  calls: { current: string[] | undefined };
}

async function seedWorld(
  client: DynamoDBClient,
  world: World,
  print: (line: string) => void,
): Promise<SeededWorld> {
  const tables = await ensureTables(client, `duban-pages-bench-${world.label}`);
  const doc = createDocumentClient(client);
  const services = createServices({ doc, ...tables });
  const evidence = testEvidence({ doc, ...tables }, { clock: () => NOW });
  const app = createApp({
    ...services,
    evidence: evidence.service,
    verifyToken: hs256Verifier(SECRET),
    clock: () => NOW,
    logRequest: () => {},
  });
  const started = performance.now();
  const { planId, dutyId, village } = await seed(services, world);
  print(
    `  world ${world.label}: ${world.plans} plans, ${world.villages} villages seeded in ${ms(performance.now() - started)}`,
  );
  return {
    world,
    app,
    pages: [
      ['findings (office)', OFFICE, `/plans/${planId}/findings`],
      ['extensions (office)', OFFICE, `/plans/${planId}/extensions`],
      ['review queue (office)', OFFICE, `/plans/${planId}/review`],
      ['duty page (township)', unit('town'), `/duties/${dutyId}`],
      ['/my (village)', unit(village), '/my'],
      ['/review (township)', unit('town'), '/review'],
    ],
    calls: { current: undefined },
  };
}

/** One request of a page: its DynamoDB calls by command and its wall time. */
async function request(seeded: SeededWorld, who: Principal, path: string): Promise<PageFigures> {
  const cookie = `duban_session=${await issueHs256Token(SECRET, who)}`;
  const calls: string[] = [];
  seeded.calls.current = calls;
  const t0 = performance.now();
  const res = await seeded.app.request(path, { headers: { cookie } });
  await res.text();
  const elapsed = performance.now() - t0;
  seeded.calls.current = undefined;
  if (res.status !== 200) throw new Error(`${path} in world ${seeded.world.label}: ${res.status}`);
  const counted = new Map<string, number>();
  for (const c of calls) counted.set(c, (counted.get(c) ?? 0) + 1);
  return { calls: counted, ms: elapsed };
}

const callsText = (calls: Map<string, number> | undefined) =>
  calls === undefined
    ? '—'
    : `${[...calls.values()].reduce((a, b) => a + b, 0)} (${[...calls].map(([k, v]) => `${k} ${v}`).join(', ')})`;

/** Starts DynamoDB Local, seeds and measures S and L, prints the figures, stops it. */
export async function benchPages(print: (line: string) => void): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  const client = createLocalDynamoDbClient(dynamo);
  try {
    const worlds: SeededWorld[] = [];
    for (const world of WORLDS) worlds.push(await seedWorld(client, world, print));
    // One client for both tables: each counts into its own list while its request runs.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        for (const w of worlds) w.calls.current?.push(String(context.commandName).replace(/Command$/, ''));
        return next(args);
      },
      { step: 'initialize', name: 'pagesBench' },
    );
    const rows: string[][] = [];
    for (const [i, [name]] of (worlds[0]?.pages ?? []).entries()) {
      // S and L take turns, after one untimed request each, so neither pays the other's warm-up.
      const figures = worlds.map(() => ({ calls: new Map<string, number>(), times: [] as number[] }));
      for (let round = 0; round <= REQUESTS; round++) {
        for (const [w, seeded] of worlds.entries()) {
          const [, who, path] = seeded.pages[i] ?? [];
          if (who === undefined || path === undefined) continue;
          const one = await request(seeded, who, path);
          const into = figures[w];
          if (into === undefined) continue;
          into.calls = one.calls;
          if (round > 0) into.times.push(one.ms);
        }
      }
      const [s, l] = figures.map((f) => ({ calls: f.calls, ms: median(f.times) }));
      rows.push([
        name,
        callsText(s?.calls),
        callsText(l?.calls),
        ms(s?.ms ?? Number.NaN),
        ms(l?.ms ?? Number.NaN),
        `${((l?.ms ?? Number.NaN) / (s?.ms ?? Number.NaN)).toFixed(2)}×`,
      ]);
    }
    print('');
    print(table(['page', 'calls S', 'calls L', 'median S', 'median L', 'L / S'], rows));
  } finally {
    client.destroy();
    await dynamo.stop();
    print(`DynamoDB Local (pid ${dynamo.pid}) stopped`);
  }
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  await benchPages((line) => console.log(line));
}
