import { z } from 'zod';
import type { Principal } from '../../shared/auth/principal.js';
import { REPORT_PERIODS, type ReportPeriod } from '../../shared/domain/report/period.js';
import { nextMonthlyCheck, nextWeeklyRun } from '../../shared/domain/report/schedule.js';
import { errorField, type LogEntry, writeLog } from '../../shared/log.js';
import type { ScheduledReportResult } from '../../shared/schemas/reports.js';
import type { ReportService } from '../../shared/services/report-service.js';

/** The schedules act as the office: publishing the 通报 is the office's work, run on a timer. */
export const REPORT_SCHEDULER: Principal = { sub: 'report-scheduler', role: 'office' };

export interface ReportEvent {
  period: ReportPeriod;
  /** The schedule's own time, so a retried or late run still cuts the report at 17:00. */
  scheduledTime?: Date | undefined;
  planId?: string | undefined;
}

const eventSchema = z.object({
  period: z.enum(REPORT_PERIODS),
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
  planId: z.string().min(1).max(64).optional(),
});

/**
 * The schedule's input: `{ period: 'week' | 'month', scheduledTime }` (EventBridge Scheduler fills
 * `scheduledTime` from `<aws.scheduler.scheduled-time>`). Unlike the sweep's, a malformed event is
 * an error: a schedule that names no period is misconfigured, and failing puts it in the DLQ.
 */
export function parseReportEvent(event: unknown): ReportEvent {
  const parsed = eventSchema.safeParse(event);
  if (!parsed.success) {
    throw new Error(`Invalid report event: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  const { period, scheduledTime, planId } = parsed.data;
  return { period, scheduledTime: scheduledTime === undefined ? undefined : new Date(scheduledTime), planId };
}

/**
 * Runs one scheduled report and logs its summary as one JSON line (a monthly check on a day that
 * is not the last working day logs why and returns). Errors propagate so the scheduler retries;
 * reports already made are found, not made twice.
 */
export async function runReportJob(
  deps: { reports: ReportService; log?: (entry: LogEntry) => void },
  event: ReportEvent,
  now: Date,
): Promise<ScheduledReportResult> {
  const started = Date.now();
  const result = await deps.reports.runScheduled(
    REPORT_SCHEDULER,
    { period: event.period, scheduledTime: event.scheduledTime ?? now, planId: event.planId },
    now,
  );
  (deps.log ?? writeLog)({
    level: result.failed > 0 ? 'error' : 'info',
    message: result.acted ? 'reports finished' : 'reports not due',
    ...result,
    durationMs: Date.now() - started,
  });
  if (result.failed > 0) throw new Error(`${result.failed} plan report(s) failed; the run will be retried`);
  return result;
}

/** Longest single wait: timers re-check the clock at least this often (and setTimeout caps at ~24.8 days). */
const MAX_WAIT_MS = 6 * 60 * 60_000;

/**
 * The local twin of the two AWS schedules: weekly at Friday 17:00 and the monthly check at 17:00 on
 * days 24–31 (Asia/Shanghai), by the business clock, while the process runs. Nothing runs at start:
 * a report for a missed time is made with `POST /v1/plans/{planId}/reports` and `asOf`.
 */
export function startReportSchedules(options: {
  reports: ReportService;
  clock: () => Date;
  onResult?: (result: ScheduledReportResult) => void;
  onError?: (err: unknown) => void;
}): { stop(): Promise<void> } {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  let stopped = false;

  const schedule = (period: ReportPeriod, next: (after: Date) => Date, due: Date) => {
    if (stopped) return;
    const wait = Math.min(MAX_WAIT_MS, Math.max(0, due.getTime() - options.clock().getTime()));
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (options.clock().getTime() < due.getTime()) {
        schedule(period, next, due);
        return;
      }
      const run = runReportJob(
        { reports: options.reports, log: () => {} },
        { period, scheduledTime: due },
        options.clock(),
      )
        .then(
          (result) => options.onResult?.(result),
          options.onError ??
            ((err) => writeLog({ level: 'error', message: 'reports failed', error: errorField(err) })),
        )
        .finally(() => {
          running.delete(run);
          schedule(period, next, next(due));
        });
      running.add(run);
    }, wait);
    timer.unref();
    timers.add(timer);
  };

  const now = options.clock();
  schedule('week', nextWeeklyRun, nextWeeklyRun(now));
  schedule('month', nextMonthlyCheck, nextMonthlyCheck(now));
  return {
    /** Stops the timers and waits for a run in progress to finish. */
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([...running]);
    },
  };
}
