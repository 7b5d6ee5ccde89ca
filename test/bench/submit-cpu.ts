/**
 * What a submit's own code costs in Node CPU — the app, the services and the SDK — without sockets
 * or DynamoDB Local competing for the machine: `app.request` (no HTTP server, no client) against a
 * client whose request handler answers in-process (the duty, as DynamoDB Local sent it, for a
 * GetItem; `{}` for the writes), next to the bare TransactWriteItems through the same client.
 * Steady where the figures of the loaded run are not; prints nothing itself.
 */
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createApp } from '../../functions/http/app.js';
import type { Principal } from '../../shared/auth/principal.js';
import { hs256Verifier } from '../../shared/auth/tokens.js';
import type { TableRef } from '../../shared/db/client.js';
import type { DutyRecord } from '../../shared/schemas/duties.js';
import { createServices } from '../../shared/services/index.js';
import { rateLimiter } from '../../shared/services/rate-limiter.js';
import { testEvidence } from '../fixtures/evidence.js';
import { median } from './stats.js';

const WARMUP = 500;
const PER_ROUND = 1_000;
const ROUNDS = 3;

export interface InProcessCpu {
  /** Median over rounds of Node CPU per operation, in milliseconds. */
  api: number;
  transact: number;
  /** DynamoDB calls per submit, by operation name. */
  callsPerSubmit: Record<string, number>;
}

/**
 * A request handler that never leaves the process: a GetItem gets the stored answer for its key's
 * pk (none: not found), any other call an empty answer.
 */
function cannedHandler(answers: ReadonlyMap<string, string>, calls: Record<string, number>) {
  return {
    async handle(request: { headers: Record<string, string>; body?: unknown }) {
      const operation = request.headers['x-amz-target']?.split('.')[1] ?? 'unknown';
      calls[operation] = (calls[operation] ?? 0) + 1;
      let body = '{}';
      if (operation === 'GetItem') {
        // The SDK's JSON body (a string, or an adapter whose String() is that string).
        const { Key } = JSON.parse(String(request.body)) as { Key?: { pk?: { S?: string } } };
        body = answers.get(Key?.pk?.S ?? '') ?? '{}';
      }
      return {
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Readable.from([Buffer.from(body)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
}

async function cpuPerOp(op: () => Promise<unknown>, count: number): Promise<number> {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await op();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / count;
}

/**
 * `getItemAnswers` holds GetItem answers by pk exactly as DynamoDB Local sent them (the duty, and
 * the unit for code that reads it); `token` is a unit token for `clerk`, signed with `secret`;
 * `transaction` builds the bare baseline for the duty.
 */
export async function submitCpuInProcess(args: {
  duty: DutyRecord;
  getItemAnswers: ReadonlyMap<string, string>;
  secret: string;
  token: string;
  clerk: Principal;
  transaction: (ref: TableRef, duty: DutyRecord, clerk: Principal, now: Date) => TransactWriteCommand;
}): Promise<InProcessCpu> {
  const calls: Record<string, number> = {};
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'in-process', secretAccessKey: 'in-process' },
    requestHandler: cannedHandler(args.getItemAnswers, calls),
  });
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const ref: TableRef = { doc, tableName: 'in-process' };
  const clock = () => new Date();
  const app = createApp({
    ...createServices(ref),
    evidence: testEvidence(ref, { clock }).service,
    verifyToken: hs256Verifier(args.secret),
    clock,
    rateLimit: rateLimiter(ref, { limit: 1_000_000_000 }),
    logRequest: () => {},
  });
  const body = JSON.stringify({
    note: '本期工作已完成。',
    evidence: [{ title: '台账', ref: 'files/2026/ledger.pdf' }],
  });
  const submit = async () => {
    const res = await app.request(`/v1/duties/${args.duty.id}/submit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${args.token}`, 'content-type': 'application/json' },
      body,
    });
    if (res.status !== 200) throw new Error(`in-process submit answered ${res.status}: ${await res.text()}`);
    await res.text();
  };
  const transact = () => doc.send(args.transaction(ref, args.duty, args.clerk, new Date()));

  await cpuPerOp(submit, WARMUP);
  await cpuPerOp(transact, WARMUP);
  // The calls of the submits alone: counted from here, and the baseline's taken off after each round.
  for (const k of Object.keys(calls)) delete calls[k];
  const api: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    api.push(await cpuPerOp(submit, PER_ROUND));
    bare.push(await cpuPerOp(transact, PER_ROUND));
    calls.TransactWriteItems = (calls.TransactWriteItems ?? 0) - PER_ROUND;
  }
  const callsPerSubmit = Object.fromEntries(
    Object.entries(calls).map(([name, n]) => [name, n / (ROUNDS * PER_ROUND)]),
  );
  client.destroy();
  return { api: median(api), transact: median(bare), callsPerSubmit };
}
