/**
 * Submit latency through the full HTTP stack (fetch -> @hono/node-server -> app -> services ->
 * DynamoDB Local) next to the storage work it is built on, against the same in-memory DynamoDB
 * Local: a bare TransactWriteItems of the duty's update and its audit Put (the work a submit cannot
 * skip), and a bare conditional UpdateItem of the duty. Each API request is also broken down, from
 * the server's side, into its DynamoDB calls by kind, how many waves of them ran one after another,
 * and the time spent waiting on them and outside them. Prints figures only; timing is never asserted.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type ServerType, serve } from '@hono/node-server';
import { createApp } from '../../functions/http/app.js';
import { ensureTables } from '../../infra/local/create-table.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from '../../infra/local/dynamodb-local.js';
import type { Principal } from '../../shared/auth/principal.js';
import { hs256Verifier, issueHs256Token } from '../../shared/auth/tokens.js';
import { auditEvent, auditPut, changedFields } from '../../shared/db/audit.js';
import type { TableRef } from '../../shared/db/client.js';
import { counterUpdate } from '../../shared/db/counter-repository.js';
import { dutyReplaceUpdate } from '../../shared/db/duty-repository.js';
import { changeDelta } from '../../shared/domain/plan/counters.js';
import { type DutyRecord, type Evidence, SubmissionSchema } from '../../shared/schemas/duties.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { createServices, type Services } from '../../shared/services/index.js';
import { rateLimiter } from '../../shared/services/rate-limiter.js';
import { testEvidence } from '../fixtures/evidence.js';
import { type LatencySummary, ms, percentile, summarize, table } from './stats.js';
import { type InProcessCpu, submitCpuInProcess } from './submit-cpu.js';

const UNITS = 16;
/** Measured operations are split into this many interleaved rounds (divides every count below). */
const ROUNDS = 4;
/**
 * `SUBMIT_BENCH_SCALE=0.25` shrinks every count below (rounded to whole rounds) for a quick look;
 * the figures recorded in the README come from the full size.
 */
const SCALE = Number(process.env.SUBMIT_BENCH_SCALE ?? '1');
const scaled = (n: number) => Math.max(ROUNDS, Math.round((n * SCALE) / ROUNDS) * ROUNDS);
/** Operations per client (= per unit) before measuring, to warm the JIT, the JVM and the sockets. */
const WARMUP_PER_UNIT = scaled(32);
/** Measured operations per client with 16 concurrent clients: 16 x 128 = 2,048 per series. */
const MEASURED_PER_UNIT = scaled(128);
/** Per unit for the single-client series, which walk the units in turn: 16 x 8 = 128 operations. */
const SINGLE_PER_UNIT = scaled(8);
const TABLE_NAME = 'duban-bench';
/** Issue 12: p50 at 16 clients within 1.3 x the bare transaction's; at most 3 ms of Node CPU per submit. */
export const P50_RATIO_TARGET = 1.3;
export const NODE_CPU_TARGET_MS = 3;

const NOTE = '本村适龄学生全部在校,已经村支书、村长签字。';
const EVIDENCE: Evidence[] = [{ title: '适龄儿童花名册(签字版)', ref: 'files/2026/roster.pdf' }];
const OFFICE: Principal = { sub: 'bench-office', role: 'office' };
const REQUEST_ID_HEADER = 'x-bench-request';

type Operation = 'api' | 'transact' | 'update';
type Series = 'api' | 'transact' | 'update' | 'singleApi' | 'singleTransact' | 'singleUpdate';

/** One run of one operation over fresh duties; measured runs add up to a series. */
interface Phase {
  key: string;
  /** The series its figures count towards; warm-ups count towards none. */
  series: Series | undefined;
  op: Operation;
  perUnit: number;
  clients: 1 | typeof UNITS;
}

/**
 * Every phase, in the order it runs. Warm-ups first; then the measured operations alternate in
 * rounds, in a rotating order, so a burst of load from elsewhere on the machine (or the JVM warming
 * further) falls on both alike instead of on whichever happened to run then.
 */
