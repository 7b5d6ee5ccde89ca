/**
 * Report generation at scale: `npx tsx test/bench/report-bench.ts` (add `--expose-gc` through
 * `node --expose-gc --import tsx test/bench/report-bench.ts` for heap figures without the seeding's
 * garbage). Against an in-memory DynamoDB Local, two plans of 1,000 units each — 10 and 100 duties
 * per unit (10,000 and 100,000 duties, mixed statuses, with notices) — and for each: the time to
 * generate and store a report, the items read, peak RSS and heap while it runs, and a baseline
 * measured in the same run: a bare paginated Query over the plan's duties with the same
 * projection. The heap of the two sizes side by side shows whether memory stays flat. Prints
 * figures only; timing is never asserted. DynamoDB Local is stopped at the end, whatever happens.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { createDocumentClient } from '../../shared/db/client.js';
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
} from '../../shared/db/report-repository.js';
import { INDEX_BY_PARENT } from '../../shared/db/table.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { DUTY_STATUSES } from '../../shared/domain/duty/duty-status.js';
import { DEFAULT_ESCALATION_POLICY } from '../../shared/domain/escalation/ladder.js';
import { reportCsv } from '../../shared/export/report-csv.js';
import { reportXlsx } from '../../shared/export/report-xlsx.js';
import { type DutyRecord, SubmissionSchema } from '../../shared/schemas/duties.js';
import type { Notice } from '../../shared/schemas/notices.js';
import { type Plan, PlanSchema } from '../../shared/schemas/plans.js';
import { TaskSchema } from '../../shared/schemas/tasks.js';
import { type Unit, UnitSchema } from '../../shared/schemas/units.js';
import { newDuty } from '../../shared/services/duty-factory.js';
import { createServices } from '../../shared/services/index.js';
import { writeAll } from './seed.js';
import { table } from './stats.js';

const TABLE_NAME = 'duban-report-bench';
const UNITS = 1_000;
/** Duties per unit; `REPORT_BENCH_SIZES=100` runs one size. */
const SIZES = (process.env.REPORT_BENCH_SIZES ?? '10,100').split(',').map(Number);
const WRITERS = 8;
const SAMPLE_EVERY_MS = 5;
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

