/**
 * The embedded engine's memory at county size: `npx tsx test/bench/engine-memory.ts [duties]`
 * (default 50,000; 500 units × 100 tasks) or the "Engine memory" section of `npm run bench`.
 *
 * For each storage (in memory, and on disk in a temporary data folder) and each JVM setting — the
 * JVM's defaults (what the runtime ran with before: a heap ceiling of a quarter of the machine) and
 * the runtime's own (infra/local/dynamodb-local.ts) — it starts DynamoDB Local, loads the duties in
 * the shape the plan repository stores them (every GSI key; 70 % open, 30 % submitted with a note
 * and an evidence file), reads them all back through the plan's duties index, and reads the java
 * process's VmRSS (now) and VmHWM (peak) from /proc/<pid>/status. The baseline, in the same run,
 * is the runtime's engine holding only the empty tables. Then the local runtime itself (`npm start`
 * as a child process) is started on the loaded data folder and asked for a unit's duties: its node
 * process's RSS and its engine's (on the rehearsal clock a day after the duties were made, so its
 * sweep has nothing to do). Prints figures against the target (≤ 1 GiB RSS for the engine),
 * asserts nothing. Extra JVM settings to compare: BENCH_ENGINE_SETTINGS='[{"label":"…","heap":"512m",
 * "jvmFlags":["-XX:+UseSerialGC"]}]'. Linux only (/proc).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTables } from '../../infra/local/create-table.js';
import { loadDevSecret } from '../../infra/local/dev-secret.js';
import {
  createLocalDynamoDbClient,
  DEFAULT_ENGINE_HEAP,
  type DynamoDbLocalOptions,
  ENGINE_JVM_FLAGS,
  startDynamoDbLocal,
} from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { planDutiesPk } from '../../shared/db/keys.js';
import { dutyItem } from '../../shared/db/plan-repository.js';
import { INDEX_BY_PARENT } from '../../shared/db/table.js';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import { newId } from '../../shared/ids.js';
import { CreatePlanSchema, type Plan } from '../../shared/schemas/plans.js';
import { type Task, TaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { newDuty } from '../../shared/services/duty-factory.js';
import { createServices, type Services } from '../../shared/services/index.js';
import { writeAll } from './seed.js';
import { table } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The local runtime's table name (DUBAN_TABLE_NAME's default), so `npm start` finds the data. */
const TABLE_NAME = 'duban';
const UNITS = 500;
const DEFAULT_DUTIES = 50_000;
const RSS_TARGET_BYTES = 1024 ** 3;
const SAMPLE_EVERY_MS = 250;
const RUNTIME_READY_MS = 120_000;
const OFFICE: Principal = { sub: 'bench-office', role: 'office' };
const CREATED = new Date('2026-05-06T01:00:00.000Z');
const DAY_MS = 86_400_000;

interface Setting {
  label: string;
  heap: DynamoDbLocalOptions['heap'];
  jvmFlags: readonly string[] | undefined;
}

const RUNTIME_SETTING: Setting = {
  label: `runtime's: -Xmx${DEFAULT_ENGINE_HEAP} ${ENGINE_JVM_FLAGS.join(' ')}`.trim(),
  heap: undefined,
  jvmFlags: undefined,
};
const SETTINGS: readonly Setting[] = [
  { label: 'JVM defaults (before)', heap: null, jvmFlags: [] },
  RUNTIME_SETTING,
  ...extraSettings(),
];

function extraSettings(): Setting[] {
  const raw = process.env.BENCH_ENGINE_SETTINGS;
  if (raw === undefined || raw.trim() === '') return [];
  const parsed = JSON.parse(raw) as { label: string; heap?: string | null; jvmFlags?: string[] }[];
  return parsed.map((s) => ({ label: s.label, heap: s.heap, jvmFlags: s.jvmFlags ?? [] }));
}

/** BENCH_ENGINE_STORAGES=memory (or disk) measures one storage only, while trying settings out. */
const STORAGES = (['memory', 'disk'] as const).filter((storage) =>
  (process.env.BENCH_ENGINE_STORAGES ?? 'memory,disk').split(',').includes(storage),
);

