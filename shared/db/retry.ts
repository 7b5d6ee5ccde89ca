import { isConditionFailure, isTransientStorageError } from './errors.js';

/**
 * Runs `fn`, trying again with jittered exponential backoff while it fails with a transient storage
 * error (throttling, a 5xx). The SDK already retries each call; this covers a whole step (such as
 * a transaction) outliving the SDK's attempts during a burst. Other errors pass straight through.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: { attempts?: number; baseMs?: number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  const baseMs = options.baseMs ?? 50;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts || !isTransientStorageError(err)) throw err;
      await sleep(baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
    }
  }
}

/**
 * A conditional write, retried like any step: true when it was made, false when its condition
 * failed (the item is left as it is). Any other error passes through.
 */
export async function writeIfCondition(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await withRetry(write);
    return true;
  } catch (err) {
    if (isConditionFailure(err)) return false;
    throw err;
  }
}
