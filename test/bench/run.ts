/**
 * `npm run bench`: submit latency against its storage baseline, then bundle size and module load
 * time. Prints figures and the targets next to them; a missed target never fails the run, a
 * benchmark that could not run does (exit code 1).
 */
import { availableParallelism, loadavg } from 'node:os';
import { benchBundle } from './bundle.js';
import { benchSubmitLatency } from './submit-latency.js';
import { benchSweep } from './sweep-bench.js';

const print = (line: string) => console.log(line);

const sections: [string, (p: typeof print) => Promise<unknown>][] = [
  [
    'Submit latency (full HTTP stack vs a bare TransactWriteItems and a bare UpdateItem, DynamoDB Local in memory)',
    benchSubmitLatency,
  ],
  ['Bundle size and module load time (API Lambda)', benchBundle],
  ['Sweep cost: 1,000 due among 10,000 and 100,000 open duties (DynamoDB Local)', benchSweep],
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
