/**
 * The sweep's cost against what is due, not what exists: `npx tsx test/bench/sweep-bench.ts`
 * (alone) or `npm run bench`. Against an in-memory DynamoDB Local, in one run: plan A with 10,000
 * open duties and plan B with 100,000, each with the same 1,000 due (their next escalation level's
 * time has passed). Each plan is seeded (BatchWriteItem, items in the repositories' shape) just
 * before its sweep, so B is swept with the table holding both plans. For each sweep: wall time,
 * items read from the sweep index, DynamoDB calls by command, notices written, and peak RSS and
 * heap. Add `node --expose-gc --import tsx test/bench/sweep-bench.ts` for heap figures without the
 * seeding's garbage. Prints figures only; timing is never asserted. DynamoDB Local is stopped at the
 * end, whatever happens.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { dutyItem } from '../../shared/db/plan-repository.js';
import { INDEX_SWEEP_BY_NEXT_ACTION } from '../../shared/db/table.js';
import {
  createWorkingCalendar,
  type WorkingCalendar,
} from '../../shared/domain/calendar/working-calendar.js';
import { newId } from '../../shared/ids.js';
import type { SweepResult } from '../../shared/schemas/notices.js';
import { CreatePlanSchema, type Plan } from '../../shared/schemas/plans.js';
import { type Task, TaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { newDuty } from '../../shared/services/duty-factory.js';
import { createServices, type Services } from '../../shared/services/index.js';
import { table } from './stats.js';

const TABLE_NAME = 'duban-sweep-bench';
/** Villages under one township; every task gives each of them one duty. */
const UNITS = 50;
const DUE = 1_000;
const SIZES = [
  { label: 'A', duties: 10_000 },
  { label: 'B', duties: 100_000 },
] as const;
/** A small plan swept first and not counted: warms the JIT, the SDK's sockets and the JVM. */
const WARMUP = { duties: 2_000, due: 200 };
const WRITERS = 4;
const BATCH = 25;
const SAMPLE_EVERY_MS = 20;
const ITEMS_READ_TARGET = 1.05;
const TIME_RATIO_TARGET = 1.2;
const DUE_SECONDS_TARGET = 3;

const OFFICE: Principal = { sub: 'bench-office', role: 'office' };
const SWEEPER: Principal = { sub: 'bench', role: 'office' };
/** The sweep's `now`: Wednesday 2026-05-20 10:00 in Shanghai, an ordinary working day. */
const NOW = new Date('2026-05-20T02:00:00.000Z');
/** When the plan and its duties were created: two weeks earlier, after the May Day holiday. */
const CREATED = new Date('2026-05-06T01:00:00.000Z');
const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** DynamoDB calls made through the counting client while a sweep runs. */
interface CallCounter {
  /** Items the Queries on the sweep index returned, and how many such Queries (pages). */
  sweepIndexItems: number;
  sweepIndexQueries: number;
  /** Calls by command name, with the time spent in them (summed; the sweep's calls are sequential). */
  calls: Map<string, { count: number; ms: number }>;
}

const emptyCounter = (): CallCounter => ({ sweepIndexItems: 0, sweepIndexQueries: 0, calls: new Map() });

/** A document client whose `send` counts into `counter.current` (nothing while it is undefined). */
function countingClient(real: DynamoDBDocumentClient): {
  doc: DynamoDBDocumentClient;
  counter: { current: CallCounter | undefined };
} {
  const counter: { current: CallCounter | undefined } = { current: undefined };
  const doc = Object.create(real) as DynamoDBDocumentClient;
  doc.send = (async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    const seen = counter.current;
    if (seen === undefined) return real.send(command);
    const t0 = performance.now();
    const out = (await real.send(command)) as Record<string, unknown>;
    const name = command.constructor.name.replace(/Command$/, '');
    const entry = seen.calls.get(name) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += performance.now() - t0;
    seen.calls.set(name, entry);
    if (command instanceof QueryCommand && command.input.IndexName === INDEX_SWEEP_BY_NEXT_ACTION.name) {
      seen.sweepIndexQueries++;
      seen.sweepIndexItems += Array.isArray(out.Items) ? out.Items.length : 0;
    }
    return out;
  }) as DynamoDBDocumentClient['send'];
  return { doc, counter };
}

