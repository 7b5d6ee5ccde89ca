/**
 * Report generation at scale: `node --expose-gc --import tsx test/bench/report-bench.ts` (heap
 * figures after a forced GC; plain `npx tsx` works too). Against an in-memory DynamoDB Local, plans
 * of 1,000 units with 10 and 50 duties each (`REPORT_BENCH_SIZES=10,100` for other sizes; mixed
 * statuses, returns, weekly reports, notices), counted as the product counts them. For each:
 * - the counters' way (a cut-off at now: counter items, open duties past due, reports filed before
 *   they are due, notices, extension requests, findings) against a bare Query of the plan's counter
 *   items, alternating, medians of 3; and each of its reads alone, to say what bounds it;
 * - the replay (a historical cut-off) against a bare Query of every duty with the same projection;
 * - that both give the same content; peak RSS and heap while each runs (flat or not across sizes);
 * - the whole request (computed, stored, audited), asking again, CSV and xlsx.
 * Prints figures only; timing is never asserted. DynamoDB Local is stopped at the end, whatever happens.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { auditEvent } from '../../shared/db/audit.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { COUNTED_SINCE, counterRepository, countsPk } from '../../shared/db/counter-repository.js';
import {
  noticeDirectoryKeys,
  noticeKey,
  planDirectoryKeys,
  planDutiesPk,
  planDutiesSkPrefix,
  planKey,
  reportHeadKey,
  unitDirectoryKeys,
  unitKey,
} from '../../shared/db/keys.js';
import { dutyItem } from '../../shared/db/plan-repository.js';
import {
  DUTY_FACT_NAMES,
  DUTY_FACT_PROJECTION,
  REPORT_PAGE_LIMIT,
  reportRepository,
} from '../../shared/db/report-repository.js';
import { INDEX_BY_PARENT } from '../../shared/db/table.js';
import { unitRepository } from '../../shared/db/unit-repository.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { DUTY_STATUSES } from '../../shared/domain/duty/duty-status.js';
import { DEFAULT_ESCALATION_POLICY } from '../../shared/domain/escalation/ladder.js';
import {
  applyDeltas,
  type CounterDelta,
  contributionOf,
  type UnitPhaseCounts,
} from '../../shared/domain/plan/counters.js';
import { reportCsv } from '../../shared/export/report-csv.js';
import { reportXlsx } from '../../shared/export/report-xlsx.js';
import { type DutyRecord, SubmissionSchema } from '../../shared/schemas/duties.js';
import type { Notice } from '../../shared/schemas/notices.js';
import { type Plan, PlanSchema } from '../../shared/schemas/plans.js';
import { TaskSchema } from '../../shared/schemas/tasks.js';
import { type Unit, UnitSchema } from '../../shared/schemas/units.js';
import { newDuty } from '../../shared/services/duty-factory.js';
import { createServices } from '../../shared/services/index.js';
import { reportComputer } from '../../shared/services/report-service.js';
import { writeAll } from './seed.js';
import { table } from './stats.js';

const TABLE_NAME = 'duban-report-bench';
const UNITS = 1_000;
/** Duties per unit; `REPORT_BENCH_SIZES=100` runs one size. */
const SIZES = (process.env.REPORT_BENCH_SIZES ?? '10,50').split(',').map(Number);
const WRITERS = 8;
const SAMPLE_EVERY_MS = 5;
/** Alternating runs of the counters' way and its baseline; medians count. */
const RUNS = 3;
const TARGET_SECONDS = 10;
const OFFICE: Principal = { sub: 'bench-office', role: 'office' };
/** The report's cut-off: Friday 2026-05-22 17:00 Shanghai, inside the second phase. */
const AS_OF = new Date('2026-05-22T09:00:00.000Z');
const CREATED = new Date('2026-05-08T02:00:00.000Z');
const DAY_MS = 86_400_000;

