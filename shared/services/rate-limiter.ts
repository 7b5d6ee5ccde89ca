import type { Principal } from '../auth/principal.js';
import type { TableRef } from '../db/client.js';
import { isTransientStorageError } from '../db/errors.js';
import { rateLimitRepository } from '../db/rate-limit-repository.js';
import { rateWindow } from '../domain/access/rate-window.js';
import { AppError } from '../errors.js';

/** The default budget: far above a clerk's clicking, well below a script stuck in a loop. */
export const DEFAULT_REQUESTS_PER_MINUTE = 300;

export class RateLimitedError extends AppError {
  constructor(
    limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      429,
      'rate_limited',
      `请求过于频繁:每个用户每分钟最多 ${limit} 次,请 ${retryAfterSeconds} 秒后重试`,
      {
        limit,
        retryAfterSeconds,
      },
    );
  }
}

export interface RateLimiter {
  /** Counts one request by `principal`; throws RateLimitedError (429) once its budget is spent. */
  take(principal: Principal): Promise<void>;
}

export interface RateLimiterOptions {
  /** Requests per principal per window. @default DEFAULT_REQUESTS_PER_MINUTE */
  limit?: number;
  /** @default 60 */
  windowSeconds?: number;
  /**
   * Wall-clock time, never the business clock: a rehearsal clock (DUBAN_NOW) or a test's fixed
   * "now" must not freeze every request into one window. @default () => new Date()
   */
  clock?: () => Date;
  /** Told when the counter could not be written; the request then goes on (fail open). */
  onStoreError?: (err: unknown) => void;
}

/**
 * Per-principal rate limiting for the API, counted in the main table (items keyed by subject and
 * window, removed by TTL). The HTTP API's stage throttling caps the whole API; this stops one token
 * — a department's script gone wrong — from spending everyone's share. A throttled counter write
 * lets the request through: the limiter protects the service, it must not become its outage.
 */
export function rateLimiter(table: TableRef, options: RateLimiterOptions = {}): RateLimiter {
  const limit = options.limit ?? DEFAULT_REQUESTS_PER_MINUTE;
  const windowSeconds = options.windowSeconds ?? 60;
  const clock = options.clock ?? (() => new Date());
  const counters = rateLimitRepository(table);
  return {
    async take(principal) {
      const window = rateWindow(clock(), windowSeconds);
      let allowed: boolean;
      try {
        allowed = await counters.take(`${principal.role}:${principal.sub}`, window, limit);
      } catch (err) {
        if (!isTransientStorageError(err)) throw err;
        options.onStoreError?.(err);
        return;
      }
      if (!allowed) throw new RateLimitedError(limit, window.retryAfterSeconds);
    },
  };
}