/** Writes items with BatchWriteItem, `WRITERS` batches in flight, retrying unprocessed items. */
async function writeAll(
  doc: DynamoDBDocumentClient,
  items: Iterator<Record<string, unknown>>,
): Promise<number> {
  let written = 0;
  const nextBatch = () => {
    const batch: Record<string, unknown>[] = [];
    for (let r = items.next(); !r.done; r = items.next()) {
      batch.push(r.value);
      if (batch.length === BATCH) break;
    }
    return batch;
  };
  async function writer() {
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error('BatchWriteItem kept returning unprocessed items');
        if (attempt > 0) await new Promise((r) => setTimeout(r, 20 * attempt));
        const out = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE_NAME]: requests } }));
        requests = (out.UnprocessedItems?.[TABLE_NAME] ?? []).flatMap((r) =>
          r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
        );
      }
      written += batch.length;
    }
  }
  await Promise.all(Array.from({ length: WRITERS }, writer));
  return written;
}

/** A township and its villages, created through the unit service. */
async function createUnits(services: Services): Promise<string[]> {
  const townId = 'bench-town';
  await services.units.create(
    OFFICE,
    CreateUnitSchema.parse({ id: townId, name: '基准测试镇', kind: 'township' }),
    CREATED,
  );
  const ids = Array.from({ length: UNITS }, (_, i) => `bench-village-${String(i + 1).padStart(2, '0')}`);
  for (const [i, id] of ids.entries()) {
    const input = CreateUnitSchema.parse({
      id,
      name: `基准测试村 ${i + 1}`,
      kind: 'village',
      parentId: townId,
    });
    await services.units.create(OFFICE, input, CREATED);
  }
  return ids;
}

/** A real plan, created through the plan service, with the default escalation policy. */
function createPlan(services: Services, title: string): Promise<Plan> {
  const input = CreatePlanSchema.parse({
    title,
    phases: [{ key: 'self-check', name: '自查补短阶段', start: '2026-05-01' }],
  });
  return services.plans.create(OFFICE, input, CREATED);
}

/**
 * Due time of task `t`: the first `dueTasks` tasks fell due within the last few hours (so their
 * reminder and overdue levels have both come), the rest fall due two to six months later.
 */
function dueAtOf(t: number, dueTasks: number): string {
  if (t < dueTasks) return new Date(NOW.getTime() - HOUR_MS - (t % 12) * 10 * MINUTE_MS).toISOString();
  const later = t - dueTasks;
  return new Date(NOW.getTime() + (60 + (later % 120)) * DAY_MS + (later % 8) * HOUR_MS).toISOString();
}

/**
 * Every duty of the plan in the shape the plan repository writes (`dutyItem`), built by `newDuty`
 * as the plan service builds them: one task per `UNITS` duties, one duty per village and task.
 * Lazily, so the seeding holds one batch at a time.
 */
function* dutyItems(
  plan: Plan,
  villages: readonly string[],
  size: { duties: number; due: number },
  calendar: WorkingCalendar,
  stats: { due: number },
): Generator<Record<string, unknown>> {
  const tasks = size.duties / villages.length;
  const dueTasks = size.due / villages.length;
  const [lead = '', ...co] = villages;
  for (let t = 0; t < tasks; t++) {
    const dueAt = dueAtOf(t, dueTasks);
    const task: Task = TaskSchema.parse({
      id: newId('task', CREATED),
      planId: plan.id,
      title: `控辍保学回头看第 ${t + 1} 项`,
      description: '',
      phaseKey: 'self-check',
      leadUnitId: lead,
      coUnitIds: co,
      dueAt,
      createdAt: CREATED.toISOString(),
      createdBy: OFFICE.sub,
    });
    for (const unitId of villages) {
      const duty = newDuty({
        id: newId('duty', CREATED),
        plan,
        task,
        unitId,
        dueAt,
        occurrenceKey: null,
        now: CREATED,
        calendar,
      });
      if (duty.nextActionAt !== null && duty.nextActionAt <= NOW.toISOString()) stats.due++;
      yield dutyItem(duty);
    }
  }
}

interface Sampled<T> {
  value: T;
  ms: number;
  peakRss: number;
  peakHeap: number;
  startRss: number;
  startHeap: number;
}