/**
 * Where the "on disk" data folders go: tmpfs (/dev/shm) where there is one, so the run measures
 * memory rather than this machine's fsync (about 4 ms each on these VMs, several per write: 2,000
 * duties took 30-43 s). Files in tmpfs, like files in the page cache, are not in the engine's RSS.
 * BENCH_ENGINE_DISK_DIR overrides it.
 */
function diskRoot(): string {
  const chosen = process.env.BENCH_ENGINE_DISK_DIR;
  if (chosen !== undefined && chosen !== '') return chosen;
  return existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** VmRSS and VmHWM of a process, in bytes, from /proc. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') * 1024, hwm: kib('VmHWM') * 1024 };
}

/** The highest VmRSS seen while `run` runs (VmHWM says the same; this also catches a dead pid). */
async function sampledPeak<T>(pid: number, run: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = memoryOf(pid).rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, memoryOf(pid).rss);
  }, SAMPLE_EVERY_MS);
  try {
    const value = await run();
    return { value, peak: Math.max(peak, memoryOf(pid).rss) };
  } finally {
    clearInterval(timer);
  }
}

/** The county's units (schools and villages under townships), through the unit service. */
async function createUnits(services: Services): Promise<string[]> {
  const ids = Array.from({ length: UNITS }, (_, i) => `unit-${String(i + 1).padStart(3, '0')}`);
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(
      ids
        .slice(i, i + 8)
        .map((id, j) =>
          services.units.create(
            OFFICE,
            CreateUnitSchema.parse({ id, name: `基准测试单位 ${i + j + 1}`, kind: 'village' }),
            CREATED,
          ),
        ),
    );
  }
  return ids;
}

/**
 * `duties` duties of one plan in the shape the plan repository writes them, one task per `UNITS`
 * duties: 70 % open, 30 % submitted with a note and one uploaded file. Lazily, one batch at a time.
 */
function* dutyItems(
  plan: Plan,
  units: readonly string[],
  duties: number,
): Generator<Record<string, unknown>> {
  const calendar = createWorkingCalendar([]);
  const [lead = '', ...co] = units;
  for (let t = 0; t * units.length < duties; t++) {
    const dueAt = new Date(CREATED.getTime() + (14 + (t % 90)) * DAY_MS).toISOString();
    const task: Task = TaskSchema.parse({
      id: newId('task', CREATED),
      planId: plan.id,
      title: `控辍保学回头看第 ${t + 1} 项:逐户核查适龄儿童少年入学情况并建立台账`,
      description: '',
      phaseKey: 'self-check',
      leadUnitId: lead,
      coUnitIds: co.slice(0, 4),
      dueAt,
      createdAt: CREATED.toISOString(),
      createdBy: OFFICE.sub,
    });
    for (const [u, unitId] of units.entries()) {
      if (t * units.length + u >= duties) return;
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
      if ((t * units.length + u) % 10 < 7) {
        yield dutyItem(duty);
        continue;
      }
      const submittedAt = new Date(CREATED.getTime() + 3 * DAY_MS).toISOString();
      yield dutyItem({
        ...duty,
        status: 'submitted',
        submission: {
          note: '本村适龄儿童少年已逐户核查,无辍学情况,台账已经村支书、村主任签字并盖章,详见附件。',
          evidence: [
            {
              title: '入学情况核查台账(签字盖章版)',
              ref: `duties/${duty.id}/f-${newId('f', CREATED)}-台账.pdf`,
              size: 284_113,
              sha256: 'a'.repeat(64),
            },
          ],
          nothingToReport: false,
          contributions: [],
          submittedAt,
          submittedBy: `${unitId}-clerk`,
        },
      });
    }
  }
}

/** Reads every duty of the plan back through the plan's duties index, 1,000 a page. */
async function readAll(doc: DynamoDBDocumentClient, planId: string): Promise<number> {
  const index = INDEX_BY_PARENT;
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new QueryCommand({
        TableName: TABLE_NAME,
        IndexName: index.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': index.partitionKey },
        ExpressionAttributeValues: { ':pk': planDutiesPk(planId) },
        Limit: 1000,
        ExclusiveStartKey: start,
      }),
    );
    count += page.Items?.length ?? 0;
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return count;
}

