/**
 * The sweep's cost against what is due, not what exists, and the old transactional write against
 * the single writes, in one run: `npx tsx test/bench/sweep-bench.ts` (alone) or `npm run bench`.
 * Against an in-memory DynamoDB Local: plan A with 10,000 open duties and plan B with 100,000, each
 * with the same 1,000 due (their next escalation level's time has passed). Each plan is seeded
 * (BatchWriteItem, items in the repositories' shape) just before its sweeps, so B is swept with the
 * table holding both plans. Each plan is swept twice: first with the write as it was before issue 12
 * (one TransactWriteItems per notice, `transactional-level-write.ts`), then, after its due duties
 * are put back as they were seeded but in a new round (so their notices get new ids), with the
 * product's single writes. For each sweep: wall time, per due duty, items read from the sweep
 * index, DynamoDB calls by command, notices written, and peak RSS and heap. Add
 * `node --expose-gc --import tsx test/bench/sweep-bench.ts` for heap figures without the seeding's
 * garbage; `SWEEP_BENCH_DUTIES=10000` sweeps smaller plans while developing. Prints figures only;
 * timing is never asserted. DynamoDB Local is stopped at the end, whatever happens.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { calendarRepository } from '../../shared/db/calendar-repository.js';
import { createDocumentClient, type TableRef } from '../../shared/db/client.js';
import { counterRepository } from '../../shared/db/counter-repository.js';
import { dutyRepository } from '../../shared/db/duty-repository.js';
import { noticeRepository } from '../../shared/db/notice-repository.js';
import { dutyItem, planRepository } from '../../shared/db/plan-repository.js';
import { sweepClaimRepository } from '../../shared/db/sweep-claim-repository.js';
import { INDEX_SWEEP_BY_NEXT_ACTION } from '../../shared/db/table.js';
import { unitRepository } from '../../shared/db/unit-repository.js';
import {
  createWorkingCalendar,
  type WorkingCalendar,
} from '../../shared/domain/calendar/working-calendar.js';
import { newId } from '../../shared/ids.js';
import type { SweepResult } from '../../shared/schemas/notices.js';
import { CreatePlanSchema, type Plan } from '../../shared/schemas/plans.js';
import { type Task, TaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { counterService } from '../../shared/services/counter-service.js';
import { newDuty } from '../../shared/services/duty-factory.js';
import { createServices, type Services } from '../../shared/services/index.js';
import { recurrenceService } from '../../shared/services/recurrence-service.js';
import { type SweepService, sweepService } from '../../shared/services/sweep-service.js';
import { writeAll } from './seed.js';
import { table } from './stats.js';
import { transactionalWriteLevels } from './transactional-level-write.js';

const TABLE_NAME = 'duban-sweep-bench';
/** Villages under one township; every task gives each of them one duty. */
const UNITS = 50;
const DUE = 1_000;
const DEFAULT_SIZES = [
  { label: 'A', duties: 10_000 },
  { label: 'B', duties: 100_000 },
];
/** `SWEEP_BENCH_DUTIES=10000,20000` replaces the plan sizes (multiples of 50, at least 1,000). */
function sizes(): { label: string; duties: number }[] {
  const given = process.env.SWEEP_BENCH_DUTIES;
  if (given === undefined || given === '') return DEFAULT_SIZES;
  return given.split(',').map((n, i) => {
    const duties = Number(n);
    if (!Number.isInteger(duties) || duties < DUE || duties % UNITS !== 0) {
      throw new Error(`SWEEP_BENCH_DUTIES: ${n} is not a multiple of ${UNITS} of at least ${DUE}`);
    }
    return { label: String.fromCharCode(65 + i), duties };
  });
}
/** A small plan swept first and not counted: warms the JIT, the SDK's sockets and the JVM. */
const WARMUP = { duties: 2_000, due: 200 };
const WRITERS = 4;
const SAMPLE_EVERY_MS = 20;
const ITEMS_READ_TARGET = 1.05;
const TIME_RATIO_TARGET = 1.2;
const DUE_SECONDS_TARGET = 3;
/** Per due duty, the single writes must be at least this many times faster than the transactions. */
const SPEEDUP_TARGET = 2;

