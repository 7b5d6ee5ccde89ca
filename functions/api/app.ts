import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { UnauthorizedError } from '../../shared/errors.js';
import { errorField, writeLog } from '../../shared/log.js';
import { classifyError, MAX_BODY_BYTES } from '../http/classify-error.js';
import { webRoutes } from '../web/web-app.js';
import type { AppDeps } from './deps.js';
import { docsRoutes } from './docs.js';
import { completeDocument } from './openapi.js';
import { newRouter } from './router.js';
import { auditRoutes } from './routes/audit.js';
import { calendarRoutes } from './routes/calendar.js';
import { dutyRoutes } from './routes/duties.js';
import { evidenceRoutes } from './routes/evidence.js';
import { extensionRoutes } from './routes/extensions.js';
import { noticeRoutes } from './routes/notices.js';
import { planRoutes } from './routes/plans.js';
import { planReportRoutes, reportRoutes } from './routes/reports.js';
import { sweepRoutes } from './routes/sweeps.js';
import { unitRoutes } from './routes/units.js';

/**
 * Routes whose own write checks the caller's unit and waits for its rate budget (a duty's submit):
 * they start without a round trip. Matching more or less than the route only changes its speed —
 * an unmatched submit is checked before it starts, like any route.
 */
const ADMITTED_BY_WRITE = /^\/v1\/duties\/[^/]+\/submit$/;

export function createApp(deps: AppDeps) {
  const logError = deps.logError ?? ((entry) => writeLog({ ...entry, level: 'error' }));

  const toResponse = (c: Context, err: unknown) => {
    const e = classifyError(err);
    if (e.retryAfterSeconds !== undefined) c.header('retry-after', String(e.retryAfterSeconds));
    // Never serialise a raw error: its message may carry internals. Log it, answer generically.
    if (e.unexpected) {
      logError({
        level: 'error',
        message: 'unhandled error',
        requestId: c.get('requestId'),
        path: c.req.path,
        error: errorField(err),
      });
    }
    return c.json({ error: { code: e.code, message: e.message, details: e.details } }, e.status);
  };

  const app = newRouter();
  app.use('*', requestId());
  const logRequest = deps.logRequest ?? writeLog;
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const principal = c.get('principal');
    logRequest({
      level: c.res.status >= 500 ? 'error' : 'info',
      message: 'request',
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round(performance.now() - started),
      ...(principal === undefined
        ? {}
        : {
            sub: principal.sub,
            role: principal.role,
            ...(principal.unitId ? { unitId: principal.unitId } : {}),
          }),
    });
  });
  // Every answer (API, pages, errors): never sniffed into another type, never cached unless its
  // route says otherwise (the docs' static files).
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('x-content-type-options', 'nosniff');
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });
  app.use('*', bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => toResponse(c, new HTTPException(413)) }));

  app.use('/v1/*', async (c, next) => {
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) throw new UnauthorizedError();
    const principal = await deps.verifyToken(match[1]);
    if (c.req.method === 'POST' && ADMITTED_BY_WRITE.test(c.req.path)) {
      c.set('principal', { ...principal, requestId: c.get('requestId') });
      // Nothing to wait for before the route starts: its transaction checks the unit (a
      // ConditionCheck), and it waits for the rate counter, counted meanwhile, before writing.
      const budget = deps.rateLimit?.take(principal) ?? Promise.resolve();
      budget.catch(() => {}); // awaited by the route or below; never an unhandled rejection
      c.set('admission', budget);
      await next();
      // A refusal is answered in the usual order all the same: a deactivated unit's 401 before a
      // spent budget's 429 before the route's own answer. Refusals are rare; this read is theirs.
      if (c.error === undefined || c.error instanceof UnauthorizedError) return;
      await deps.units.assertActive(principal);
      await budget;
      return;
    }
    // A deactivated unit's tokens stop working at once, not when they expire. The unit check and
    // the rate counter are independent round trips, so they run together; a refused unit's 401
    // wins over a 429.
    const [active, budget] = await Promise.allSettled([
      deps.units.assertActive(principal),
      deps.rateLimit?.take(principal),
    ]);
    if (active.status === 'rejected') throw active.reason;
    if (budget.status === 'rejected') throw budget.reason;
    c.set('principal', { ...principal, requestId: c.get('requestId') });
    await next();
  });

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.route('/v1/units', unitRoutes(deps));
  app.route('/v1/plans', planRoutes(deps));
  app.route('/v1/plans', planReportRoutes(deps));
  app.route('/v1/reports', reportRoutes(deps));
  app.route('/v1/duties', dutyRoutes(deps));
  app.route('/v1/duties', extensionRoutes(deps));
  app.route('/v1/duties', evidenceRoutes(deps));
  app.route('/v1/notices', noticeRoutes(deps));
  app.route('/v1/sweeps', sweepRoutes(deps));
  app.route('/v1/calendar', calendarRoutes(deps));
  // The pages (HTML, cookie session) share the services and the policy with the API.
  app.route('/', webRoutes(deps));
  app.route('/v1/audit', auditRoutes(deps));

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: '声明 sub、role(office | leader | unit),单位用户另有 unitId',
  });
  const document = {
    openapi: '3.1.0',
    info: {
      title: 'duban 督办 API',
      version: '1.0.0',
      description: '工作方案、阶段、任务分解与单位办结。错误统一为 {error: {code, message, details}}。',
    },
  };
  app.get('/openapi.json', (c) => c.json(completeDocument(app.getOpenAPI31Document(document))));
  app.route('/', docsRoutes());

  app.notFound((c) =>
    // The path is not echoed: an answer never reflects what the caller typed.
    c.json({ error: { code: 'route_not_found', message: '没有此接口' } }, 404),
  );
  app.onError((err, c) => toResponse(c, err));
  return app;
}