const PHASES = [
  { key: 'mobilize', name: '部署发动阶段', start: '2026-05-09', end: '2026-05-13' },
  { key: 'self-check', name: '自查补短阶段', start: '2026-05-14', end: '2026-05-26' },
  { key: 'improve', name: '完善提升阶段', start: '2026-05-27', end: '2026-05-31' },
  { key: 'consolidate', name: '稳固待检阶段', start: '2026-06-01' },
];
const UNIT_NAMES = ['城关镇', '东街村', '西关村', '实验小学', '第一中学', '教育股', '计财股', '石桥乡'];

const print = (line: string) => console.log(line);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A deterministic spread of statuses, so every run measures the same data. */
function mix(i: number): number {
  return (Math.imul(i + 1, 2_654_435_761) >>> 0) % 100;
}

/** Read items per command, counted on the way back from DynamoDB Local. */
interface ReadCounter {
  items: number;
  queries: number;
  reset(): void;
}

function countingClient(real: DynamoDBDocumentClient): { doc: DynamoDBDocumentClient; reads: ReadCounter } {
  const reads: ReadCounter = {
    items: 0,
    queries: 0,
    reset() {
      this.items = 0;
      this.queries = 0;
    },
  };
  const doc = Object.create(real) as DynamoDBDocumentClient;
  doc.send = (async (command: Parameters<DynamoDBDocumentClient['send']>[0]) => {
    const out = (await real.send(command)) as Record<string, unknown>;
    if (command instanceof QueryCommand) {
      reads.queries++;
      reads.items += Array.isArray(out.Items) ? out.Items.length : 0;
    } else if (command instanceof BatchGetCommand) {
      reads.queries++;
      for (const items of Object.values((out.Responses ?? {}) as Record<string, unknown[]>)) {
        reads.items += items.length;
      }
    } else if (command instanceof GetCommand) {
      reads.queries++;
      reads.items += out.Item === undefined ? 0 : 1;
    }
    return out;
  }) as DynamoDBDocumentClient['send'];
  return { doc, reads };
}

/** All of `items`, through the shared batch writer. */
const writeAllOf = (doc: DynamoDBDocumentClient, items: readonly Record<string, unknown>[]) =>
  writeAll(doc, TABLE_NAME, items[Symbol.iterator]());

const unitNameOf = (i: number) => `${UNIT_NAMES[i % UNIT_NAMES.length] ?? '单位'}${i}`;

function unitItems(): Record<string, unknown>[] {
  return Array.from({ length: UNITS }, (_, i) => {
    // Parsed, so fields added to the schema later get their defaults.
    const unit: Unit = UnitSchema.parse({
      id: `unit-${String(i).padStart(4, '0')}`,
      name: unitNameOf(i),
      kind: 'school',
      parentId: null,
      active: true,
      createdAt: CREATED.toISOString(),
      createdBy: OFFICE.sub,
      version: 1,
    });
    return { ...unitKey(unit.id), ...unitDirectoryKeys(unit.id), entity: 'Unit', ...unit };
  });
}

function planOf(id: string, perUnit: number): Plan {
  return PlanSchema.parse({
    id,
    title: `迎国检工作方案(${UNITS} 个单位 × ${perUnit} 项)`,
    timezone: 'Asia/Shanghai',
    phases: PHASES,
    escalation: DEFAULT_ESCALATION_POLICY,
    createdAt: CREATED.toISOString(),
    createdBy: OFFICE.sub,
    version: 1,
  });
}

