import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger: Powertools for AWS Lambda, one JSON line per entry with `level`, `message`,
 * `timestamp`, `service` and — in Lambda, after `addContext` — the function's request id and cold
 * start. Level from POWERTOOLS_LOG_LEVEL (default INFO). Entries carry the request id and the
 * principal (sub, role, unitId), never a token or a request body.
 */
export const logger = new Logger({ serviceName: 'duban' });

/** A structured entry: `message` says what happened, the other keys are its context. */
export interface LogEntry {
  level?: 'debug' | 'info' | 'warn' | 'error';
  message?: string;
  [key: string]: unknown;
}

/** Writes one entry through the logger at its level (info when none is given). */
export function writeLog(entry: LogEntry): void {
  const { level = 'info', message = 'log', ...context } = entry;
  logger[level](message, context);
}

/** An error as a log field: name, message and stack, never the whole object (it may hold a request). */
export function errorField(err: unknown): Record<string, unknown> | string {
  return err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err);
}