/** How a sweep writes each level: the old single transaction, or the product's single writes. */
type Way = 'transaction' | 'single writes';

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
  stats: { due: Record<string, unknown>[] },
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
      const item = dutyItem(duty);
      if (duty.nextActionAt !== null && duty.nextActionAt <= NOW.toISOString()) stats.due.push(item);
      yield item;
    }
  }
}

interface Sampled<T> {
  value: T;
  ms: number;
  /** CPU time this process, and the DynamoDB Local engine, spent meanwhile. */
  nodeCpuMs: number;
  engineCpuMs: number;
  peakRss: number;
  peakHeap: number;
  startRss: number;
  startHeap: number;
}

/**
 * CPU time (ms) process `pid` has used so far, from /proc (utime + stime at Linux's 100 ticks a
 * second); NaN where there is no /proc.
 */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** Peak RSS and heap sampled every `SAMPLE_EVERY_MS` while `run` runs, and the CPU both sides used. */
async function sampled<T>(enginePid: number, run: () => Promise<T>): Promise<Sampled<T>> {
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
  const cpu0 = process.cpuUsage();
  const engine0 = processCpuMs(enginePid);
  const t0 = performance.now();
  try {
    const value = await run();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    sample();
    return {
      value,
      ms,
      nodeCpuMs: (cpu.user + cpu.system) / 1000,
      engineCpuMs: processCpuMs(enginePid) - engine0,
      peakRss,
      peakHeap,
      startRss: start.rss,
      startHeap: start.heapUsed,
    };
  } finally {
    clearInterval(timer);
  }
}

interface PlanRun {
  label: string;
  way: Way;
  duties: number;
  due: number;
  ms: number;
  nodeCpuMs: number;
  engineCpuMs: number;
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
  enginePid: number;
  services: Services;
  sweepers: Record<Way, SweepService>;
  villages: readonly string[];
  calendar: WorkingCalendar;
  itemErrors: string[];
  print: (line: string) => void;
}

/** The sweep service on `ref`, writing each level the given way (the rest is the product's). */
function sweeperOn(ref: TableRef, way: Way, onItemError: (err: unknown, itemId: string) => void) {
  const plans = planRepository(ref);
  const product = noticeRepository(ref);
  const notices =
    way === 'transaction' ? { ...product, writeLevels: transactionalWriteLevels(ref) } : product;
  return sweepService({
    plans,
    duties: dutyRepository(ref),
    notices,
    // Both ways claim each page (two writes a page), so only the writing of the levels differs.
    claims: sweepClaimRepository(ref),
    units: unitRepository(ref),
    calendars: calendarRepository(ref),
    recurrences: recurrenceService(plans),
    counters: counterService({ counters: counterRepository(ref), duties: dutyRepository(ref), plans }),
    onItemError,
  });
}

interface Seeded {
  plan: Plan;
  duties: number;
  /** The due duties' items as seeded, to put them back for the second sweep. */
  dueItems: Record<string, unknown>[];
}

/** Seeds one plan of `size.duties` open duties, `size.due` of them due. */
async function seedPlan(ctx: Context, label: string, size: { duties: number; due: number }): Promise<Seeded> {
  const plan = await createPlan(
    ctx.services,
    `基准测试方案 ${label}(${size.duties} 项,其中 ${size.due} 项到期)`,
  );
  const stats = { due: [] as Record<string, unknown>[] };
  const t0 = performance.now();
  const written = await writeAll(
    ctx.real,
    TABLE_NAME,
    dutyItems(plan, ctx.villages, size, ctx.calendar, stats),
  );
  ctx.print(
    `plan ${label} (${plan.id}): seeded ${written} open duties, ${stats.due.length} of them due, ` +
      `with ${WRITERS} BatchWriteItem writers in ${seconds(performance.now() - t0)}`,
  );
  if (written !== size.duties || stats.due.length !== size.due) {
    throw new Error(
      `plan ${label}: seeded ${written} duties (${stats.due.length} due), expected ${size.duties} (${size.due})`,
    );
  }
  return { plan, duties: size.duties, dueItems: stats.due };
}

