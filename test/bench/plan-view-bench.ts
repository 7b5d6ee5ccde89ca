/**
 * The plan view at county scale (issue 12): `npx tsx test/bench/plan-view-bench.ts` or `npm run
 * bench`. One plan of 500 units × 100 duties (50,000) in four phases on an in-memory DynamoDB
 * Local, 2% of them open and past due, one self-check duty per unit. Measured in the same run:
 *
 * - the baseline: a bare Query of the plan's counter items (units × phases);
 * - the plan view (`GET /v1/plans/{id}` and the overview read it): its time and the items it reads;
 * - what the view did before counters: stream every duty of the plan (the recount still does).
 *
 * The duties are seeded as the plan repository stores them; the counters are built from those same
 * duties with the product's own functions and written through its counter repository. Prints
 * figures and targets; never asserts a time.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import { auditEvent } from '../../shared/db/audit.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { counterRepository, countsPk } from '../../shared/db/counter-repository.js';
import { dutyRepository } from '../../shared/db/duty-repository.js';
import { dutyItem } from '../../shared/db/plan-repository.js';
import { unitRepository } from '../../shared/db/unit-repository.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import type { DutyStatus } from '../../shared/domain/duty/duty-status.js';
import { applyDeltas, type CounterDelta, contributionOf } from '../../shared/domain/plan/counters.js';
import { newId } from '../../shared/ids.js';
import type { DutyRecord } from '../../shared/schemas/duties.js';
import { TaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { newDuty } from '../../shared/services/duty-factory.js';
import { createServices } from '../../shared/services/index.js';
import {
  countQuery,
  countReads,
  countyPlanInput,
  BENCH_OFFICE as OFFICE,
  readCountingClient,
  writeAll,
} from './seed.js';
import { alternate, median, ms, table, timed } from './stats.js';

const TABLE_NAME = 'duban-plan-view-bench';
const UNITS = 500;
const PER_UNIT = 100;
const PHASES = ['mobilize', 'self-check', 'improve', 'consolidate'];
const OVERDUE_SHARE = 0.02;
const RUNS = 7;
const ITEMS_TARGET = 3;
const TIME_TARGET = 1.5;

const NOW = new Date('2026-05-20T02:00:00.000Z');
const CREATED = new Date('2026-05-06T01:00:00.000Z');
const DAY_MS = 86_400_000;

/** Status of duty `i` of a unit: 2% open and past due, then open, submitted and accepted. */
function shapeOf(i: number): { status: DutyStatus; late: boolean } {
  const r = (i * 37) % 100;
  if (r < OVERDUE_SHARE * 100) return { status: 'open', late: true };
  if (r < 60) return { status: 'open', late: false };
  if (r < 80) return { status: 'submitted', late: false };
  return { status: 'accepted', late: false };
}