/** The plan's duties and notices, in the shapes the repositories write. */
function planItems(
  plan: Plan,
  perUnit: number,
  units: { from: number; to: number },
): { duties: Record<string, unknown>[]; items: Record<string, unknown>[]; deltas: CounterDelta[] } {
  const calendar = createWorkingCalendar([]);
  const deltas: CounterDelta[] = [];
  const items: Record<string, unknown>[] = [];
  const duties: Record<string, unknown>[] = [];
  let n = units.from * perUnit;
  for (let u = units.from; u < units.to; u++) {
    const unitId = `unit-${String(u).padStart(4, '0')}`;
    for (let t = 0; t < perUnit; t++) {
      n++;
      const phase = PHASES[t % PHASES.length] ?? PHASES[0];
      const taskId = `task-${plan.id}-${t}`;
      const report = t % 10 === 9;
      // Due times spread over the plan: two weeks before the cut-off to three weeks after.
      const dueAt = new Date(AS_OF.getTime() + ((t % 35) - 14) * DAY_MS + (t % 3) * 3_600_000);
      const base = newDuty({
        id: `duty-${plan.id}-${u}-${t}`,
        plan,
        task: TaskSchema.parse({
          id: taskId,
          planId: plan.id,
          title: report ? '学校周报表' : `重点工作第${t + 1}项:摸排、整改并报送佐证资料`,
          description: '',
          phaseKey: phase?.key ?? 'mobilize',
          leadUnitId: unitId,
          coUnitIds: [],
          dueAt: dueAt.toISOString(),
          recurrence: null,
          kind: report ? 'report' : 'task',
          escalation: null,
          occurrencesUntil: null,
          nextMaterializeAt: null,
          createdAt: CREATED.toISOString(),
          createdBy: OFFICE.sub,
        }),
        unitId,
        dueAt: dueAt.toISOString(),
        occurrenceKey: report ? `2026-W${String(10 + (t % 40)).padStart(2, '0')}` : null,
        now: CREATED,
        calendar,
      });
      const m = mix(n);
      const past = dueAt.getTime() < AS_OF.getTime();
      const submittedAt = new Date(dueAt.getTime() + (m % 2 === 0 ? -DAY_MS : DAY_MS));
      const submission = SubmissionSchema.parse({
        note: '已按要求完成,佐证资料已上传。',
        evidence: [{ title: '佐证资料', ref: `files/${unitId}/${t}.pdf` }],
        nothingToReport: report,
        submittedAt: submittedAt.toISOString(),
        submittedBy: `${unitId}-clerk`,
      });
      let duty: DutyRecord = base;
      if (m < 45 && submittedAt.getTime() < AS_OF.getTime()) {
        const acceptedAt = new Date(Math.min(submittedAt.getTime() + 3_600_000, AS_OF.getTime()));
        duty = {
          ...base,
          status: 'accepted',
          submission,
          acceptedAt: acceptedAt.toISOString(),
          reviews: [
            {
              decision: 'accepted',
              round: 1,
              note: null,
              newDueAt: null,
              at: acceptedAt.toISOString(),
              by: OFFICE.sub,
            },
          ],
          nextActionAt: null,
          version: 3,
        };
      } else if (m < 55 && submittedAt.getTime() < AS_OF.getTime()) {
        duty = { ...base, status: 'submitted', submission, nextActionAt: null, version: 2 };
      } else if (m < 60 && past && submittedAt.getTime() < AS_OF.getTime()) {
        const newDueAt = new Date(AS_OF.getTime() + 3 * DAY_MS).toISOString();
        // Nothing after the cut-off: the bench's "now" is the cut-off, as for a scheduled report.
        const returnedAt = new Date(Math.min(dueAt.getTime() + 2 * DAY_MS, AS_OF.getTime())).toISOString();
        duty = {
          ...base,
          round: 2,
          returns: 1,
          dueAt: newDueAt,
          roundStartedAt: returnedAt,
          submission,
          reviews: [
            { decision: 'returned', round: 1, note: '材料不全', newDueAt, at: returnedAt, by: OFFICE.sub },
          ],
          version: 3,
        };
      }
      const item = dutyItem(duty);
      deltas.push(contributionOf(duty));
      duties.push(item);
      items.push(item);
      if (duty.status === 'open' && past && duty.round === 1) {
        for (const level of m % 3 === 0 ? ['overdue', 'escalate'] : ['overdue']) {
          const createdAt = new Date(dueAt.getTime() + (level === 'overdue' ? 0 : 3 * DAY_MS));
          if (createdAt.getTime() > AS_OF.getTime()) continue;
          const notice: Notice = {
            id: `${duty.id}-r1-${level}`,
            planId: plan.id,
            taskId,
            dutyId: duty.id,
            unitId,
            dutyTitle: duty.title,
            round: 1,
            level,
            levelLabel: level === 'overdue' ? '逾期催办' : '督办',
            offsetWorkingDays: level === 'overdue' ? 0 : 3,
            addressees: level === 'overdue' ? ['unit'] : ['parent', 'leaders'],
            recipients: [`unit:${unitId}`],
            dueAt: duty.dueAt,
            scheduledAt: createdAt.toISOString(),
            createdAt: createdAt.toISOString(),
            workingDaysLate: 0,
            calendarFallback: false,
            acks: {},
          };
          items.push({
            ...noticeKey(notice.id),
            ...noticeDirectoryKeys(plan.id, notice.createdAt, notice.id),
            entity: 'Notice',
            ...notice,
          });
        }
      }
    }
  }
  return { duties, items, deltas };
}