/**
 * Puts the due duties back as seeded, in round `round`: due again, with a ladder from the start,
 * and notice ids (fixed by duty, round and level) that the earlier sweep has not used.
 */
async function makeDueAgain(ctx: Context, seeded: Seeded, round: number): Promise<void> {
  const items = seeded.dueItems.map((item) => ({ ...item, round }));
  await writeAll(ctx.real, TABLE_NAME, items[Symbol.iterator]());
}

/** Sweeps the seeded plan once, the given way, with the counting client. */
async function sweepPlan(ctx: Context, label: string, seeded: Seeded, way: Way): Promise<PlanRun> {
  // Let DynamoDB Local settle after the burst of writes before measuring.
  await new Promise((r) => setTimeout(r, 1_000));
  const due = seeded.dueItems.length;
  const counter = emptyCounter();
  ctx.counter.current = counter;
  const errorsBefore = ctx.itemErrors.length;
  let run: Sampled<SweepResult>;
  try {
    run = await sampled(ctx.enginePid, () =>
      ctx.sweepers[way].sweep(SWEEPER, { planId: seeded.plan.id }, NOW),
    );
  } finally {
    ctx.counter.current = undefined;
  }
  const result = run.value;
  if (result.failed > 0 || result.examined !== due) {
    throw new Error(
      `plan ${label} (${way}): the sweep examined ${result.examined} duties (expected ${due}) and ` +
        `failed ${result.failed}; first error: ${ctx.itemErrors[errorsBefore] ?? 'none'}`,
    );
  }
  return {
    label,
    way,
    duties: seeded.duties,
    due,
    ms: run.ms,
    nodeCpuMs: run.nodeCpuMs,
    engineCpuMs: run.engineCpuMs,
    result,
    counter,
    peakRss: run.peakRss,
    peakHeap: run.peakHeap,
    startRss: run.startRss,
    startHeap: run.startHeap,
  };
}

/** The old way, then the due duties made due again in round 2, then the single writes. */
async function sweepBothWays(ctx: Context, label: string, seeded: Seeded): Promise<[PlanRun, PlanRun]> {
  const old = await sweepPlan(ctx, label, seeded, 'transaction');
  await makeDueAgain(ctx, seeded, 2);
  const now = await sweepPlan(ctx, label, seeded, 'single writes');
  return [old, now];
}

const callsLine = (counter: CallCounter) =>
  [...counter.calls.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => `${name} ${c.count} (${c.ms.toFixed(0)} ms, ${(c.ms / c.count).toFixed(1)} ms each)`)
    .join(', ');

const totalCalls = (counter: CallCounter) => [...counter.calls.values()].reduce((n, c) => n + c.count, 0);
const perDue = (r: PlanRun) => r.ms / r.due;