function unitItems(): Record<string, unknown>[] {
  return Array.from({ length: UNITS }, (_, i) => {
    // Parsed, so fields added to the schema later get their defaults.
    const unit: Unit = UnitSchema.parse({
      id: `unit-${String(i).padStart(4, '0')}`,
      name: `${UNIT_NAMES[i % UNIT_NAMES.length] ?? '单位'}${i}`,
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
): { duties: Record<string, unknown>[]; items: Record<string, unknown>[] } {
  const calendar = createWorkingCalendar([]);
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
      } else if (m < 60 && past) {
        const newDueAt = new Date(AS_OF.getTime() + 3 * DAY_MS).toISOString();
        const returnedAt = new Date(dueAt.getTime() + 2 * DAY_MS).toISOString();
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
  return { duties, items };
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

async function benchPlan(
  ctx: { real: DynamoDBDocumentClient; reads: ReadCounter; services: ReturnType<typeof createServices> },
  perUnit: number,
): Promise<string[]> {
  const { real, reads, services } = ctx;
  const plan = planOf(`plan-bench-${perUnit}`, perUnit);
  await writeAllOf(real, [
    { ...planKey(plan.id), ...planDirectoryKeys(plan.id, plan.createdAt), entity: 'Plan', ...plan },
  ]);
  // Made and written 50 units at a time, so the seed is not in memory while the report runs.
  const seed = { duties: 0, notices: 0 };
  const t0 = performance.now();
  for (let from = 0; from < UNITS; from += 50) {
    const chunk = planItems(plan, perUnit, { from, to: Math.min(UNITS, from + 50) });
    await writeAllOf(real, chunk.items);
    seed.duties += chunk.duties.length;
    seed.notices += chunk.items.length - chunk.duties.length;
  }
  print(
    `\nplan ${plan.id}: seeded ${seed.duties} duties and ${seed.notices} ` +
      `notices (${WRITERS} BatchWriteItem writers) in ${seconds(performance.now() - t0)}`,
  );

  // Baselines before and after the report (DynamoDB Local warms up); the faster of each counts.
  const seq1 = await sampled(() => bareQuery(real, plan.id));
  const par1 = await sampled(() => bareQueryByStatus(real, plan.id));
  reads.reset();
  const create = () =>
    services.reports.create(OFFICE, plan.id, { period: 'week', asOf: AS_OF.toISOString() }, AS_OF);
  const run = await sampled(create);
  const reportReads = { items: reads.items, queries: reads.queries };
  const seq2 = await sampled(() => bareQuery(real, plan.id));
  const par2 = await sampled(() => bareQueryByStatus(real, plan.id));
  const seqMs = Math.min(seq1.ms, seq2.ms);
  const parMs = Math.min(par1.ms, par2.ms);
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

  print(
    `  generate + store ${seconds(run.ms)} (this process's CPU ${seconds(run.cpuMs)}, the rest is DynamoDB Local); read ${reportReads.items} items in ${reportReads.queries} requests; ` +
      `peak RSS ${mib(run.peakRss)}, peak heap ${mib(run.peakHeap)} (+${mib(run.peakHeap - run.startHeap)} over the start, ` +
      `garbage not yet collected included; ${mib(run.retained)} retained after it, the report itself)`,
  );
  print(
    `  baseline, bare Query with the same projection: one range ${seconds(seqMs)} ` +
      `(${seq1.value.items} items, ${seq1.value.pages} pages), the three status ranges at once ${seconds(parMs)}; ` +
      `report / baseline = ${(run.ms / seqMs).toFixed(2)}x (one range), ${(run.ms / parMs).toFixed(2)}x (same reads)`,
  );
  print(
    `  ${report.summary.units} units, ${report.summary.duties} duties, ${report.overdue.total} overdue ` +
      `(${report.overdue.items.length} stored), ${report.source.notices} notices counted; stored as ` +
      `${storage?.parts ?? '?'} part(s), ${((storage?.storedBytes ?? 0) / 1024).toFixed(0)} KiB gzip of ` +
      `${((storage?.bytes ?? 0) / 1024).toFixed(0)} KiB JSON`,
  );
  print(
    `  asked again: the stored report in ${again.ms.toFixed(0)} ms (${againReads} items read); CSV ` +
      `${csv.ms.toFixed(0)} ms (${(Buffer.byteLength(csv.value) / 1024).toFixed(0)} KiB); xlsx ${xlsx.ms.toFixed(0)} ms ` +
      `(${(xlsx.value.byteLength / 1024).toFixed(0)} KiB, peak heap ${mib(xlsx.peakHeap)})`,
  );
  return [
    `${UNITS} x ${perUnit}`,
    String(seed.duties),
    seconds(run.ms),
    String(reportReads.items),
    seconds(seqMs),
    `${(run.ms / seqMs).toFixed(2)}x`,
    mib(run.peakRss),
    `+${mib(run.peakHeap - run.startHeap)}`,
  ];
}

async function main() {
  const [load1 = 0] = loadavg();
  print(
    `node ${process.version}, ${availableParallelism()} CPUs, load average (1 min) at start ${load1.toFixed(2)}; ` +
      `heap figures ${globalThis.gc ? 'after a forced GC' : 'without --expose-gc (they include earlier garbage)'}`,
  );
  const dynamo = await startDynamoDbLocal({});
  try {
    const client = createLocalDynamoDbClient(dynamo);
    await ensureTable(client, TABLE_NAME);
    const real = createDocumentClient(client);
    const { doc, reads } = countingClient(real);
    const services = createServices({ doc, tableName: TABLE_NAME });

    const t0 = performance.now();
    await writeAllOf(real, unitItems());
    print(`seeded ${UNITS} units in ${seconds(performance.now() - t0)}`);

    const rows: string[][] = [];
    for (const perUnit of SIZES) rows.push(await benchPlan({ real, reads, services }, perUnit));
    print('');
    print(
      table(
        [
          'plan',
          'duties',
          'generate + store',
          'items read',
          'baseline',
          'ratio',
          'peak RSS',
          'peak heap growth',
        ],
        rows,
      ),
    );
    const [l1 = 0] = loadavg();
    print(
      `\ntarget: under ${TARGET_SECONDS} s for 100,000 duties, memory flat (compare the heap growth of the ` +
        'sizes); items read = duties + notices up to the cut-off + units + the existing-report check. ' +
        `Load average (1 min) at the end ${l1.toFixed(2)}.`,
    );
  } finally {
    await dynamo.stop();
  }
}

await main();