export async function benchPlanView(print: (line: string) => void): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  const client = createLocalDynamoDbClient(dynamo);
  try {
    const tables = await ensureTables(client, TABLE_NAME);
    const real = createDocumentClient(client);
    const { doc, counter } = readCountingClient(real);
    const ref = { doc, ...tables };
    const services = createServices(ref);
    const unitIds = Array.from({ length: UNITS }, (_, i) => `unit-${String(i + 1).padStart(3, '0')}`);
    const t0 = performance.now();
    for (let i = 0; i < unitIds.length; i += 10) {
      await Promise.all(
        unitIds
          .slice(i, i + 10)
          .map((id, j) =>
            services.units.create(
              OFFICE,
              CreateUnitSchema.parse({ id, name: `单位 ${i + j + 1}`, kind: 'village' }),
              CREATED,
            ),
          ),
      );
    }
    const calendar = createWorkingCalendar([]);
    /** A plan whose units each get PER_UNIT duties, stored as the repository stores them, with its counters. */
    async function seedPlan(title: string, units: readonly string[]) {
      const plan = await services.plans.create(OFFICE, countyPlanInput(title), CREATED);
      const deltas: CounterDelta[] = [];
      let overdue = 0;
      function* duties(): Generator<Record<string, unknown>> {
        for (const unitId of units) {
          for (let i = 0; i < PER_UNIT; i++) {
            const phaseKey = PHASES[i % PHASES.length] as string;
            const { status, late } = shapeOf(i);
            const kind = i === 1 ? 'self-check' : 'task';
            const dueAt = new Date(NOW.getTime() + (late ? -DAY_MS : (10 + (i % 30)) * DAY_MS)).toISOString();
            const task = TaskSchema.parse({
              id: newId('task', CREATED),
              planId: plan.id,
              title: `基准任务 ${i + 1}`,
              description: '',
              phaseKey,
              leadUnitId: unitId,
              coUnitIds: [],
              dueAt,
              kind,
              createdAt: CREATED.toISOString(),
              createdBy: OFFICE.sub,
            });
            const base = newDuty({
              id: newId('duty', CREATED),
              plan,
              task,
              unitId,
              dueAt,
              occurrenceKey: null,
              now: CREATED,
              calendar,
            });
            const submission =
              status === 'open'
                ? null
                : {
                    note: '已完成',
                    evidence: [],
                    nothingToReport: false,
                    contributions: [],
                    submittedAt: CREATED.toISOString(),
                    submittedBy: `${unitId}-clerk`,
                  };
            const duty: DutyRecord = {
              ...base,
              status,
              submission,
              acceptedAt: status === 'accepted' ? CREATED.toISOString() : null,
            };
            if (late) overdue++;
            deltas.push(contributionOf(duty));
            yield dutyItem(duty);
          }
        }
      }
      const written = await writeAll(real, tables.tableName, duties());
      const cells = [...applyDeltas(new Map(), deltas).values()].map((c) => ({
        unitId: c.unitId,
        phaseKey: c.phaseKey,
        add: Object.fromEntries(Object.entries(c.fields).filter(([, n]) => n !== 0)),
        ...(c.selfCheckDueAt === null ? {} : { selfCheckDueAt: c.selfCheckDueAt }),
        // As a task's creation writes them: the unit's name with its cells.
        unitName: `单位 ${Number(c.unitId.slice('unit-'.length))}`,
      }));
      await counterRepository(ref).add(
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
      return { plan, written, overdue, cells: cells.length };
    }
    const { plan, written, overdue, cells } = await seedPlan('县域规模基准', unitIds);
    print(
      `seeded ${written.toLocaleString('en')} duties (${overdue.toLocaleString('en')} past due), ${UNITS} units × ` +
        `${PHASES.length} phases = ${cells.toLocaleString('en')} counter items, in ${(
          (performance.now() - t0) / 1000
        ).toFixed(1)} s`,
    );

    const small = await seedPlan('十分之一规模', unitIds.slice(0, UNITS / 10));
    const bare = () =>
      countQuery(real, {
        TableName: tables.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': countsPk(plan.id) },
        ConsistentRead: true,
      });
    const streamAll = async () => {
      let items = 0;
      for await (const batch of dutyRepository({ doc: real, ...tables }).tallies(small.plan.id))
        items += batch.length;
      return items;
    };
    const view = async () => {
      const { value: v, items } = await countReads(counter, () => services.plans.view(OFFICE, plan.id, NOW));
      return { total: v.counts.all.total, overdue: v.counts.all.overdue, itemsRead: items };
    };

    // One of each first (JIT, sockets, the engine's caches), then alternating runs.
    const {
      baselineMs: bareMs,
      measuredMs: viewMs,
      baseline: bareItems,
      measured: shown,
    } = await alternate(RUNS, bare, view);
    // Where the view's time goes, each read alone.
    const direct = { doc: real, ...tables };
    const overdueRead = await timed(async () => {
      let n = 0;
      for await (const batch of dutyRepository(direct).overdueTallies(plan.id, NOW.toISOString()))
        n += batch.length;
      return n;
    });
    const cellsRead = await timed(async () => (await counterRepository(direct).read(plan.id)).cells.length);
    const namesRead = await timed(async () => (await unitRepository(direct).getMany(unitIds)).size);
    print(
      `the view's reads, each alone: counter items ${ms(cellsRead.ms)} (${cellsRead.value}), past due ${ms(overdueRead.ms)} ` +
        `(${overdueRead.value}), unit names ${ms(namesRead.ms)} (${namesRead.value})`,
    );
    // Streaming every duty grows faster than the duties on DynamoDB Local (a run at 50,000 took
    // over 10 minutes): the "before" is measured on a tenth of the plan.
    const before = await timed(streamAll);
    const budget = ITEMS_TARGET * bareItems + overdue;
    const ratio = median(viewMs) / median(bareMs);
    print(
      table(
        ['read', 'median', 'items read', 'note'],
        [
          [
            'bare Query of the counter items (baseline)',
            ms(median(bareMs)),
            bareItems.toLocaleString('en'),
            `${RUNS} runs`,
          ],
          [
            'plan view (plan + counters + past due)',
            ms(median(viewMs)),
            shown.itemsRead.toLocaleString('en'),
            `total ${shown.total.toLocaleString('en')}, overdue ${shown.overdue.toLocaleString('en')}`,
          ],
          [
            'before: stream every duty, a plan of 5,000',
            ms(before.ms),
            before.value.toLocaleString('en'),
            '1 run',
          ],
        ],
      ),
    );
    print(
      `items read ${shown.itemsRead.toLocaleString('en')} against the target ≤ 3 × ${bareItems} + ${overdue} = ${budget.toLocaleString('en')}: ${
        shown.itemsRead <= budget ? 'met' : 'MISSED'
      }`,
    );
    print(
      `time ${ratio.toFixed(2)} × the bare Query (target ≤ ${TIME_TARGET}): ${ratio <= TIME_TARGET ? 'met' : 'MISSED'}; ` +
        `the view of 50,000 duties is ${(before.ms / median(viewMs)).toFixed(1)} × faster than streaming 5,000`,
    );
    if (shown.total !== written)
      throw new Error(`the view counted ${shown.total} duties, ${written} were seeded`);
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchPlanView((line) => console.log(line));
}
