import { z } from 'zod';
import type { Principal } from '../../shared/auth/principal.js';
import { type LogEntry, writeLog } from '../../shared/log.js';
import type { SweepResult } from '../../shared/schemas/notices.js';
import type { SweepService } from '../../shared/services/sweep-service.js';

/** The scheduler acts as the office: the sweep is the office's supervision, run on a timer. */
export const SCHEDULER: Principal = { sub: 'scheduler', role: 'office' };

/** The schedule's input: `{ allPlans: true }`, or `{ planId }` for one plan. */
const eventSchema = z.union([
  z.strictObject({ allPlans: z.literal(true) }),
  z.strictObject({ planId: z.string().min(1).max(64) }),
]);

/**
 * Reads the schedule's input. Sweeping every plan must be asked for in words: a missing, empty or
 * misspelt event throws (the scheduler retries, then dead-letters it where an alarm sees it)
 * instead of quietly sweeping everything.
 */
export function parseSweepEvent(event: unknown): { planId?: string | undefined } {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    const got =
      typeof event === 'object' && event !== null
        ? `an object with ${Object.keys(event).join(', ') || 'no fields'}`
        : event === null
          ? 'null'
          : typeof event;
    throw new Error(`Invalid sweep event: expected {"allPlans":true} or {"planId":"<id>"}, got ${got}`);
  }
  return 'planId' in parsed.data ? { planId: parsed.data.planId } : {};
}

/** Runs one sweep and logs its summary as one entry; errors propagate so the scheduler retries. */
export async function runScheduledSweep(
  deps: { sweeps: SweepService; log?: (entry: LogEntry) => void },
  request: { planId?: string | undefined },
  now: Date,
): Promise<SweepResult> {
  const started = Date.now();
  const result = await deps.sweeps.sweep(SCHEDULER, request, now);
  (deps.log ?? writeLog)({
    level: result.failed > 0 ? 'error' : 'info',
    message: 'sweep finished',
    ...result,
    durationMs: Date.now() - started,
  });
  // Failed items are still in the index; failing the run makes the scheduler retry it and, after
  // its retries, puts the event in the dead-letter queue where an alarm can see it.
  if (result.failed > 0) throw new Error(`sweep left ${result.failed} item(s) for the next run`);
  return result;
}
