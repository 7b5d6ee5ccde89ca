import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { AppError } from '../../shared/errors.js';
import { IMPORT_MAX_BYTES, isImportPath } from '../../shared/import/read-table.js';
import { errorField, writeLog } from '../../shared/log.js';
import type { AppDeps } from '../api/deps.js';
import { newRouter } from '../api/router.js';
import { classifyError, MAX_BODY_BYTES } from './classify-error.js';

/**
 * What every HTTP function shares, whatever it serves: a request id, one log line per request,
 * nosniff and no-store on every answer, the body limit, one error shape, and a not-found that does
 * not echo the path. The API function (functions/api/app.ts) and the site function
 * (functions/site/site-app.ts) each mount their routes on one of these, and the local server and
 * the tests mount both on one, so the same middleware runs in Lambda and on this machine.
 */
export function createShell(deps: Pick<AppDeps, 'logError' | 'logRequest'>) {
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
  const jsonLimit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => toResponse(c, new HTTPException(413)),
  });
  // An office's task table is a file, not JSON: its routes take up to the import limit (and a form's wrapping).
  const fileLimit = bodyLimit({
    maxSize: IMPORT_MAX_BYTES + 64 * 1024,
    onError: (c) =>
      toResponse(
        c,
        new AppError(413, 'payload_too_large', `文件过大,上限为 ${IMPORT_MAX_BYTES / 1024 / 1024} MB`),
      ),
  });
  app.use('*', (c, next) => (isImportPath(c.req.path) ? fileLimit(c, next) : jsonLimit(c, next)));

  app.notFound((c) =>
    // The path is not echoed: an answer never reflects what the caller typed.
    c.json({ error: { code: 'route_not_found', message: '没有此接口' } }, 404),
  );
  app.onError((err, c) => toResponse(c, err));
  return app;
}

/** The router every HTTP function's routes are mounted on. */
export type Shell = ReturnType<typeof createShell>;
