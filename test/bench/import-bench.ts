/**
 * Importing a task table at scale: `npx tsx test/bench/import-bench.ts`. Against an in-memory
 * DynamoDB Local, 400 units and a CSV of 1,000 rows (a lead and a co-unit each, a deadline in words):
 * the time to preview it (read, match, parse; nothing written) and to commit it, against a baseline
 * measured in the same run: the same 1,000 tasks created one by one through the plan service, as
 * the form does, in a second plan. Prints figures only; timing is never asserted. DynamoDB Local
 * is stopped at the end, whatever happens.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { createServices } from '../../shared/services/index.js';
import { table } from './stats.js';

const UNITS = 400;
const ROWS = 1_000;
const OFFICE: Principal = { sub: 'bench-office', role: 'office' };
const NOW = new Date('2026-03-01T02:00:00Z');
const PHASES = [
  { key: 'one', name: '部署发动阶段', start: '2026-03-01', end: '2026-05-31' },
  { key: 'two', name: '自查补短阶段', start: '2026-06-01', end: '2026-09-30' },
  { key: 'three', name: '完善提升阶段', start: '2026-10-01', end: '2026-12-31' },
];

const print = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const unitName = (i: number) => `第${i + 1}单位`;
const dueOf = (i: number) => ({ month: 3 + (i % 10), day: 1 + (i % 28) });

function csv(): Uint8Array {
  const lines = ['序号,工作任务,责任单位,配合单位,完成时限'];
  for (let i = 0; i < ROWS; i++) {
    const { month, day } = dueOf(i);
    lines.push(
      `${i + 1},第${i + 1}项任务,${unitName(i % UNITS)},${unitName((i + 1) % UNITS)},${month}月${day}日前`,
    );
  }
  return new TextEncoder().encode(`${lines.join('\r\n')}\r\n`);
}

async function main() {
  const [load1 = 0] = loadavg();
  print(
    `node ${process.version}, ${availableParallelism()} CPUs, load average (1 min) at start ${load1.toFixed(2)}`,
  );
  const dynamo = await startDynamoDbLocal({});
  try {
    const client = createLocalDynamoDbClient(dynamo);
    const { tableName } = await ensureTables(client, 'duban-import-bench');
    const services = createServices({ doc: createDocumentClient(client), tableName });
    for (let i = 0; i < UNITS; i++) {
      await services.units.create(OFFICE, { id: `u-${i}`, name: unitName(i), kind: 'other' }, NOW);
    }
    const plan = await services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({ title: '导入', phases: PHASES }),
      NOW,
    );
    const bare = await services.plans.create(
      OFFICE,
      CreatePlanSchema.parse({ title: '逐条', phases: PHASES }),
      NOW,
    );
    const file = csv();

    let t = performance.now();
    const preview = await services.imports.preview(OFFICE, plan.id, file, NOW);
    const previewMs = performance.now() - t;
    if (preview.problems.length > 0)
      throw new Error(`preview found problems: ${preview.problems[0]?.message}`);

    t = performance.now();
    const result = await services.imports.commit(OFFICE, plan.id, file, NOW);
    const commitMs = performance.now() - t;

    t = performance.now();
    const again = await services.imports.commit(OFFICE, plan.id, file, NOW);
    const againMs = performance.now() - t;

    t = performance.now();
    for (let i = 0; i < ROWS; i++) {
      const { month, day } = dueOf(i);
      await services.plans.createTask(
        OFFICE,
        bare.id,
        {
          title: `第${i + 1}项任务`,
          phaseKey:
            PHASES.find((p) => `2026-${String(month).padStart(2, '0')}` <= p.end.slice(0, 7))?.key ?? 'one',
          leadUnitId: `u-${i % UNITS}`,
          coUnitIds: [`u-${(i + 1) % UNITS}`],
          dueAt: `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
          kind: 'task',
          signOffLevels: 0,
        },
        NOW,
      );
    }
    const bareMs = performance.now() - t;

    print('');
    print(
      table(
        ['step', 'rows', 'tasks created', 'time', 'ratio to bare writes'],
        [
          [
            'preview (nothing written)',
            String(ROWS),
            '0',
            seconds(previewMs),
            (previewMs / bareMs).toFixed(3),
          ],
          ['commit', String(ROWS), String(result.created), seconds(commitMs), (commitMs / bareMs).toFixed(2)],
          [
            'commit the same file again',
            String(ROWS),
            String(again.created),
            seconds(againMs),
            (againMs / bareMs).toFixed(2),
          ],
          ['bare writes (plan service, one by one)', String(ROWS), String(ROWS), seconds(bareMs), '1.00'],
        ],
      ),
    );
    const [l1 = 0] = loadavg();
    print(
      `\n${UNITS} units; each row a lead and a co-unit (2 duties). Load average (1 min) at the end ${l1.toFixed(2)}.`,
    );
  } finally {
    await dynamo.stop();
  }
}

await main();