function phases(): Phase[] {
  const list: Phase[] = [
    { key: 'update-warm', series: undefined, op: 'update', perUnit: WARMUP_PER_UNIT, clients: UNITS },
    { key: 'transact-warm', series: undefined, op: 'transact', perUnit: WARMUP_PER_UNIT, clients: UNITS },
    { key: 'api-warm', series: undefined, op: 'api', perUnit: WARMUP_PER_UNIT, clients: UNITS },
  ];
  const rounds = (pairs: [Series, Operation][], perUnit: number, clients: 1 | typeof UNITS) => {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? pairs : [...pairs].reverse();
      for (const [series, op] of order) {
        list.push({ key: `${series}-${round}`, series, op, perUnit: perUnit / ROUNDS, clients });
      }
    }
  };
  rounds(
    [
      ['api', 'api'],
      ['transact', 'transact'],
      ['update', 'update'],
    ],
    MEASURED_PER_UNIT,
    UNITS,
  );
  rounds(
    [
      ['singleApi', 'api'],
      ['singleTransact', 'transact'],
      ['singleUpdate', 'update'],
    ],
    SINGLE_PER_UNIT,
    1,
  );
  return list;
}

/** A unit, its token and, per phase, fresh open duties that no other phase touches. */
interface UnitDuties {
  unitId: string;
  token: string;
  duties: Map<string, DutyRecord[]>;
}

/** A series' latency figures and the CPU it cost per operation, in milliseconds. */
export interface SeriesResult extends LatencySummary {
  nodeCpuPerOp: number;
  /** DynamoDB Local's CPU per operation, where /proc can tell (Linux). */
  javaCpuPerOp: number | undefined;
}

/** What the server saw of one API request. */
interface ServerSide {
  /** From the adapter handing the request to the app until the app's response. */
  serverMs: number;
  /**
   * Wall time during which at least one of the request's own DynamoDB calls was in flight (calls
   * that overlap, like the unit check and the rate counter, count once).
   */
  storageMs: number;
  /** Calls of this request in flight now, and since when one has been. */
  inFlight: number;
  busySince: number;
  /** Stretches with a call in flight, one after another: the request's sequential round trips. */
  waves: number;
  /** The request's DynamoDB calls by command name. */
  calls: Record<string, number>;
}

/** Per-request breakdown of an API series, as p50 and p99 of each part. */
export interface ApiBreakdown {
  server: [number, number];
  storage: [number, number];
  outsideStorage: [number, number];
  callsPerRequest: Record<string, number>;
  /** Mean waves of DynamoDB calls per request (calls that overlap count as one wave). */
  wavesPerRequest: number;
}

export interface SubmitLatencyResult extends Record<Series, SeriesResult> {
  /** Node CPU of the code alone: DynamoDB answered in-process, no sockets (submit-cpu.ts). */
  inProcess: InProcessCpu;
  /** The breakdown of the API series from the server's side (the baselines have none). */
  breakdown: Record<'api' | 'singleApi', ApiBreakdown>;
}

interface PhaseRun {
  latencies: number[];
  serverSide: ServerSide[];
  wallMs: number;
  nodeCpuMs: number;
  javaCpuMs: number | undefined;
}

/**
 * Units, then one plan per seeding worker (so concurrent task transactions never condition-check
 * the same plan item) and tasks led by a separate lead unit with the 16 benchmark units as co-units:
 * every task gives every benchmark unit one open co-unit duty, which it may submit at once (a lead
 * duty waits for its co-units). Inputs go through the request schemas, so they get the API's defaults.
 */
