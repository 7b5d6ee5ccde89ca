import { handle } from 'hono/aws-lambda';
import { logger } from '../../shared/log.js';
import { createSiteApp } from './site-app.js';
import { loadSiteDeps } from './site-deps.js';

const app = handle(createSiteApp(await loadSiteDeps()));

/** API Gateway entry for the pages, their sign-in and the API docs: every path but `/v1/*` and `/health`. */
export const handler: typeof app = async (event, context) => {
  logger.addContext(context);
  return app(event, context);
};
