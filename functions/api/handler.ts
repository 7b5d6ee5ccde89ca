import { handle } from 'hono/aws-lambda';
import { logger } from '../../shared/log.js';
import { createApiApp } from './app.js';
import { loadApiDeps } from './lambda-deps.js';

// Top-level await: the field key is unwrapped by KMS once, before the first request.
const app = handle(createApiApp(await loadApiDeps()));

/** API Gateway entry for `/health` and `/v1/*`: every log line carries the Lambda request id and cold start. */
export const handler: typeof app = async (event, context) => {
  logger.addContext(context);
  return app(event, context);
};
