import { createHash, randomUUID } from 'node:crypto';
import type { TableRef } from '../db/client.js';
import { idempotencyRepository } from '../db/idempotency-repository.js';
import { ConflictError } from '../errors.js';

/** How long a key keeps its first answer. */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/**
 * How long an attempt holds a key before another may take it over: longer than the API function's
 * timeout (10 s), so a live attempt is never overtaken, while a crashed one does not lock the key
 * for the whole day.
 */
export const IDEMPOTENCY_LOCK_SECONDS = 30;

export class IdempotencyKeyReusedError extends ConflictError {
  constructor() {
    super(
      'idempotency_key_reused',
      '此 Idempotency-Key 已用于内容不同的另一请求;新的请求请使用新的 Idempotency-Key',
    );
  }
}

export class IdempotencyInProgressError extends ConflictError {
  constructor() {
    super('idempotency_in_progress', '使用同一 Idempotency-Key 的请求正在处理,请稍后重试(不会重复创建)');
  }
}

/** One create, as the caller asked for it. */
export interface IdempotentCall {
  /** Where it was asked, e.g. `POST /v1/plans/:planId/tasks`: a key counts on one route only. */
  route: string;
  /** Who asked (`<role>:<sub>`): callers' keys never meet. */
  caller: string;
  /** The client's Idempotency-Key. */
  key: string;
  /** What was asked (path parameters and body): the same key with other content is a 409. */
  payload: unknown;
}

/** What the work answered, and whether that answer is final (kept) or may be tried again. */
export interface Outcome<T> {
  value: T;
  keep: boolean;
}

export interface IdempotencyService {
  /**
   * Runs `work` once per (route, caller, key) within the window. A repeat with the same payload
   * gets the kept value back (`replayed`) without running `work`; with another payload it is
   * IdempotencyKeyReusedError; while the first attempt runs, IdempotencyInProgressError. An
   * outcome not kept, or an error thrown by `work`, frees the key for the next attempt. `T` must
   * survive JSON: a replay is the stored JSON parsed back.
   */
  run<T>(call: IdempotentCall, work: () => Promise<Outcome<T>>): Promise<{ value: T; replayed: boolean }>;
}

export interface IdempotencyOptions {
  /**
   * Wall-clock time, never the business clock (a rehearsal clock must not make records outlive
   * or predate their 24 hours). @default () => new Date()
   */
  clock?: () => Date;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** JSON with every object's keys sorted, so `{a, b}` and `{b, a}` are the same request. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * Idempotency keys for creates (the API's `Idempotency-Key` header, the pages' per-form key),
 * recorded in the main table (pattern I1) with conditional writes. Powertools' idempotency
 * utility does the same job for a whole Lambda invocation; it is not used here because it reads
 * `Date.now()` for expiry (no injected clock), keeps a key locked until its record expires when
 * there is no Lambda context (locally, a crashed attempt would lock the key for 24 hours), and its
 * DynamoDB layer cannot use this table's `ENTITY#id` partitions.
 */
export function idempotencyService(table: TableRef, options: IdempotencyOptions = {}): IdempotencyService {
  const records = idempotencyRepository(table);
  const clock = options.clock ?? (() => new Date());
  return {
    async run<T>(call: IdempotentCall, work: () => Promise<Outcome<T>>) {
      const scope = sha256(JSON.stringify([call.route, call.caller, call.key]));
      const fingerprint = sha256(canonical(call.payload));
      const owner = randomUUID();
      const nowMs = clock().getTime();
      const expiresAt = Math.floor(nowMs / 1000) + IDEMPOTENCY_WINDOW_SECONDS;
      const claim = await records.claim({
        scope,
        fingerprint,
        owner,
        nowMs,
        lockedUntilMs: nowMs + IDEMPOTENCY_LOCK_SECONDS * 1000,
        expiresAt,
      });
      if (!claim.claimed) {
        const { record } = claim;
        if (record.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
        if (record.status === 'in_progress') throw new IdempotencyInProgressError();
        return { value: JSON.parse(record.response) as T, replayed: true };
      }
      let outcome: Outcome<T>;
      try {
        outcome = await work();
      } catch (err) {
        await records.release(scope, owner).catch(() => undefined);
        throw err;
      }
      if (outcome.keep) await records.complete(scope, owner, JSON.stringify(outcome.value), expiresAt);
      else await records.release(scope, owner);
      return { value: outcome.value, replayed: false };
    },
  };
}