async function seed(
  services: Services,
  secret: string,
  plan: readonly Phase[],
  now: Date,
): Promise<UnitDuties[]> {
  const unitIds = Array.from({ length: UNITS }, (_, i) => `bench-unit-${String(i + 1).padStart(2, '0')}`);
  const leadUnitId = 'bench-lead';
  for (const id of [leadUnitId, ...unitIds]) {
    const input = CreateUnitSchema.parse({ id, name: `基准测试单位 ${id}`, kind: 'bureau' });
    await services.units.create(OFFICE, input, now);
  }
  const tasksNeeded = plan.reduce((sum, p) => sum + p.perUnit, 0);
  const byUnit = new Map<string, DutyRecord[]>(unitIds.map((id) => [id, []]));

  await Promise.all(
    unitIds.map(async (_, worker) => {
      const planInput = CreatePlanSchema.parse({
        title: `基准测试方案 ${worker + 1}`,
        phases: [{ key: 'bench', name: '基准测试阶段', start: '2026-01-01' }],
      });
      const created = await services.plans.create(OFFICE, planInput, now);
      // Worker w creates tasks w, w+16, w+32, …: together exactly tasksNeeded tasks.
      for (let t = worker; t < tasksNeeded; t += UNITS) {
        const taskInput = CreateTaskSchema.parse({
          title: `基准测试任务 ${t + 1}`,
          phaseKey: 'bench',
          leadUnitId,
          coUnitIds: unitIds,
          dueAt: '2027-12-31',
        });
        const task = await services.plans.createTask(OFFICE, created.id, taskInput, now);
        for (const { overdue: _overdue, ...record } of task.duties) byUnit.get(record.unitId)?.push(record);
      }
    }),
  );

  const units: UnitDuties[] = [];
  for (const unitId of unitIds) {
    const records = byUnit.get(unitId) ?? [];
    if (records.length !== tasksNeeded) {
      throw new Error(`Seeding gave ${unitId} ${records.length} duties, expected ${tasksNeeded}`);
    }
    const duties = new Map<string, DutyRecord[]>();
    let offset = 0;
    for (const phase of plan) {
      duties.set(phase.key, records.slice(offset, offset + phase.perUnit));
      offset += phase.perUnit;
    }
    const token = await issueHs256Token(secret, { sub: `bench-${unitId}`, role: 'unit', unitId }, { now });
    units.push({ unitId, token, duties });
  }
  return units;
}

let clockTicks: number | undefined;

/** CPU time (user + system) a process has used so far, from /proc; undefined where there is none. */
function processCpuMs(pid: number): number | undefined {
  try {
    // After the parenthesised command name come state (field 3) … utime (14) and stime (15).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
  } catch {
    return undefined;
  }
}

type Operate = (unit: UnitDuties, duty: DutyRecord) => Promise<ServerSide | undefined>;

/**
 * Runs a phase: with 16 clients, one per unit over that unit's duties, all at once; with one
 * client, through every unit's duties in turn. Returns latencies, wall-clock time and CPU used.
 */
async function runPhase(
  units: readonly UnitDuties[],
  phase: Phase,
  operation: Operate,
  javaPid: number,
): Promise<PhaseRun> {
  const latencies: number[] = [];
  const serverSide: ServerSide[] = [];
  const timed = async (unit: UnitDuties, duty: DutyRecord) => {
    const t0 = performance.now();
    const seen = await operation(unit, duty);
    latencies.push(performance.now() - t0);
    if (seen) serverSide.push(seen);
  };
  const javaBefore = processCpuMs(javaPid);
  const nodeBefore = process.cpuUsage();
  const started = performance.now();
  if (phase.clients === 1) {
    for (let i = 0; i < phase.perUnit; i++) {
      for (const unit of units) {
        const duty = unit.duties.get(phase.key)?.[i];
        if (duty) await timed(unit, duty);
      }
    }
  } else {
    await Promise.all(
      units.map(async (unit) => {
        for (const duty of unit.duties.get(phase.key) ?? []) await timed(unit, duty);
      }),
    );
  }
  const wallMs = performance.now() - started;
  const node = process.cpuUsage(nodeBefore);
  const javaAfter = processCpuMs(javaPid);
  return {
    latencies,
    serverSide,
    wallMs,
    nodeCpuMs: (node.user + node.system) / 1000,
    javaCpuMs: javaBefore === undefined || javaAfter === undefined ? undefined : javaAfter - javaBefore,
  };
}

