/**
 * Fixed-window rate limiting, the pure part: which window an instant falls in and how long until it
 * ends. A fixed window lets a caller spend up to twice the budget across a window boundary; for a
 * per-minute budget meant to stop runaway scripts (not to meter paying customers) that is accepted,
 * and it costs one conditional write per request, with no read.
 */
export interface RateWindow {
  /** The window's first instant, ISO-8601 UTC: it names the counter. */
  start: string;
  /** Seconds from `now` until the window ends (1 at least): the `Retry-After` of a refusal. */
  retryAfterSeconds: number;
  /** When the counter may be deleted (epoch seconds): the window's end plus a margin. */
  expiresAtEpochSeconds: number;
}

export function rateWindow(now: Date, windowSeconds: number): RateWindow {
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
    throw new RangeError(`windowSeconds must be a positive integer, got ${windowSeconds}`);
  }
  const windowMs = windowSeconds * 1000;
  const startMs = Math.floor(now.getTime() / windowMs) * windowMs;
  const endMs = startMs + windowMs;
  return {
    start: new Date(startMs).toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((endMs - now.getTime()) / 1000)),
    // DynamoDB deletes expired items within a few days, not at once; the margin is for readers only.
    expiresAtEpochSeconds: Math.ceil(endMs / 1000) + windowSeconds,
  };
}