/** Peak RSS and heap sampled every `SAMPLE_EVERY_MS` while `run` runs. */
async function sampled<T>(run: () => Promise<T>): Promise<Sampled<T>> {
  globalThis.gc?.();
  const start = process.memoryUsage();
  let peakRss = start.rss;
  let peakHeap = start.heapUsed;
  const sample = () => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  };
  const timer = setInterval(sample, SAMPLE_EVERY_MS);
  const t0 = performance.now();
  try {
    const value = await run();
    const ms = performance.now() - t0;
    sample();
    return { value, ms, peakRss, peakHeap, startRss: start.rss, startHeap: start.heapUsed };
  } finally {
    clearInterval(timer);
  }
}

interface PlanRun {
  label: string;
  duties: number;
  due: number;
  ms: number;
  result: SweepResult;
  counter: CallCounter;
  peakRss: number;
  peakHeap: number;
  startRss: number;
  startHeap: number;
}

interface Context {
  real: DynamoDBDocumentClient;
  counter: { current: CallCounter | undefined };
  services: Services;
  villages: readonly string[];
  calendar: WorkingCalendar;
  itemErrors: string[];
  print: (line: string) => void;
}

/** Seeds one plan, then sweeps it once with the counting client. */
async function seedAndSweep(
  ctx: Context,
  label: string,
  size: { duties: number; due: number },
): Promise<PlanRun> {
  const plan = await createPlan(
    ctx.services,
    `基准测试方案 ${label}(${size.duties} 项,其中 ${size.due} 项到期)`,
  );
  const stats = { due: 0 };
  const t0 = performance.now();
  const written = await writeAll(ctx.real, dutyItems(plan, ctx.villages, size, ctx.calendar, stats));
  ctx.print(
    `plan ${label} (${plan.id}): seeded ${written} open duties, ${stats.due} of them due, ` +
      `with ${WRITERS} BatchWriteItem writers in ${seconds(performance.now() - t0)}`,
  );
  if (written !== size.duties || stats.due !== size.due) {
    throw new Error(
      `plan ${label}: seeded ${written} duties (${stats.due} due), expected ${size.duties} (${size.due})`,
    );
  }
  // Let DynamoDB Local settle after the burst of writes before measuring.
  await new Promise((r) => setTimeout(r, 1_000));

  const counter = emptyCounter();
  ctx.counter.current = counter;
  const errorsBefore = ctx.itemErrors.length;
  let run: Sampled<SweepResult>;
  try {
    run = await sampled(() => ctx.services.sweeps.sweep(SWEEPER, { planId: plan.id }, NOW));
  } finally {
    ctx.counter.current = undefined;
  }
  const result = run.value;
  if (result.failed > 0 || result.examined !== size.due) {
    throw new Error(
      `plan ${label}: the sweep examined ${result.examined} duties (expected ${size.due}) and failed ` +
        `${result.failed}; first error: ${ctx.itemErrors[errorsBefore] ?? 'none'}`,
    );
  }
  return {
    label,
    duties: size.duties,
    due: size.due,
    ms: run.ms,
    result,
    counter,
    peakRss: run.peakRss,
    peakHeap: run.peakHeap,
    startRss: run.startRss,
    startHeap: run.startHeap,
  };
}

const callsLine = (counter: CallCounter) =>
  [...counter.calls.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => `${name} ${c.count} (${c.ms.toFixed(0)} ms, ${(c.ms / c.count).toFixed(1)} ms each)`)
    .join(', ');

const totalCalls = (counter: CallCounter) => [...counter.calls.values()].reduce((n, c) => n + c.count, 0);

