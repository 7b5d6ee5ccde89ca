import type { LambdaContext } from 'hono/aws-lambda';
import { logger } from '../../shared/log.js';
import { loadDeliveryDeps } from './delivery-deps.js';

const deps = loadDeliveryDeps();

/** The digest schedule's event; anything else (a stream batch, the minute schedule) runs the outbox. */
const isDigestEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as { job?: unknown }).job === 'digest';

/**
 * The delivery function's entry: a batch from the table's stream (new notices) or the minute
 * schedule (the safety net: retries, the end of quiet hours, anything a stream batch missed). Either
 * way it runs the outbox; every post is claimed first, so runs at once post nothing twice. A run
 * that throws fails the batch, which Lambda retries and finally sends to the dead-letter queue.
 * The morning-digest schedule sends `{ "job": "digest" }`: the same channels and secrets, the
 * digest's own run (each unit's message written once a day, each post claimed).
 */
export const handler = async (event: unknown, context?: LambdaContext) => {
  if (context) logger.addContext(context);
  if (isDigestEvent(event)) return deps.digests.run(new Date());
  return deps.deliveries.run(new Date());
};
