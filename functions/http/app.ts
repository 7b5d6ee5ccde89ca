import { mountApi } from '../api/app.js';
import type { AppDeps } from '../api/deps.js';
import { mountSite } from '../site/site-app.js';
import { createShell } from './shell.js';

/**
 * Everything on one port: the API (`/health`, `/v1`) and the site (pages, sign-in, `/openapi.json`,
 * `/docs`) on one shell. The local server and the tests run this; in AWS the same two halves run
 * as two functions (functions/api/handler.ts, functions/site/handler.ts), the HTTP API routing each
 * path to its own.
 */
export function createApp(deps: AppDeps) {
  const app = createShell(deps);
  mountApi(app, deps);
  mountSite(app, deps);
  return app;
}
