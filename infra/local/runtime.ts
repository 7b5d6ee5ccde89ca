import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type HttpBindings, type ServerType, serve } from '@hono/node-server';
import { createApp } from '../../functions/http/app.js';
import { startReportSchedules } from '../../functions/reports/report-job.js';
import { localSignIn } from '../../functions/web/local-sign-in.js';
import { hs256Verifier } from '../../shared/auth/tokens.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { errorField, writeLog } from '../../shared/log.js';
import { createFieldCipher } from '../../shared/privacy/field-cipher.js';
import type { SweepResult } from '../../shared/schemas/notices.js';
import { createEvidenceService, createServices } from '../../shared/services/index.js';
import { rateLimiter } from '../../shared/services/rate-limiter.js';
import { ensureTables } from './create-table.js';
import { seedDemo } from './demo-seed.js';
import { loadDevSecret, MEMORY } from './dev-secret.js';
import { createLocalDynamoDbClient, startDynamoDbLocal } from './dynamodb-local.js';
import { loadFieldKeys } from './field-key.js';
import { type FetchHandler, localEvidenceRoutes, withLocalEvidence } from './local-evidence-routes.js';
import { localEvidenceStore } from './local-evidence-store.js';
import { localSecretStore } from './local-secret-store.js';
import { startDeliveryLoop, startDigestLoop, startSweepSchedule } from './scheduler.js';

export interface LocalRuntimeOptions {
  port: number;
  host: string;
  /** A folder, or 'memory'. */
  dataDir: string;
  devSecret?: string | undefined;
  tableName: string;
  clock?: () => Date;
  /** Run the due-date sweep and the weekly and monthly reports in-process on the AWS schedules (default true). */
  schedule?: boolean;
  onSweep?: (result: SweepResult) => void;
  /** Requests per caller per minute on /v1, as DUBAN_RATE_LIMIT_PER_MINUTE in AWS. @default 300 */
  rateLimitPerMinute?: number;
  /** DynamoDB Local's Java heap ceiling (DUBAN_DYNAMODB_HEAP). @default DEFAULT_ENGINE_HEAP (1g) */
  engineHeap?: string | undefined;
}

export interface LocalRuntime {
  url: string;
  dynamoEndpoint: string;
  /** The engine's java process, so its memory and command line can be looked at. */
  dynamoPid: number;
  seeded: { planId: string; units: number; tasks: number } | null;
  stop(): Promise<void>;
}

/**
 * Answers with `Connection: close` when the request's body was not read to its end (a 413 from the
 * body limit or the upload size check, a 401 before the body is looked at). The unread bytes
 * would otherwise be left on a keep-alive connection and the client's next request on it fails
 * (`UND_ERR_SOCKET` in Node's fetch); closing is what any HTTP/1.1 server does with a body it
 * refuses.
 */
