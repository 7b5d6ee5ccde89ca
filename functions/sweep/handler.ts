import type { LambdaContext } from 'hono/aws-lambda';
import { logger } from '../../shared/log.js';
import { parseSweepEvent, runScheduledSweep } from './sweep.js';
import { loadSweepDeps } from './sweep-deps.js';

const deps = loadSweepDeps();

/** EventBridge Scheduler entry: parse the event, sweep, log a one-line summary. */
export const handler = async (event: unknown, context?: LambdaContext) => {
  if (context) logger.addContext(context);
  return runScheduledSweep(deps, parseSweepEvent(event), new Date());
};
