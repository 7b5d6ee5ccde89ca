import { runScheduledSweep } from '../../functions/sweep/sweep.js';
import { errorField, writeLog } from '../../shared/log.js';
import type { SweepResult } from '../../shared/schemas/notices.js';
import type { DeliveryService } from '../../shared/services/delivery-service.js';
import type { DigestService } from '../../shared/services/digest-service.js';
import type { SweepService } from '../../shared/services/sweep-service.js';

/** The same cadence as the EventBridge schedule in AWS. */
export const SWEEP_EVERY_MINUTES = 15;

/**
 * The local twin of the AWS schedule: runs the sweep now, then at every quarter hour of the
 * business clock, never two at once in this process (concurrent sweeps are safe anyway).
 */
export function startSweepSchedule(options: {
  sweeps: SweepService;
  clock: () => Date;
  onResult?: (result: SweepResult) => void;
  onError?: (err: unknown) => void;
  everyMinutes?: number;
}): { stop(): Promise<void>; runNow(): Promise<void> } {
  const every = (options.everyMinutes ?? SWEEP_EVERY_MINUTES) * 60_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const runNow = () => {
    running ??= runScheduledSweep({ sweeps: options.sweeps, log: () => {} }, {}, options.clock())
      .then(
        (result) => options.onResult?.(result),
        options.onError ??
          ((err) => writeLog({ level: 'error', message: 'sweep failed', error: errorField(err) })),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    const now = options.clock().getTime();
    const wait = every - (now % every);
    timer = setTimeout(() => {
      void runNow().finally(schedule);
    }, wait);
    timer.unref();
  };

  void runNow().finally(schedule);
  return {
    /** Stops the timer and waits for a sweep in progress to finish. */
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
    runNow,
  };
}

/**
 * The rehearsal clock (DUBAN_NOW): starts at `start` and runs on at real speed, so an office can
 * see what the plan will look like in two weeks, and tests can move time across a restart.
 */
export function rehearsalClock(start: string | undefined, realNow: () => number = Date.now): () => Date {
  if (start === undefined) return () => new Date(realNow());
  const offset = Date.parse(start) - realNow();
  return () => new Date(realNow() + offset);
}

/** How often the local runtime reads the outbox (in AWS: the table's stream, and a minute schedule). */
export const DELIVERY_EVERY_MS = 10_000;

/** A job run on a fixed interval, one run at a time in this process. */
function everyInterval(options: {
  run: (now: Date) => Promise<unknown>;
  clock: () => Date;
  everyMs: number;
  onError: (err: unknown) => void;
}): { stop(): Promise<void>; runNow(): Promise<void> } {
  let running: Promise<void> | undefined;
  const runNow = () => {
    running ??= options
      .run(options.clock())
      .then(() => {}, options.onError)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void runNow(), options.everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
    runNow,
  };
}

/**
 * The local twin of the delivery function: reads the outbox every 10 s, one run at a time in this
 * process (runs at once elsewhere are safe: every post is claimed first).
 */
export function startDeliveryLoop(options: {
  deliveries: DeliveryService;
  clock: () => Date;
  onError?: (err: unknown) => void;
  everyMs?: number;
}): { stop(): Promise<void>; runNow(): Promise<void> } {
  return everyInterval({
    run: (now) => options.deliveries.run(now),
    clock: options.clock,
    everyMs: options.everyMs ?? DELIVERY_EVERY_MS,
    onError:
      options.onError ??
      ((err) => writeLog({ level: 'error', message: 'delivery failed', error: errorField(err) })),
  });
}

/** How often the local runtime looks whether the morning digest is due (as the AWS schedule). */
export const DIGEST_EVERY_MS = 15 * 60_000;

/**
 * The local twin of the digest schedule: every quarter hour it asks the digest to run; the digest
 * acts only on working days from 08:30, writes each unit's message once a day and retries what
 * failed, so the extra runs cost a read of the day's digest records and nothing more.
 */
export function startDigestLoop(options: {
  digests: DigestService;
  clock: () => Date;
  onError?: (err: unknown) => void;
  everyMs?: number;
}): { stop(): Promise<void>; runNow(): Promise<void> } {
  return everyInterval({
    run: (now) => options.digests.run(now),
    clock: options.clock,
    everyMs: options.everyMs ?? DIGEST_EVERY_MS,
    onError:
      options.onError ??
      ((err) => writeLog({ level: 'error', message: 'digest failed', error: errorField(err) })),
  });
}
