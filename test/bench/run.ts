/**
 * `npm run bench`: submit latency against its storage baseline, bundle size and module load time,
 * the sweep's cost and the embedded engine's memory. Prints figures and the targets next to them;
 * a missed target never fails the run, a benchmark that could not run does (exit code 1).
 */
import { availableParallelism, loadavg } from 'node:os';
import { benchBelow } from './below-bench.js';
import { benchBundle } from './bundle.js';
import { benchEngineMemory } from './engine-memory.js';
import { benchPages } from './pages-bench.js';
import { benchPlanView } from './plan-view-bench.js';
import { benchSubmitLatency } from './submit-latency.js';
import { benchSweep } from './sweep-bench.js';

const print = (line: string) => console.log(line);

const sections: [string, (p: typeof print) => Promise<unknown>][] = [
  [
    'Submit latency (full HTTP stack vs a bare TransactWriteItems and a bare UpdateItem, DynamoDB Local in memory)',
    benchSubmitLatency,
  ],
  ['Bundle size and module load time (Lambda functions vs a bare Hono + lib-dynamodb handler)', benchBundle],
  [
    'Sweep cost: 1,000 due among 10,000 and 100,000 open duties, one transaction per notice vs single writes (DynamoDB Local)',
    benchSweep,
  ],
  ['Pages: DynamoDB calls and time, 2 plans × 10 villages vs 10 plans × 40 villages', benchPages],
  [
    'Plan view at county scale: 500 units × 100 duties (50,000) against a bare Query of its counters',
    benchPlanView,
  ],
  [
    'Engine memory: DynamoDB Local holding 50,000 duties, in memory and on disk, vs its empty tables',
    (p) => benchEngineMemory(p),
  ],
  [
    '下级任务: a township with 40 units below in a 20,000-duty plan vs bare Queries of their open duties',
    benchBelow,
  ],
];

// Figures from a busy machine are not comparable with a quiet one's: say which this was.
const [load1 = 0] = loadavg();
print(
  `node ${process.version}, ${availableParallelism()} CPUs, load average (1 min) at start ${load1.toFixed(2)}`,
);

for (const [title, run] of sections) {
  print(`\n== ${title} ==\n`);
  try {
    await run(print);
  } catch (error) {
    process.exitCode = 1;
    console.error(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}
