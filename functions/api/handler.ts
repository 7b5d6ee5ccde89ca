import { handle } from 'hono/aws-lambda';
import { logger } from '../../shared/log.js';
import { createApp } from './app.js';
import { loadLambdaDeps } from './lambda-deps.js';

const app = handle(createApp(await loadLambdaDeps()));

/** API Gateway entry: every log line of this invocation carries the Lambda request id and cold start. */
export const handler: typeof app = async (event, context) => {
  logger.addContext(context);
  return app(event, context);
};