interface EngineRun {
  storage: string;
  setting: string;
  duties: number;
  loadMs: number;
  readMs: number;
  peak: number;
  rss: number;
  hwm: number;
}

/** Starts an engine with `setting`, loads `duties` (0: the empty tables only), reads them back, measures. */
async function measureEngine(
  storage: 'memory' | 'disk',
  setting: Setting,
  duties: number,
  dataDir: string | undefined,
): Promise<EngineRun> {
  const engine = await startDynamoDbLocal({
    ...(dataDir === undefined ? {} : { dataDir }),
    heap: setting.heap,
    ...(setting.jvmFlags === undefined ? {} : { jvmFlags: setting.jvmFlags }),
  });
  const client = createLocalDynamoDbClient(engine);
  try {
    await ensureTables(client, TABLE_NAME);
    const doc = createDocumentClient(client);
    const services = createServices({ doc, tableName: TABLE_NAME });
    let loadMs = 0;
    let readMs = 0;
    const { peak } = await sampledPeak(engine.pid, async () => {
      if (duties === 0) return;
      const units = await createUnits(services);
      const plan = await services.plans.create(
        OFFICE,
        CreatePlanSchema.parse({
          title: '全县控辍保学专项督办工作方案',
          phases: [{ key: 'self-check', name: '自查补短阶段', start: '2026-05-01' }],
        }),
        CREATED,
      );
      const t0 = performance.now();
      await writeAll(doc, TABLE_NAME, dutyItems(plan, units, duties));
      loadMs = performance.now() - t0;
      const t1 = performance.now();
      const read = await readAll(doc, plan.id);
      readMs = performance.now() - t1;
      if (read !== duties) throw new Error(`read back ${read} duties, wrote ${duties}`);
    });
    const { rss, hwm } = memoryOf(engine.pid);
    return { storage, setting: setting.label, duties, loadMs, readMs, peak, rss, hwm };
  } finally {
    client.destroy();
    await engine.stop();
  }
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

/** The first descendant of `pid` whose command is java, and its parent (the runtime's node process). */
function engineUnder(pid: number): { java: number; node: number } | undefined {
  const children = (parent: number) => {
    try {
      const text = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim();
      return text === '' ? [] : text.split(/\s+/).map(Number);
    } catch {
      return [];
    }
  };
  const comm = (p: number) => {
    try {
      return readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  };
  for (const child of children(pid)) {
    if (comm(child) === 'java') return { java: child, node: pid };
    const below = engineUnder(child);
    if (below !== undefined) return below;
  }
  return undefined;
}

/**
 * `npm start` (tsx infra/local/server.ts, as a child process) on the loaded folder: waits for it,
 * asks for one unit's duties as that unit, then reads the node process's and its engine's memory.
 */
async function measureRuntime(
  dataDir: string,
): Promise<{ node: { rss: number; hwm: number }; engine: { rss: number; hwm: number }; ms: number }> {
  const port = await freePort();
  const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const child: ChildProcess = spawn(process.execPath, [tsx, join(ROOT, 'infra', 'local', 'server.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DUBAN_DATA_DIR: dataDir,
      PORT: String(port),
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // The rehearsal clock, a day after the duties were made: nothing is due yet, so the sweep
      // the runtime starts on has no work, and the request measured is the only one.
      DUBAN_NOW: new Date(CREATED.getTime() + DAY_MS).toISOString(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.resume();
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + RUNTIME_READY_MS;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited: ${stderr}`);
      const up = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5_000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) throw new Error(`npm start did not answer within ${RUNTIME_READY_MS} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const unit: Principal = { sub: 'unit-001-clerk', role: 'unit', unitId: 'unit-001' };
    const token = await issueHs256Token(loadDevSecret(dataDir, undefined, false), unit);
    const t0 = performance.now();
    const res = await fetch(`${base}/v1/units/unit-001/duties?limit=50`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(RUNTIME_READY_MS),
    });
    if (res.status !== 200) throw new Error(`a unit's duties: ${res.status} ${await res.text()}`);
    await res.json();
    const ms = performance.now() - t0;
    // tsx runs the server in a node process of its own, whose child is the engine.
    const found = engineUnder(child.pid ?? 0);
    if (found === undefined) throw new Error('npm start has no java process under it');
    return { node: memoryOf(found.node), engine: memoryOf(found.java), ms };
  } finally {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // It waits for a sweep in flight; the engine dies with it (setpriv's death signal).
      const stuck = setTimeout(() => {
        // tsx passes SIGTERM on but cannot pass SIGKILL: the server's own node process gets it.
        const server = engineUnder(child.pid ?? 0)?.node;
        if (server !== undefined) process.kill(server, 'SIGKILL');
        child.kill('SIGKILL');
      }, 15_000);
      await exited;
      clearTimeout(stuck);
    }
  }
}

/** Runs every measurement and prints the figures. */
export async function benchEngineMemory(
  print: (line: string) => void,
  duties = DEFAULT_DUTIES,
): Promise<void> {
  const temp = mkdtempSync(join(diskRoot(), 'duban-engine-memory-'));
  try {
    const runs: EngineRun[] = [];
    let runtimeDir: string | undefined;
    for (const storage of STORAGES) {
      const dirFor = (name: string) => (storage === 'memory' ? undefined : join(temp, name, 'dynamodb'));
      runs.push(
        await measureEngine(
          storage,
          { ...RUNTIME_SETTING, label: 'baseline: empty tables' },
          0,
          dirFor('empty'),
        ),
      );
      for (const [i, setting] of SETTINGS.entries()) {
        runs.push(await measureEngine(storage, setting, duties, dirFor(`s${i}`)));
        if (storage === 'disk' && setting === RUNTIME_SETTING) runtimeDir = join(temp, `s${i}`);
      }
    }
    print(`data folders under ${temp}`);
    print(
      `DynamoDB Local (${process.platform}), ${duties.toLocaleString('en')} duties of one plan over ${UNITS} units ` +
        '(every GSI key; 70 % open, 30 % submitted with a note and a file); java VmRSS now and VmHWM (peak) from /proc',
    );
    print('');
    print(
      table(
        [
          'storage',
          'JVM setting',
          'duties',
          'load',
          'read all',
          'RSS',
          'peak (HWM)',
          'vs baseline',
          '<= 1 GiB',
        ],
        runs.map((r) => {
          const base = runs.find((b) => b.storage === r.storage && b.duties === 0);
          return [
            r.storage,
            r.setting,
            r.duties.toLocaleString('en'),
            r.duties === 0 ? '-' : seconds(r.loadMs),
            r.duties === 0 ? '-' : seconds(r.readMs),
            mib(r.rss),
            mib(Math.max(r.hwm, r.peak)),
            base === undefined ? '-' : `${(r.rss / base.rss).toFixed(2)}x`,
            Math.max(r.hwm, r.peak) <= RSS_TARGET_BYTES ? 'yes' : 'NO',
          ];
        }),
      ),
    );
    if (runtimeDir !== undefined) {
      const runtime = await measureRuntime(runtimeDir);
      print('');
      print(
        `npm start on that data folder (on disk, ${duties.toLocaleString('en')} duties), after one unit's duties ` +
          `(${runtime.ms.toFixed(0)} ms): node RSS ${mib(runtime.node.rss)} (peak ${mib(runtime.node.hwm)}), ` +
          `its DynamoDB Local RSS ${mib(runtime.engine.rss)} (peak ${mib(runtime.engine.hwm)})`,
      );
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const duties = Number(process.argv[2] ?? DEFAULT_DUTIES);
  if (!Number.isInteger(duties) || duties < 1)
    throw new Error(`duties must be a positive integer: ${process.argv[2]}`);
  await benchEngineMemory((line) => console.log(line), duties);
}
