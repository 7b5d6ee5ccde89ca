/**
 * What a failed post means for the next attempt: when to try again (exponential backoff), or stop
 * and record the failure. Pure.
 */

/** A post's outcome as the channel answered it; `reason` is Chinese, never holds a URL or a key. */
export type PostOutcome =
  | { ok: true }
  | { ok: false; retryable: boolean; reason: string; retryAfterMs?: number | undefined };

/** Attempts per (notice, channel) before the delivery is marked failed. */
export const MAX_ATTEMPTS = 5;
const BASE_BACKOFF_MS = 30_000;
const MAX_BACKOFF_MS = 30 * 60_000;

/** When attempt `attempts + 1` may run, after `attempts` failed ones; null when none is left. */
export function nextAttemptAt(now: Date, attempts: number, outcome: PostOutcome): Date | null {
  if (outcome.ok || !outcome.retryable || attempts >= MAX_ATTEMPTS) return null;
  const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempts - 1));
  return new Date(now.getTime() + Math.max(backoff, outcome.retryAfterMs ?? 0));
}