export function closingUnreadBodies(next: FetchHandler): FetchHandler {
  return async (request, env) => {
    const response = await next(request, env);
    const incoming = (env as Partial<HttpBindings> | undefined)?.incoming;
    if (incoming === undefined || incoming.readableEnded || !carriesBody(incoming.headers)) return response;
    const headers = new Headers(response.headers);
    headers.set('connection', 'close');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}

const carriesBody = (headers: HttpBindings['incoming']['headers']) =>
  headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;

/**
 * The embedded runtime: DynamoDB Local (on disk, or in memory), the table made from the same
 * definitions as in AWS, the demo plan on first start, and the same app the Lambda runs.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const clock = options.clock ?? (() => new Date());
  const inMemory = options.dataDir === MEMORY;
  const dataDir = inMemory ? MEMORY : resolve(options.dataDir);
  if (!inMemory) {
    // The folder holds the database files, the engine key, the dev secret and the evidence: only its
    // owner may look inside (a folder made by an older version was readable by every local user).
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    chmodSync(dataDir, 0o700);
  }
  const secret = loadDevSecret(dataDir, options.devSecret, true);
  const dbDir = inMemory ? undefined : join(dataDir, 'dynamodb');
  if (dbDir) mkdirSync(dbDir, { recursive: true, mode: 0o700 });
  // Evidence files: <dataDir>/evidence, or a temporary folder (made at the first upload, removed at
  // stop) when in memory.
  const evidenceDir = inMemory
    ? join(tmpdir(), `duban-evidence-${randomBytes(8).toString('hex')}`)
    : join(dataDir, 'evidence');
  const dropEvidence = () => {
    if (inMemory) rmSync(evidenceDir, { recursive: true, force: true });
  };
  // Known once the server listens (the port may be 0); no upload URL is made before that.
  let publicUrl = `http://${options.host}:${options.port}`;
  const evidenceStore = localEvidenceStore({ dir: evidenceDir, secret, baseUrl: () => publicUrl });

  const dynamo = await startDynamoDbLocal({
    ...(dbDir ? { dataDir: dbDir } : {}),
    ...(options.engineHeap === undefined ? {} : { heap: options.engineHeap }),
  });
  let server: ServerType | undefined;
  try {
    const client = createLocalDynamoDbClient(dynamo);
    await ensureTables(client, options.tableName);
    const table = { doc: createDocumentClient(client), tableName: options.tableName };
    const services = createServices(table, {
      evidenceFiles: evidenceStore,
      fieldCipher: createFieldCipher(loadFieldKeys(dataDir)),
      // Channel credentials in the data folder (0600), beside the dev secret; never in the table.
      secrets: localSecretStore(dataDir),
      siteUrl: () => publicUrl,
      deliveryLog: (entry) => writeLog(entry),
    });

    // First start: an empty directory of plans gets the demo plan.
    const office = { sub: 'local-runtime', role: 'office' as const };
    const existing = await services.plans.list(office, { limit: 1 });
    const seeded = existing.items.length === 0 ? await seedDemo(services, clock()) : null;

    const app = createApp({
      ...services,
      verifyToken: hs256Verifier(secret),
      clock,
      // Only on this machine: a sign-in page listing the office, a leader and each unit's clerk.
      web: { signIn: localSignIn({ units: services.units, secret }), cookieSecure: false },
      evidence: createEvidenceService(table, evidenceStore),
      rateLimit: rateLimiter(table, {
        ...(options.rateLimitPerMinute === undefined ? {} : { limit: options.rateLimitPerMinute }),
        onStoreError: (err) =>
          writeLog({ level: 'warn', message: 'rate limit not counted', error: errorField(err) }),
      }),
    });
    // The stand-in for S3's presigned PUT: only this runtime serves it, beside the app.
    const fetch = closingUnreadBodies(
      withLocalEvidence(localEvidenceRoutes({ store: evidenceStore, clock }), app.fetch),
    );
    const sweeper =
      options.schedule === false
        ? undefined
        : startSweepSchedule({
            sweeps: services.sweeps,
            clock,
            onResult: options.onSweep,
            onError: (err) => writeLog({ level: 'error', message: 'sweep failed', error: errorField(err) }),
          });
    const reporter =
      options.schedule === false
        ? undefined
        : startReportSchedules({
            reports: services.reports,
            clock,
            onError: (err) => writeLog({ level: 'error', message: 'reports failed', error: errorField(err) }),
          });
    // Pushing notices to the channels: its own loop, never on a request's or the sweep's path.
    const deliverer =
      options.schedule === false
        ? undefined
        : startDeliveryLoop({
            deliveries: services.deliveries,
            clock,
            onError: (err) =>
              writeLog({ level: 'error', message: 'delivery failed', error: errorField(err) }),
          });
    // The morning digest: its own timer, like the delivery loop's (it acts from 08:30 on working days).
    const digester =
      options.schedule === false
        ? undefined
        : startDigestLoop({
            digests: services.digests,
            clock,
            onError: (err) => writeLog({ level: 'error', message: 'digest failed', error: errorField(err) }),
          });
    const listening = await new Promise<ServerType>((ok, fail) => {
      const s = serve({ fetch, port: options.port, hostname: options.host }, () => ok(s));
      s.once('error', fail);
    });
    server = listening;
    const address = listening.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    publicUrl = `http://${options.host}:${port}`;
    return {
      url: publicUrl,
      dynamoEndpoint: dynamo.endpoint,
      dynamoPid: dynamo.pid,
      seeded,
      async stop() {
        await sweeper?.stop();
        await reporter?.stop();
        await deliverer?.stop();
        await digester?.stop();
        await new Promise<void>((ok) => listening.close(() => ok()));
        await dynamo.stop();
        dropEvidence();
      },
    };
  } catch (err) {
    server?.close();
    await dynamo.stop();
    dropEvidence();
    throw err;
  }
}
