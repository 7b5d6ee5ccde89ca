/**
 * The county indicator table at scale: `npx tsx test/bench/indicator-bench.ts`. Against an
 * in-memory DynamoDB Local, 400 units (county → 20 townships → 19 villages each) × 12 indicators
 * × 12 monthly periods of figures (every village each month, a tenth of them from a second source
 * too), then for one period: the time to build the table through the service (indicators, the
 * period's figures, the unit tree by BatchGet, roll-up, status, 三一致) and the items it reads,
 * against a baseline measured in the same run: a bare paginated Query of the same period's figure
 * items. Prints figures only; timing is never asserted. DynamoDB Local is stopped at the end.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { figureKey, figuresPk } from '../../shared/db/keys.js';
import { PutIndicatorSchema } from '../../shared/schemas/indicators.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { createServices } from '../../shared/services/index.js';
import { readCountingClient, writeAll } from './seed.js';
import { median, ms, table } from './stats.js';

const TABLE_NAME = 'duban-indicator-bench';
const TOWNSHIPS = 20;
const VILLAGES_PER_TOWNSHIP = 19;
const INDICATORS = 12;
const PERIODS = 12;
const RUNS = 15;
const OFFICE: Principal = { sub: 'bench-office', role: 'office' };
const NOW = new Date('2026-06-10T02:00:00Z');
const print = (line: string) => console.log(line);

async function main() {
  const [load1 = 0] = loadavg();
  print(
    `node ${process.version}, ${availableParallelism()} CPUs, load average (1 min) at start ${load1.toFixed(2)}`,
  );
  const dynamo = await startDynamoDbLocal({});
  try {
    const client = createLocalDynamoDbClient(dynamo);
    await ensureTables(client, TABLE_NAME);
    const real = createDocumentClient(client);
    const { doc, counter } = readCountingClient(real);
    const services = createServices({ doc, tableName: TABLE_NAME });

    const t0 = performance.now();
    const villages: string[] = [];
    await services.units.create(OFFICE, { id: 'county', name: '县教育体育局', kind: 'bureau' }, NOW);
    for (let t = 0; t < TOWNSHIPS; t++) {
      const town = `town-${t}`;
      await services.units.create(
        OFFICE,
        { id: town, name: `第${t + 1}乡镇`, kind: 'township', parentId: 'county' },
        NOW,
      );
      await Promise.all(
        Array.from({ length: VILLAGES_PER_TOWNSHIP }, (_, v) => {
          const id = `v-${t}-${v}`;
          villages.push(id);
          return services.units.create(
            OFFICE,
            { id, name: `第${t + 1}乡${v + 1}村`, kind: 'village', parentId: town },
            NOW,
          );
        }),
      );
    }
    const plan = await services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({
        title: '指标基准',
        phases: [{ key: 'all', name: '全年', start: '2026-01-01', end: '2026-12-31' }],
      }),
      NOW,
    );
    const keys = Array.from({ length: INDICATORS }, (_, i) => `ind-${i}`);
    // Defining the indicators creates the report duties (one per village and month); timed apart.
    const defining = performance.now();
    const definitionTimes: number[] = [];
    for (const [i, key] of keys.entries()) {
      const one = performance.now();
      await services.indicators.put(
        OFFICE,
        plan.id,
        key,
        PutIndicatorSchema.parse({
          name: `指标${i + 1}`,
          measure: 'ratio',
          unitOfMeasure: '%',
          direction: i % 3 === 0 ? 'lte' : 'gte',
          target: i % 3 === 0 ? '1.2' : '98',
          warningBand: '0.5',
          veto: i === INDICATORS - 1,
          period: 'monthly',
          reportingUnitIds: villages,
        }),
        NOW,
      );
      definitionTimes.push(performance.now() - one);
    }
    const reportDuties = (await services.plans.view(OFFICE, plan.id, NOW)).counts.all.total;
    print(
      `defined ${INDICATORS} indicators in ${((performance.now() - defining) / 1000).toFixed(1)} s, ` +
        `creating ${reportDuties} report duties (${villages.length} villages × ${PERIODS} months, not × indicators): ` +
        `the first definition ${ms(definitionTimes[0] ?? 0)}, a later one (nothing to create) median ${ms(median(definitionTimes.slice(1)))}`,
    );
    const periods = Array.from({ length: PERIODS }, (_, m) => `2026-${String(m + 1).padStart(2, '0')}`);
    function* figures() {
      let n = 0;
      for (const period of periods)
        for (const key of keys)
          for (const unitId of villages) {
            n++;
            const denominator = 200 + (n % 97);
            const numerator = key.endsWith('0') || key.endsWith('3') ? n % 4 : denominator - (n % 6);
            const sources = n % 10 === 0 ? ['report', 'registry'] : ['report'];
            for (const [s, source] of sources.entries()) {
              const f = {
                planId: plan.id,
                key,
                unitId,
                period,
                source,
                numerator: String(numerator + s * (n % 20 === 0 ? 1 : 0)),
                denominator: String(denominator),
                evidence: [],
                version: 1,
                reportedAt: NOW.toISOString(),
                reportedBy: 'bench',
              };
              yield { ...figureKey(f), entity: 'Figure', ...f };
            }
          }
    }
    const written = await writeAll(real, TABLE_NAME, figures());
    const units = 1 + TOWNSHIPS + villages.length;
    print(
      `seeded ${units} units, ${INDICATORS} indicators, ${written} figure items over ${PERIODS} periods in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const period = '2026-05';
    const bare = async () => {
      let items = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const out = await real.send(
          new QueryCommand({
            TableName: TABLE_NAME,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': figuresPk(plan.id, period) },
            ExclusiveStartKey: start,
          }),
        );
        items += out.Items?.length ?? 0;
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return items;
    };
    const viaService = () => services.indicators.table(OFFICE, plan.id, period);

    // Warm both (JIT, the engine's caches), then alternate so load drifts hit both alike.
    await bare();
    await viaService();
    const baseTimes: number[] = [];
    const tableTimes: number[] = [];
    let bareItems = 0;
    let rows = 0;
    for (let r = 0; r < RUNS; r++) {
      let t = performance.now();
      bareItems = await bare();
      baseTimes.push(performance.now() - t);
      counter.items = 0;
      counter.calls = 0;
      counter.counting = true;
      t = performance.now();
      rows = (await viaService()).rows.length;
      tableTimes.push(performance.now() - t);
      counter.counting = false;
    }
    const base = median(baseTimes);
    const built = median(tableTimes);
    print('');
    print(
      table(
        ['read', 'items', 'calls', 'median', 'ratio'],
        [
          ['bare Query of the period', String(bareItems), '-', ms(base), '1.00'],
          [
            `indicator table (${rows} rows + county)`,
            String(counter.items),
            String(counter.calls),
            ms(built),
            (built / base).toFixed(2),
          ],
        ],
      ),
    );
    const [l1 = 0] = loadavg();
    print(
      `\nitems read = the period's figures (units × indicators × sources) + ${INDICATORS} indicators + the plan + ` +
        `the unit tree (${units}); the other ${PERIODS - 1} periods are not read. ${RUNS} runs each. ` +
        `Load average (1 min) at the end ${l1.toFixed(2)}.`,
    );
  } finally {
    await dynamo.stop();
  }
}

await main();
