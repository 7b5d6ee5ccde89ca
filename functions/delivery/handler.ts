import type { LambdaContext } from 'hono/aws-lambda';
import { logger } from '../../shared/log.js';
import { loadDeliveryDeps } from './delivery-deps.js';

const deps = loadDeliveryDeps();

/**
 * The delivery function's entry: a batch from the table's stream (new notices) or the minute
 * schedule (the safety net: retries, the end of quiet hours, anything a stream batch missed). Either
 * way it runs the outbox; every post is claimed first, so runs at once post nothing twice. A run
 * that throws fails the batch, which Lambda retries and finally sends to the dead-letter queue.
 */
export const handler = async (_event: unknown, context?: LambdaContext) => {
  if (context) logger.addContext(context);
  return deps.deliveries.run(new Date());
};