/** Adds up a series' rounds: throughput over the rounds' summed wall-clock time. */
function seriesResult(runs: readonly PhaseRun[]): SeriesResult {
  const summary = summarize(
    runs.flatMap((r) => r.latencies),
    runs.reduce((sum, r) => sum + r.wallMs, 0),
  );
  const javaRuns = runs.map((r) => r.javaCpuMs);
  const javaCpuMs = javaRuns.every((v) => v !== undefined)
    ? javaRuns.reduce((sum, v) => sum + v, 0)
    : undefined;
  return {
    ...summary,
    nodeCpuPerOp: runs.reduce((sum, r) => sum + r.nodeCpuMs, 0) / summary.count,
    javaCpuPerOp: javaCpuMs === undefined ? undefined : javaCpuMs / summary.count,
  };
}

function breakdown(runs: readonly PhaseRun[]): ApiBreakdown {
  const seen = runs.flatMap((r) => r.serverSide);
  const p50p99 = (values: number[]): [number, number] => {
    const sorted = values.sort((a, b) => a - b);
    return [percentile(sorted, 50), percentile(sorted, 99)];
  };
  const callsPerRequest: Record<string, number> = {};
  for (const s of seen) {
    for (const [name, count] of Object.entries(s.calls)) {
      callsPerRequest[name] = (callsPerRequest[name] ?? 0) + count / seen.length;
    }
  }
  return {
    server: p50p99(seen.map((s) => s.serverMs)),
    storage: p50p99(seen.map((s) => s.storageMs)),
    outsideStorage: p50p99(seen.map((s) => s.serverMs - s.storageMs)),
    callsPerRequest,
    wavesPerRequest: seen.reduce((sum, s) => sum + s.waves, 0) / seen.length,
  };
}

/** The record `dutyService.submit` writes for `duty` (an ordinary, non-report submit). */
function submitted(duty: DutyRecord, sub: string, now: Date): DutyRecord {
  const nowIso = now.toISOString();
  return {
    ...duty,
    status: 'submitted',
    submission: SubmissionSchema.parse({
      note: NOTE,
      evidence: EVIDENCE,
      submittedAt: nowIso,
      submittedBy: sub,
    }),
    updatedAt: nowIso,
    version: duty.version + 1,
  };
}

/** The condition a submit writes under, as the service gives it (with the duty as read). */
const expectedOf = (duty: DutyRecord) => ({ ...duty, read: duty });

/** The unit's own clerk, as the API series' tokens name it. */
const clerkOf = (unit: UnitDuties): Principal => ({
  sub: `bench-${unit.unitId}`,
  role: 'unit',
  unitId: unit.unitId,
});

/**
 * Baseline: the work a submit cannot skip, bare — one TransactWriteItems holding the duty's
 * conditional update and its audit event's Put, built by the same functions the product's
 * transaction is built from. Whatever `dutyRepository.replace` makes every duty transaction carry
 * (a plan's counter Update, say) belongs in this list too, so the ratio compares like with like.
 */
function bareTransaction(ref: TableRef, duty: DutyRecord, principal: Principal, now: Date) {
  const next = submitted(duty, principal.sub, now);
  const audit = auditEvent(
    principal,
    'duty.submit',
    { type: 'duty', id: duty.id, planId: duty.planId },
    changedFields(duty, next),
    now,
  );
  return new TransactWriteCommand({
    TransactItems: [
      { Update: dutyReplaceUpdate(ref.tableName, next, expectedOf(duty), 'keep') },
      // The plan's counter for the duty's unit and phase moves with every status change.
      counterUpdate(
        ref.tableName,
        duty.planId,
        changeDelta(duty, next) ?? { unitId: duty.unitId, phaseKey: duty.phaseKey, add: {} },
      ),
      auditPut(ref, audit),
    ],
  });
}

/** Baseline: the duty's conditional update alone, as a single UpdateItem. */
function bareUpdate(duty: DutyRecord, principal: Principal, now: Date) {
  const next = submitted(duty, principal.sub, now);
  return new UpdateCommand(dutyReplaceUpdate(TABLE_NAME, next, expectedOf(duty), 'keep'));
}