/** Peak RSS and heap sampled while `run` runs. */
async function sampled<T>(run: () => Promise<T>): Promise<{
  value: T;
  ms: number;
  cpuMs: number;
  peakRss: number;
  peakHeap: number;
  startHeap: number;
  /** Heap still used after the run and a forced GC, over the start (with --expose-gc). */
  retained: number;
}> {
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
  const cpu0 = process.cpuUsage();
  try {
    const value = await run();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    sample();
    globalThis.gc?.();
    const retained = process.memoryUsage().heapUsed - start.heapUsed;
    return {
      value,
      ms,
      cpuMs: (cpu.user + cpu.system) / 1000,
      peakRss,
      peakHeap,
      startHeap: start.heapUsed,
      retained,
    };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The baseline: the plan's duties through the same index and projection, nothing done with them;
 * one key range (a status prefix, as the report reads them) or, without `prefix`, the whole partition.
 */
async function bareQuery(
  doc: DynamoDBDocumentClient,
  planId: string,
  prefix?: string,
): Promise<{ items: number; pages: number }> {
  let items = 0;
  let pages = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        IndexName: INDEX_BY_PARENT.name,
        KeyConditionExpression:
          prefix === undefined ? 'gsi2pk = :pk' : 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': planDutiesPk(planId),
          ...(prefix === undefined ? {} : { ':prefix': prefix }),
        },
        ProjectionExpression: DUTY_FACT_PROJECTION,
        ExpressionAttributeNames: DUTY_FACT_NAMES,
        // The report's page size: without a limit DynamoDB Local reads the rest of the range per page.
        Limit: REPORT_PAGE_LIMIT,
        ExclusiveStartKey: startKey,
      }),
    );
    items += out.Items?.length ?? 0;
    pages++;
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return { items, pages };
}

/** The same reads as the report makes: the three status ranges at once. */
async function bareQueryByStatus(doc: DynamoDBDocumentClient, planId: string) {
  const parts = await Promise.all(DUTY_STATUSES.map((s) => bareQuery(doc, planId, planDutiesSkPrefix(s))));
  return { items: parts.reduce((n, p) => n + p.items, 0), pages: parts.reduce((n, p) => n + p.pages, 0) };
}

/** The baseline of the counters' way: a bare Query of the plan's counter items (consistent, as read). */
async function bareCounterQuery(doc: DynamoDBDocumentClient, planId: string): Promise<number> {
  let items = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': countsPk(planId) },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items += out.Items?.length ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items;
}

