import { createApiApp } from '../api/app.js';
import type { AppDeps } from '../api/deps.js';
import { apiDocument } from '../api/openapi.js';
import { createShell, type Shell } from '../http/shell.js';
import { webRoutes } from '../web/web-app.js';
import { docsRoutes } from './docs.js';

/**
 * The site function's app: what a unit's phone never needs — the server-rendered pages with their
 * sign-in, the OpenAPI document and Swagger UI — on the same shell as the API, so the API function
 * stays small (test/bench/bundle.ts). In AWS the HTTP API sends every path but `/v1/*` and
 * `/health` here (infra/cloud/constructs/http-api.ts).
 */
export function createSiteApp(deps: AppDeps) {
  return mountSite(createShell(deps), deps);
}

/** Mounts the pages, `/openapi.json` and `/docs` on `app`. */
export function mountSite(app: Shell, deps: AppDeps): Shell {
  // The pages (HTML, cookie session) share the services and the policy with the API.
  app.route('/', webRoutes(deps));
  // Generated from the API's own routes (an app built here, never serving), at the first request
  // rather than at start, then kept: it changes only with a deploy.
  let document: ReturnType<typeof apiDocument> | undefined;
  app.get('/openapi.json', (c) => {
    document ??= apiDocument(createApiApp(deps));
    return c.json(document);
  });
  app.route('/', docsRoutes());
  return app;
}
