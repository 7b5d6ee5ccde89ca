/**
 * 下级任务 at county scale (issue 17): `npx tsx test/bench/below-bench.ts`. A plan of 500 units × 40
 * duties (20,000) in four phases on an in-memory DynamoDB Local, made through the product's own
 * task creation (a task for up to 97 units at a time, counters kept by the product); one township
 * has 40 units below it, 5% of their duties past due, a quarter submitted or accepted. Measured in
 * the same run, alternating, medians:
 *
 * - the baseline: bare Queries of the 40 units' open duties in the plan (D2, the key range the
 *   summary reads for the lights), nothing parsed;
 * - the summary (`GET /v1/units/{unitId}/below/duties`, the 下级任务 page's read): its time, the
 *   items and calls it reads;
 * - for scale: every duty of the 40 units (what a summary without counters would read), and the
 *   plan's whole counter partition (what reading the plan view's counters and keeping 40 would).
 *
 * Prints figures; never asserts a time.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { countsPk } from '../../shared/db/counter-repository.js';
import { unitDutiesPk, unitDutiesSkPrefix } from '../../shared/db/keys.js';
import { INDEX_BY_UNIT } from '../../shared/db/table.js';
import { SubmitDutySchema } from '../../shared/schemas/duties.js';
import { CreateTaskSchema, MAX_CO_UNITS } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { createServices } from '../../shared/services/index.js';
import {
  countQuery,
  countReads,
  countyPlanInput,
  BENCH_OFFICE as OFFICE,
  readCountingClient,
} from './seed.js';
import { alternate, median, ms, table, timed } from './stats.js';

const TABLE_NAME = 'duban-below-bench';
const OTHERS = 459;
const BELOW = 40;
const ROUNDS = 40;
const LATE_ROUNDS = 2;
const SUBMITTED_ROUNDS = 6;
const ACCEPTED_ROUNDS = 4;
const RUNS = 7;
const PHASES = ['mobilize', 'self-check', 'improve', 'consolidate'];

const TOWN: Principal = { sub: 'town-clerk', role: 'unit', unitId: 'town' };
const CREATED = new Date('2026-05-06T01:00:00.000Z');
const NOW = new Date('2026-05-20T02:00:00.000Z');
const DAY_MS = 86_400_000;

export async function benchBelow(print: (line: string) => void): Promise<void> {
  const dynamo = await startDynamoDbLocal();
  const client = createLocalDynamoDbClient(dynamo);
  try {
    const tables = await ensureTables(client, TABLE_NAME);
    const real = createDocumentClient(client);
    const { doc, counter } = readCountingClient(real);
    const services = createServices({ doc, ...tables });
    const t0 = performance.now();
    const below = Array.from({ length: BELOW }, (_, i) => `village-${String(i + 1).padStart(2, '0')}`);
    const others = Array.from({ length: OTHERS }, (_, i) => `other-${String(i + 1).padStart(3, '0')}`);
    const units = [
      { id: 'town', name: '城关镇', kind: 'township' },
      { id: 'other-town', name: '河西乡', kind: 'township' },
      ...below.map((id, i) => ({ id, name: `城关镇第${i + 1}村`, kind: 'village', parentId: 'town' })),
      ...others.map((id, i) => ({ id, name: `河西乡第${i + 1}村`, kind: 'village', parentId: 'other-town' })),
    ];
    // The townships first: a unit's parent must exist when it is created.
    for (const u of units.slice(0, 2))
      await services.units.create(OFFICE, CreateUnitSchema.parse(u), CREATED);
    for (let i = 2; i < units.length; i += 10) {
      await Promise.all(
        units.slice(i, i + 10).map((u) => services.units.create(OFFICE, CreateUnitSchema.parse(u), CREATED)),
      );
    }
    const plan = await services.plans.create(OFFICE, countyPlanInput('县域规模基准'), CREATED);
    // Each round gives every unit one duty: tasks of up to 97 units (a lead and 96 co-units).
    const everyone = units.map((u) => u.id);
    const group = MAX_CO_UNITS + 1;
    const dutyIds = new Map<number, string[]>();
    let duties = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const dueAt = new Date(NOW.getTime() + (r < LATE_ROUNDS ? -(r + 1) : 5 + r) * DAY_MS).toISOString();
      const tasks = [];
      for (let i = 0; i < everyone.length; i += group) {
        const [lead = '', ...co] = everyone.slice(i, i + group);
        tasks.push(
          CreateTaskSchema.parse({
            title: `第${r + 1}项工作`,
            phaseKey: PHASES[r % PHASES.length],
            leadUnitId: lead,
            coUnitIds: co,
            dueAt,
          }),
        );
      }
      const created = await Promise.all(
        tasks.map((t) => services.plans.createTask(OFFICE, plan.id, t, CREATED)),
      );
      const mine = created.flatMap((t) => t.duties).filter((d) => d.unitId.startsWith('village-'));
      duties += created.reduce((n, t) => n + t.duties.length, 0);
      dutyIds.set(
        r,
        mine.map((d) => d.id),
      );
    }
    // The township's units: the last rounds submitted, the ones before accepted.
    let changed = 0;
    for (let r = ROUNDS - SUBMITTED_ROUNDS - ACCEPTED_ROUNDS; r < ROUNDS; r++) {
      const accept = r < ROUNDS - SUBMITTED_ROUNDS;
      await Promise.all(
        (dutyIds.get(r) ?? []).map(async (id, i) => {
          const clerk: Principal = { sub: 'clerk', role: 'unit', unitId: below[i] ?? '' };
          await services.duties.submit(clerk, id, SubmitDutySchema.parse({ note: '已完成' }), CREATED);
          if (accept) await services.duties.accept(OFFICE, id, {}, CREATED);
          changed++;
        }),
      );
    }
    print(
      `seeded ${units.length} units, ${duties.toLocaleString('en')} duties (${BELOW} units below the township, ` +
        `${(BELOW * ROUNDS).toLocaleString('en')} of their duties, ${changed} submitted or accepted) through the ` +
        `product's task creation, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const count = (pk: string, prefix: string, index?: string) =>
      countQuery(real, {
        TableName: tables.tableName,
        ...(index === undefined
          ? { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } }
          : {
              IndexName: index,
              KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :prefix)',
              ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
            }),
      });
    const perUnit = async (status?: 'open') =>
      (
        await Promise.all(
          below.map((u) => count(unitDutiesPk(u), unitDutiesSkPrefix(plan.id, status), INDEX_BY_UNIT.name)),
        )
      ).reduce((a, b) => a + b, 0);
    const bare = () => perUnit('open');
    const summary = async () => {
      const {
        value: s,
        items,
        calls,
      } = await countReads(counter, () => services.below.summary(TOWN, 'town', plan.id, NOW));
      return { s, items, calls };
    };

    const {
      baselineMs: bareMs,
      measuredMs: summaryMs,
      baseline: bareItems,
      measured: shown,
    } = await alternate(RUNS, bare, summary);
    const everyDuty = await timed(() => perUnit());
    const allCells = await timed(() => count(countsPk(plan.id), ''));
    const all = shown.s.all;
    print(
      table(
        ['read', 'median', 'items read', 'note'],
        [
          [
            `bare Queries of the ${BELOW} units' open duties (baseline)`,
            ms(median(bareMs)),
            bareItems.toLocaleString('en'),
            `${BELOW} Queries, ${RUNS} runs`,
          ],
          [
            '下级任务 summary (units below, counters, open duties, plan, calendar)',
            ms(median(summaryMs)),
            shown.items.toLocaleString('en'),
            `${shown.calls} calls; ${shown.s.source.cells} counter items, ${shown.s.source.openDuties} open duties`,
          ],
          [
            `for scale: every duty of the ${BELOW} units`,
            ms(everyDuty.ms),
            everyDuty.value.toLocaleString('en'),
            '1 run',
          ],
          [
            "for scale: the plan's whole counter partition",
            ms(allCells.ms),
            allCells.value.toLocaleString('en'),
            '1 run',
          ],
        ],
      ),
    );
    print(
      `summary: ${all.counts.total.toLocaleString('en')} duties of the units below (${all.counts.accepted} accepted, ` +
        `${all.counts.submitted} submitted, ${all.counts.open} open, ${all.counts.overdue} overdue); lights ` +
        `red ${all.lights.red}, yellow ${all.lights.yellow}, blue ${all.lights.blue}, green ${all.lights.green}`,
    );
    print(
      `time ${(median(summaryMs) / median(bareMs)).toFixed(2)} × the baseline; items read ` +
        `${(shown.items / Math.max(bareItems, 1)).toFixed(2)} × the baseline's, ` +
        `${((100 * shown.items) / Math.max(everyDuty.value, 1)).toFixed(0)}% of every duty of the units below`,
    );
    if (all.counts.total !== BELOW * ROUNDS)
      throw new Error(`the summary counted ${all.counts.total} duties, ${BELOW * ROUNDS} were made`);
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchBelow((line) => console.log(line));
}