async function benchPlan(
  ctx: {
    real: DynamoDBDocumentClient;
    /** The same client, counting what it reads. */
    doc: DynamoDBDocumentClient;
    reads: ReadCounter;
    services: ReturnType<typeof createServices>;
    tables: { tableName: string; auditTableName: string };
  },
  perUnit: number,
): Promise<{ replay: string[]; counters: string[] }> {
  const { real, reads, services } = ctx;
  const plan = planOf(`plan-bench-${perUnit}`, perUnit);
  await writeAllOf(real, [
    {
      ...planKey(plan.id),
      ...planDirectoryKeys(plan.id, plan.createdAt),
      entity: 'Plan',
      ...plan,
      // Counted from its creation on, as a plan created through the API is.
      [COUNTED_SINCE]: plan.createdAt,
    },
  ]);
  // Made and written 50 units at a time, so the seed is not in memory while the report runs.
  const seed = { duties: 0, notices: 0 };
  const t0 = performance.now();
  // The counters, made from the same duties with the product's own functions (units × phases cells).
  const counts = new Map<string, UnitPhaseCounts>();
  for (let from = 0; from < UNITS; from += 50) {
    const chunk = planItems(plan, perUnit, { from, to: Math.min(UNITS, from + 50) });
    await writeAllOf(real, chunk.items);
    applyDeltas(counts, chunk.deltas);
    seed.duties += chunk.duties.length;
    seed.notices += chunk.items.length - chunk.duties.length;
  }
  const cells: CounterDelta[] = [...counts.values()].map((c) => ({
    unitId: c.unitId,
    phaseKey: c.phaseKey,
    add: Object.fromEntries(Object.entries(c.fields).filter(([, n]) => n !== 0)),
    // As a task's creation writes them: the unit's name with its cells.
    unitName: unitNameOf(Number(c.unitId.slice('unit-'.length))),
  }));
  await counterRepository({ doc: real, ...ctx.tables }).add(
    plan.id,
    cells,
    auditEvent(
      OFFICE,
      'plan.recount',
      { type: 'plan', id: plan.id, planId: plan.id },
      { before: null, after: {} },
      CREATED,
    ),
  );
  print(
    `\nplan ${plan.id}: seeded ${seed.duties} duties and ${seed.notices} ` +
      `notices (${WRITERS} BatchWriteItem writers) in ${seconds(performance.now() - t0)}`,
  );

  const { doc } = ctx;
  const computer = reportComputer({
    reports: reportRepository({ doc, ...ctx.tables }),
    units: unitRepository({ doc, ...ctx.tables }),
    counters: counterRepository({ doc, ...ctx.tables }),
  });
  const calendar = createWorkingCalendar([]);
  const compute = (method: 'counters' | 'replay') =>
    computer.compute(plan, { asOf: AS_OF, now: AS_OF, calendar, method });
  const counted = async <T>(run: () => Promise<T>) => {
    reads.reset();
    const value = await run();
    return { value, items: reads.items, requests: reads.queries };
  };

  // The counters' way against its bare read, alternating (DynamoDB Local warms up); medians count.
  await bareCounterQuery(real, plan.id);
  await compute('counters');
  const bareMs: number[] = [];
  const countersMs: number[] = [];
  const runCounters = () => sampled(() => counted(() => compute('counters')));
  let countersRun: Awaited<ReturnType<typeof runCounters>> | undefined;
  let bareItems = 0;
  for (let r = 0; r < RUNS; r++) {
    const b = await sampled(() => bareCounterQuery(real, plan.id));
    bareMs.push(b.ms);
    bareItems = b.value;
    const c = await runCounters();
    countersMs.push(c.ms);
    if (
      countersRun === undefined ||
      c.peakHeap - c.startHeap > countersRun.peakHeap - countersRun.startHeap
    ) {
      countersRun = c;
    }
  }
  if (countersRun === undefined) throw new Error('no run');
  const bareMedian = median(bareMs);
  const countersMedian = median(countersMs);
  // Where the counters' way spends its time: each of its reads alone.
  const direct = reportRepository({ doc: real, ...ctx.tables });
  const drain = async (pages: AsyncGenerator<unknown[]>) => {
    let n = 0;
    for await (const page of pages) n += page.length;
    return n;
  };
  const alone = {
    cells: await sampled(
      async () => (await counterRepository({ doc: real, ...ctx.tables }).read(plan.id)).cells.length,
    ),
    pastDue: await sampled(() => drain(direct.pastDueFacts(plan.id, AS_OF.toISOString()))),
    notices: await sampled(() => drain(direct.noticeFacts(plan.id, AS_OF.toISOString()))),
    filedNotDue: await sampled(() => drain(direct.filedNotDueReports(plan.id, AS_OF.toISOString()))),
  };

  // The replay, against the bare Query of every duty with the same projection, before and after.
  const seq1 = await sampled(() => bareQuery(real, plan.id));
  const par1 = await sampled(() => bareQueryByStatus(real, plan.id));
  const replay = await sampled(() => counted(() => compute('replay')));
  const seq2 = await sampled(() => bareQuery(real, plan.id));
  const par2 = await sampled(() => bareQueryByStatus(real, plan.id));
  const seqMs = Math.min(seq1.ms, seq2.ms);
  const parMs = Math.min(par1.ms, par2.ms);
  const same =
    JSON.stringify(replay.value.value.built.content) ===
    JSON.stringify(countersRun.value.value.built.content);

  // The whole request (computed the counters' way, stored, audited), then asked again.
  reads.reset();
  const create = () =>
    services.reports.create(OFFICE, plan.id, { period: 'week', asOf: AS_OF.toISOString() }, AS_OF);
  const run = await sampled(create);
  const reportReads = { items: reads.items, queries: reads.queries };
  reads.reset();
  const again = await sampled(create);
  const againReads = reads.items;
  const head = await real.send(
    new GetCommand({ TableName: TABLE_NAME, Key: reportHeadKey(run.value.report.id) }),
  );
  const storage = head.Item?.storage as { parts: number; bytes: number; storedBytes: number } | undefined;
  const report = run.value.report;
  const csv = await sampled(async () => reportCsv(report));
  const xlsx = await sampled(() => reportXlsx(report));

  const c = countersRun;
  print(
    `  counters' way (compute only), median of ${RUNS}: ${ms(countersMedian)}; read ${c.value.items} items in ${c.value.requests} requests ` +
      `(${bareItems} counter items + past due + reports filed early + notices + extensions + findings + units); ` +
      `peak heap +${mib(c.peakHeap - c.startHeap)}, peak RSS ${mib(c.peakRss)}`,
  );
  print(
    `  baseline, bare Query of the ${bareItems} counter items, median of ${RUNS}: ${ms(bareMedian)}; ` +
      `counters' way / baseline = ${(countersMedian / bareMedian).toFixed(2)}x`,
  );
  print(
    `  its reads, each alone: counter items ${ms(alone.cells.ms)} (${alone.cells.value}), open past due ${ms(alone.pastDue.ms)} ` +
      `(${alone.pastDue.value}), notices ${ms(alone.notices.ms)} (${alone.notices.value}), reports filed early ` +
      `${ms(alone.filedNotDue.ms)} (${alone.filedNotDue.value})`,
  );
  print(
    `  replay (compute only): ${seconds(replay.ms)} (this process's CPU ${seconds(replay.cpuMs)}); read ${replay.value.items} items in ` +
      `${replay.value.requests} requests; peak heap +${mib(replay.peakHeap - replay.startHeap)}, peak RSS ${mib(replay.peakRss)}; ` +
      `same content as the counters' way: ${same ? 'yes' : 'NO'}`,
  );
  print(
    `  baseline, bare Query of every duty with the same projection: one range ${seconds(seqMs)} ` +
      `(${seq1.value.items} items, ${seq1.value.pages} pages), the three status ranges at once ${seconds(parMs)}; ` +
      `replay / baseline = ${(replay.ms / seqMs).toFixed(2)}x (one range), ${(replay.ms / parMs).toFixed(2)}x (same reads)`,
  );
  print(
    `  the request (counters' way, stored, audited): ${seconds(run.ms)}, ${reportReads.items} items read in ${reportReads.queries} requests, ` +
      `source.method ${report.source.method}; ${report.summary.units} units, ${report.summary.duties} duties, ${report.overdue.total} overdue ` +
      `(${report.overdue.items.length} stored), ${report.source.notices} notices counted; stored as ` +
      `${storage?.parts ?? '?'} part(s), ${((storage?.storedBytes ?? 0) / 1024).toFixed(0)} KiB gzip of ` +
      `${((storage?.bytes ?? 0) / 1024).toFixed(0)} KiB JSON`,
  );
  print(
    `  asked again: the stored report in ${again.ms.toFixed(0)} ms (${againReads} items read); CSV ` +
      `${csv.ms.toFixed(0)} ms (${(Buffer.byteLength(csv.value) / 1024).toFixed(0)} KiB); xlsx ${xlsx.ms.toFixed(0)} ms ` +
      `(${(xlsx.value.byteLength / 1024).toFixed(0)} KiB, peak heap ${mib(xlsx.peakHeap)})`,
  );
  return {
    counters: [
      `${UNITS} x ${perUnit}`,
      String(seed.duties),
      ms(countersMedian),
      String(c.value.items),
      ms(bareMedian),
      `${(countersMedian / bareMedian).toFixed(2)}x`,
      mib(c.peakRss),
      `+${mib(c.peakHeap - c.startHeap)}`,
    ],
    replay: [
      `${UNITS} x ${perUnit}`,
      String(seed.duties),
      seconds(replay.ms),
      String(replay.value.items),
      seconds(parMs),
      `${(replay.ms / parMs).toFixed(2)}x`,
      mib(replay.peakRss),
      `+${mib(replay.peakHeap - replay.startHeap)}`,
    ],
  };
}