/** Starts DynamoDB Local, seeds and sweeps the warm-up plan, A and B, prints the figures, stops it. */
export async function benchSweep(print: (line: string) => void): Promise<PlanRun[]> {
  print(
    `DynamoDB Local in memory; now = ${NOW.toISOString()}; ${UNITS} villages; default escalation policy; ` +
      `heap figures ${globalThis.gc ? 'after a forced GC' : 'without --expose-gc (they include earlier garbage)'}`,
  );
  const dynamo = await startDynamoDbLocal();
  const client = createLocalDynamoDbClient(dynamo);
  try {
    const tables = await ensureTables(client, TABLE_NAME);
    const real = createDocumentClient(client);
    const { doc, counter } = countingClient(real);
    const itemErrors: string[] = [];
    const services = createServices(
      { doc, ...tables },
      { onSweepItemError: (err, itemId) => itemErrors.push(`${itemId}: ${String(err)}`) },
    );
    const villages = await createUnits(services);
    const ctx: Context = {
      real,
      counter,
      services,
      villages,
      calendar: createWorkingCalendar([]),
      itemErrors,
      print,
    };

    const warm = await seedAndSweep(ctx, 'warm-up', WARMUP);
    print(
      `  warm-up sweep (not counted): ${warm.due} due in ${seconds(warm.ms)}, ${warm.result.written} notices written`,
    );
    const runs: PlanRun[] = [];
    for (const size of SIZES) {
      const run = await seedAndSweep(ctx, size.label, { duties: size.duties, due: DUE });
      print(`  sweep ${run.label}: DynamoDB calls ${callsLine(run.counter)}`);
      runs.push(run);
    }
    printResult(print, runs);
    return runs;
  } finally {
    client.destroy();
    await dynamo.stop();
    print(`DynamoDB Local (pid ${dynamo.pid}) stopped`);
  }
}

function printResult(print: (line: string) => void, runs: readonly PlanRun[]): void {
  print('');
  print(
    table(
      [
        'plan',
        'open duties',
        'due',
        'sweep time',
        'items read (sweep index)',
        'index pages',
        'notices written',
        'DynamoDB calls',
        'peak RSS',
        'peak heap',
        'heap growth',
      ],
      runs.map((r) => [
        r.label,
        r.duties.toLocaleString('en'),
        r.due.toLocaleString('en'),
        seconds(r.ms),
        String(r.counter.sweepIndexItems),
        String(r.counter.sweepIndexQueries),
        String(r.result.written),
        String(totalCalls(r.counter)),
        mib(r.peakRss),
        mib(r.peakHeap),
        `+${mib(r.peakHeap - r.startHeap)}`,
      ]),
    ),
  );
  print('');
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const readRatios = runs.map((r) => r.counter.sweepIndexItems / r.due);
  print(
    `items read / items due: ${runs.map((r, i) => `${r.label} ${(readRatios[i] ?? Number.NaN).toFixed(3)}`).join(', ')} ` +
      `(target <= ${ITEMS_READ_TARGET}) -> ${verdict(readRatios.every((x) => x <= ITEMS_READ_TARGET))}`,
  );
  const [small, large] = runs;
  if (small && large) {
    const ratio = large.ms / small.ms;
    print(
      `time(${large.duties.toLocaleString('en')}) / time(${small.duties.toLocaleString('en')}): ${ratio.toFixed(2)} ` +
        `(target <= ${TIME_RATIO_TARGET}) -> ${verdict(ratio <= TIME_RATIO_TARGET)}`,
    );
    print(
      `peak heap growth ${small.label} ${mib(small.peakHeap - small.startHeap)}, ${large.label} ` +
        `${mib(large.peakHeap - large.startHeap)}; peak RSS growth ${small.label} ${mib(small.peakRss - small.startRss)}, ` +
        `${large.label} ${mib(large.peakRss - large.startRss)}`,
    );
  }
  print(
    `sweep of ${DUE.toLocaleString('en')} due duties under ${DUE_SECONDS_TARGET} s: ` +
      `${runs.map((r) => `${r.label} ${seconds(r.ms)}`).join(', ')} -> ` +
      `${verdict(runs.every((r) => r.ms < DUE_SECONDS_TARGET * 1000))}`,
  );
  const [load1 = 0] = loadavg();
  print(`load average (1 min) at the end ${load1.toFixed(2)}`);
}

// Run alone: `npx tsx test/bench/sweep-bench.ts`.
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const print = (line: string) => console.log(line);
  const [load1 = 0] = loadavg();
  print(
    `node ${process.version}, ${availableParallelism()} CPUs, load average (1 min) at start ${load1.toFixed(2)}`,
  );
  try {
    await benchSweep(print);
  } catch (error) {
    process.exitCode = 1;
    console.error(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}