/** Starts DynamoDB Local, seeds and sweeps the warm-up plan, A and B, prints the figures, stops it. */
export async function benchSweep(print: (line: string) => void): Promise<PlanRun[]> {
  const plans = sizes();
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
    const onItemError = (err: unknown, itemId: string) => itemErrors.push(`${itemId}: ${String(err)}`);
    const ref = { doc, ...tables };
    const services = createServices(ref, { onSweepItemError: onItemError });
    const villages = await createUnits(services);
    const ctx: Context = {
      real,
      counter,
      enginePid: dynamo.pid,
      services,
      sweepers: {
        transaction: sweeperOn(ref, 'transaction', onItemError),
        'single writes': sweeperOn(ref, 'single writes', onItemError),
      },
      villages,
      calendar: createWorkingCalendar([]),
      itemErrors,
      print,
    };

    const warmPlan = await seedPlan(ctx, 'warm-up', WARMUP);
    const warm = await sweepBothWays(ctx, 'warm-up', warmPlan);
    print(
      `  warm-up sweeps (not counted): ${WARMUP.due} due, ${warm.map((r) => `${r.way} ${seconds(r.ms)}`).join(', ')}`,
    );
    const runs: PlanRun[] = [];
    for (const size of plans) {
      const seeded = await seedPlan(ctx, size.label, { duties: size.duties, due: DUE });
      for (const run of await sweepBothWays(ctx, size.label, seeded)) {
        print(`  sweep ${run.label}, ${run.way}: DynamoDB calls ${callsLine(run.counter)}`);
        runs.push(run);
      }
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
        'write',
        'open duties',
        'due',
        'sweep time',
        'per due duty',
        'Node CPU / due',
        'engine CPU / due',
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
        r.way,
        r.duties.toLocaleString('en'),
        r.due.toLocaleString('en'),
        seconds(r.ms),
        `${perDue(r).toFixed(2)} ms`,
        `${(r.nodeCpuMs / r.due).toFixed(2)} ms`,
        `${(r.engineCpuMs / r.due).toFixed(2)} ms`,
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
  const singles = runs.filter((r) => r.way === 'single writes');
  const readRatios = singles.map((r) => r.counter.sweepIndexItems / r.due);
  print(
    `items read / items due (single writes): ${singles.map((r, i) => `${r.label} ${(readRatios[i] ?? Number.NaN).toFixed(3)}`).join(', ')} ` +
      `(target <= ${ITEMS_READ_TARGET}) -> ${verdict(readRatios.every((x) => x <= ITEMS_READ_TARGET))}`,
  );
  const speedups = singles.map((s) => {
    const old = runs.find((r) => r.label === s.label && r.way === 'transaction');
    return old === undefined ? Number.NaN : perDue(old) / perDue(s);
  });
  print(
    `per due duty, transaction / single writes (same plan, same run): ` +
      `${singles.map((s, i) => `${s.label} ${(speedups[i] ?? Number.NaN).toFixed(2)}x`).join(', ')} ` +
      `(target >= ${SPEEDUP_TARGET}x) -> ${verdict(speedups.every((x) => x >= SPEEDUP_TARGET))}`,
  );
  const cpuRatios = singles.map((s) => {
    const old = runs.find((r) => r.label === s.label && r.way === 'transaction');
    return old === undefined
      ? '?'
      : `${s.label} engine ${(old.engineCpuMs / s.engineCpuMs).toFixed(2)}x, Node ${(old.nodeCpuMs / s.nodeCpuMs).toFixed(2)}x`;
  });
  print(`CPU per due duty, transaction / single writes: ${cpuRatios.join('; ')}`);
  const [small, large] = singles;
  if (small && large) {
    const ratio = large.ms / small.ms;
    print(
      `single writes, time(${large.duties.toLocaleString('en')}) / time(${small.duties.toLocaleString('en')}): ${ratio.toFixed(2)} ` +
        `(target <= ${TIME_RATIO_TARGET}) -> ${verdict(ratio <= TIME_RATIO_TARGET)}`,
    );
    print(
      `peak heap growth ${small.label} ${mib(small.peakHeap - small.startHeap)}, ${large.label} ` +
        `${mib(large.peakHeap - large.startHeap)}; peak RSS growth ${small.label} ${mib(small.peakRss - small.startRss)}, ` +
        `${large.label} ${mib(large.peakRss - large.startRss)}`,
    );
  }
  print(
    `sweep of ${DUE.toLocaleString('en')} due duties under ${DUE_SECONDS_TARGET} s (single writes): ` +
      `${singles.map((r) => `${r.label} ${seconds(r.ms)}`).join(', ')} -> ` +
      `${verdict(singles.every((r) => r.ms < DUE_SECONDS_TARGET * 1000))}`,
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