const ms = (n: number) => `${n.toFixed(0)} ms`;
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main() {
  const [load1 = 0] = loadavg();
  print(
    `node ${process.version}, ${availableParallelism()} CPUs, load average (1 min) at start ${load1.toFixed(2)}; ` +
      `heap figures ${globalThis.gc ? 'after a forced GC' : 'without --expose-gc (they include earlier garbage)'}`,
  );
  const dynamo = await startDynamoDbLocal({});
  try {
    const client = createLocalDynamoDbClient(dynamo);
    // The report's audit event goes to the audit table: both tables, as the local runtime makes them.
    const tables = await ensureTables(client, TABLE_NAME);
    const real = createDocumentClient(client);
    const { doc, reads } = countingClient(real);
    const services = createServices({ doc, ...tables });

    const t0 = performance.now();
    await writeAllOf(real, unitItems());
    print(`seeded ${UNITS} units in ${seconds(performance.now() - t0)}`);

    const rows = { counters: [] as string[][], replay: [] as string[][] };
    for (const perUnit of SIZES) {
      const row = await benchPlan({ real, doc, reads, services, tables }, perUnit);
      rows.counters.push(row.counters);
      rows.replay.push(row.replay);
    }
    const head = [
      'plan',
      'duties',
      'compute',
      'items read',
      'baseline',
      'ratio',
      'peak RSS',
      'peak heap growth',
    ];
    print("\ncounters' way (cut-off at now, counted plan); baseline: a bare Query of the counter items");
    print(table(head, rows.counters));
    print(
      '\nreplay (historical cut-off, or a plan not counted); baseline: a bare Query of every duty, same projection',
    );
    print(table(head, rows.replay));
    const [l1 = 0] = loadavg();
    print(
      `\ntargets: the counters' way at most 2x its bare read, memory flat (compare the heap growth of the sizes); ` +
        `the replay under ${TARGET_SECONDS} s for 100,000 duties. ` +
        `Load average (1 min) at the end ${l1.toFixed(2)}.`,
    );
  } finally {
    await dynamo.stop();
  }
}

await main();
