import type { LambdaContext } from 'hono/aws-lambda';
import { logger } from '../../shared/log.js';
import { loadReportDeps } from './report-deps.js';
import { parseReportEvent, runReportJob } from './report-job.js';

const deps = loadReportDeps();

/** EventBridge Scheduler entry: parse the event, make the period's reports, log a one-line summary. */
export const handler = async (event: unknown, context?: LambdaContext) => {
  if (context) logger.addContext(context);
  return runReportJob(deps, parseReportEvent(event), new Date());
};