/**
 * `SUBMIT_BENCH_CPU_PROFILE=<file>.cpuprofile` records a CPU profile of one measured round of
 * submits at 16 clients (the second, warmed), for Chrome DevTools or any .cpuprofile reader.
 */
const PROFILE_PATH = process.env.SUBMIT_BENCH_CPU_PROFILE;
const PROFILED_PHASE = 'api-1';

async function startProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return session;
}

async function stopProfile(session: Session, path: string): Promise<void> {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(path, JSON.stringify(profile));
  session.disconnect();
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function listen(fetch: Parameters<typeof serve>[0]['fetch']): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
      resolve({ server, port: info.port }),
    );
    server.once('error', reject);
  });
}

function close(server: ServerType): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // fetch keeps its sockets alive; without this, close() waits for their idle timeout.
    if ('closeAllConnections' in server) server.closeAllConnections();
  });
}

/** Starts DynamoDB Local and the HTTP server, runs every phase, prints the figures, stops both. */
export async function benchSubmitLatency(print: (line: string) => void): Promise<SubmitLatencyResult> {
  const dynamo = await startDynamoDbLocal();
  const client = createLocalDynamoDbClient(dynamo);
  let server: ServerType | undefined;
  try {
    // The main table and its audit table, as the local runtime creates them.
    const tables = await ensureTables(client, TABLE_NAME);
    const doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    });

    // Attributes each DynamoDB call to the API request it serves (none outside a request).
    const requestContext = new AsyncLocalStorage<ServerSide>();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const seen = requestContext.getStore();
        if (!seen) return next(args);
        if (seen.inFlight++ === 0) {
          seen.busySince = performance.now();
          seen.waves++;
        }
        try {
          return await next(args);
        } finally {
          if (--seen.inFlight === 0) seen.storageMs += performance.now() - seen.busySince;
          const name = context.commandName ?? 'unknown';
          seen.calls[name] = (seen.calls[name] ?? 0) + 1;
        }
      },
      { step: 'initialize', name: 'benchStorageTimer' },
    );

    const secret = randomBytes(32).toString('hex');
    const ref: TableRef = { doc, ...tables };
    const services = createServices(ref);
    const clock = () => new Date();
    const evidence = testEvidence({ doc, ...tables }, { clock }).service;
    const app = createApp({
      ...services,
      evidence,
      verifyToken: hs256Verifier(secret),
      clock,
      // As deployed: every request spends one conditional write on its caller's rate counter. The
      // budget is set out of reach so the bench measures the cost, not refusals.
      rateLimit: rateLimiter({ doc, ...tables }, { limit: 1_000_000_000 }),
      logRequest: () => {},
    });
    const serverSide = new Map<string, ServerSide>();
    const listening = await listen(async (request, env) => {
      const seen: ServerSide = { serverMs: 0, storageMs: 0, inFlight: 0, busySince: 0, waves: 0, calls: {} };
      const t0 = performance.now();
      const response = await requestContext.run(seen, () => app.fetch(request, env));
      seen.serverMs = performance.now() - t0;
      const id = request.headers.get(REQUEST_ID_HEADER);
      if (id) serverSide.set(id, seen);
      return response;
    });
    server = listening.server;
    const baseUrl = `http://127.0.0.1:${listening.port}`;

    const seedStarted = performance.now();
    const plan = phases();
    const units = await seed(services, secret, plan, new Date());
    const seeded = units.reduce((n, u) => n + [...u.duties.values()].reduce((m, d) => m + d.length, 0), 0);
    print(`seeded ${UNITS} units and ${seeded} open duties in ${ms(performance.now() - seedStarted)}`);
    // One open duty and its unit as DynamoDB Local answers a GetItem of them, read before any phase
    // submits the duty: the in-process figure (after the phases) replays these answers.
    const [sample] = units;
    const sampleDuty = sample?.duties.get(plan.at(-1)?.key ?? '')?.[0];
    if (sample === undefined || sampleDuty === undefined) throw new Error('no duty to measure in-process');
    const sampleAnswers = new Map<string, string>();
    for (const [pk, sk] of [
      [`DUTY#${sampleDuty.id}`, 'DUTY'],
      [`UNIT#${sample.unitId}`, 'UNIT'],
    ] as const) {
      const out = await client.send(
        new GetItemCommand({ TableName: TABLE_NAME, Key: { pk: { S: pk }, sk: { S: sk } } }),
      );
      sampleAnswers.set(pk, JSON.stringify({ Item: out.Item }));
    }

    const failures: string[] = [];
    let requestCount = 0;
    const operations: Record<Operation, Operate> = {
      async api(unit, duty) {
        const id = String(++requestCount);
        const res = await fetch(`${baseUrl}/v1/duties/${duty.id}/submit`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${unit.token}`,
            'content-type': 'application/json',
            [REQUEST_ID_HEADER]: id,
          },
          body: JSON.stringify({ note: NOTE, evidence: EVIDENCE }),
        });
        const body = await res.text();
        if (res.status !== 200) failures.push(`${res.status} ${body.slice(0, 300)}`);
        const seen = serverSide.get(id);
        serverSide.delete(id);
        return seen;
      },
      async transact(unit, duty) {
        await doc.send(bareTransaction(ref, duty, clerkOf(unit), new Date()));
        return undefined;
      },
      async update(unit, duty) {
        await doc.send(bareUpdate(duty, clerkOf(unit), new Date()));
        return undefined;
      },
    };

    const runs = new Map<Series, PhaseRun[]>();
    for (const phase of plan) {
      const profiling = phase.key === PROFILED_PHASE && PROFILE_PATH !== undefined;
      const session = profiling ? await startProfile() : undefined;
      const run = await runPhase(units, phase, operations[phase.op], dynamo.pid);
      if (session && PROFILE_PATH) await stopProfile(session, PROFILE_PATH);
      if (phase.series !== undefined) runs.set(phase.series, [...(runs.get(phase.series) ?? []), run]);
    }
    if (failures.length > 0) {
      // Latencies of failed requests measure nothing: a broken setup must not print figures.
      throw new Error(`${failures.length} operations failed; first: ${failures[0]}`);
    }
    const series = (name: Series) => runs.get(name) ?? [];
    const inProcess = await submitCpuInProcess({
      duty: sampleDuty,
      getItemAnswers: sampleAnswers,
      secret,
      token: sample.token,
      clerk: clerkOf(sample),
      transaction: bareTransaction,
    });
    const result: SubmitLatencyResult = {
      inProcess,
      api: seriesResult(series('api')),
      transact: seriesResult(series('transact')),
      update: seriesResult(series('update')),
      singleApi: seriesResult(series('singleApi')),
      singleTransact: seriesResult(series('singleTransact')),
      singleUpdate: seriesResult(series('singleUpdate')),
      breakdown: { api: breakdown(series('api')), singleApi: breakdown(series('singleApi')) },
    };
    printResult(print, result);
    return result;
  } finally {
    if (server) await close(server);
    client.destroy();
    await dynamo.stop();
    print(
      `server closed; DynamoDB Local (pid ${dynamo.pid}) ${isAlive(dynamo.pid) ? 'STILL RUNNING' : 'stopped'}`,
    );
  }
}

function printResult(print: (line: string) => void, r: SubmitLatencyResult): void {
  const row = (label: string, s: SeriesResult) => [
    label,
    String(s.count),
    s.p50.toFixed(2),
    s.p99.toFixed(2),
    s.throughput.toFixed(0),
    s.nodeCpuPerOp.toFixed(2),
    s.javaCpuPerOp === undefined ? '-' : s.javaCpuPerOp.toFixed(2),
  ];
  const ratios = (api: SeriesResult, base: SeriesResult) =>
    `p50 ${(api.p50 / base.p50).toFixed(2)}  p99 ${(api.p99 / base.p99).toFixed(2)}`;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const pair = ([p50, p99]: [number, number]) => `${p50.toFixed(2)} / ${p99.toFixed(2)}`;
  const calls = (b: ApiBreakdown) =>
    Object.entries(b.callsPerRequest)
      .map(([name, n]) => `${n.toFixed(2)} ${name.replace(/Command$/, '')}`)
      .join(' + ');

  print(
    `${UNITS} concurrent clients (one per unit, own duties, unit token), ${WARMUP_PER_UNIT} warm-up + ` +
      `${MEASURED_PER_UNIT} measured operations each, then one client alone; measured in ${ROUNDS} ` +
      'alternating rounds. Clients, server and SDK share one Node.js process; ' +
      `${availableParallelism()} CPUs shared with DynamoDB Local.`,
  );
  print('');
  print(
    table(
      ['series', 'ops', 'p50 ms', 'p99 ms', 'ops/s', 'node CPU ms/op', 'DynamoDB Local CPU ms/op'],
      [
        row(`API: POST /v1/duties/{id}/submit, ${UNITS} clients`, r.api),
        row(`baseline: bare TransactWriteItems (update + audit Put), ${UNITS} workers`, r.transact),
        row(`baseline: bare conditional UpdateItem, ${UNITS} workers`, r.update),
        row('API: POST /v1/duties/{id}/submit, 1 client', r.singleApi),
        row('baseline: bare TransactWriteItems (update + audit Put), 1 worker', r.singleTransact),
        row('baseline: bare conditional UpdateItem, 1 worker', r.singleUpdate),
      ],
    ),
  );
  print('');
  const p50Ratio = r.api.p50 / r.transact.p50;
  print(`ratio API / bare TransactWriteItems, ${UNITS} clients: ${ratios(r.api, r.transact)}`);
  print(
    `  target: p50 ratio <= ${P50_RATIO_TARGET} -> ${verdict(p50Ratio <= P50_RATIO_TARGET)} (${p50Ratio.toFixed(2)})`,
  );
  print(`ratio API / bare UpdateItem, ${UNITS} clients: ${ratios(r.api, r.update)}`);
  print(`ratio API / bare TransactWriteItems, 1 client: ${ratios(r.singleApi, r.singleTransact)}`);
  print(`ratio API / bare UpdateItem, 1 client: ${ratios(r.singleApi, r.singleUpdate)}`);
  print(
    `Node CPU per submit (${UNITS} clients; client, server and SDK): ${ms(r.api.nodeCpuPerOp)} against ` +
      `${ms(r.transact.nodeCpuPerOp)} for the bare TransactWriteItems and ${ms(r.update.nodeCpuPerOp)} ` +
      `for the bare UpdateItem; target <= ${NODE_CPU_TARGET_MS} ms -> ` +
      verdict(r.api.nodeCpuPerOp <= NODE_CPU_TARGET_MS),
  );
  const inProcessCalls = Object.entries(r.inProcess.callsPerSubmit)
    .map(([name, n]) => `${n.toFixed(2)} ${name}`)
    .join(' + ');
  print(
    `Node CPU of the code alone (app.request, DynamoDB answered in-process, no sockets): ` +
      `${ms(r.inProcess.api)} per submit (${inProcessCalls}) against ${ms(r.inProcess.transact)} for the ` +
      'bare TransactWriteItems through the same client',
  );
  print('');
  print('Inside the server, per submit request (p50 / p99 ms):');
  print(
    table(
      ['clients', 'DynamoDB calls per request', 'waves', 'in the app', 'waiting on DynamoDB', 'outside them'],
      (
        [
          [String(UNITS), r.breakdown.api],
          ['1', r.breakdown.singleApi],
        ] as const
      ).map(([clients, b]) => [
        clients,
        calls(b),
        b.wavesPerRequest.toFixed(2),
        pair(b.server),
        pair(b.storage),
        pair(b.outsideStorage),
      ]),
    ),
  );
}

// Run alone: `npx tsx test/bench/submit-latency.ts` (with SUBMIT_BENCH_SCALE for a quick look).
const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  const [load1 = 0] = loadavg();
  console.log(
    `node ${process.version}, ${availableParallelism()} CPUs, load average (1 min) ${load1.toFixed(2)}`,
  );
  try {
    await benchSubmitLatency((line) => console.log(line));
  } catch (error) {
    process.exitCode = 1;
    console.error(
      `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}
