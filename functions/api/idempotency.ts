import type { MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { IdempotencyService } from '../../shared/services/idempotency-service.js';
import { type AppEnv, IdempotencyKeySchema } from './router.js';

interface StoredResponse {
  status: number;
  body: unknown;
}

/**
 * Makes a create route idempotent under the client's `Idempotency-Key` header (see
 * `idempotencyHeaders` in router.ts): the first 2xx answer of a (route, caller, key) is kept for
 * 24 hours and given again, with `Idempotent-Replayed: true`, to a repeat with the same path and
 * body. A 4xx (the client fixes the body and retries under the same key) and a 5xx are not kept.
 * Runs before the route's validators: a request without the header, or with a malformed one
 * (the header validator then answers 400 with the other fields), goes on untouched.
 */
export function idempotent(idempotency: IdempotencyService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined || !IdempotencyKeySchema.safeParse(key).success) return next();
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return next(); // not JSON: the body validator answers, and nothing is created
    }
    const principal = c.get('principal');
    const { value, replayed } = await idempotency.run<StoredResponse | null>(
      {
        route: `${c.req.method} ${c.req.routePath}`,
        caller: `${principal.role}:${principal.sub}`,
        key,
        payload: { params: c.req.param(), body },
      },
      async () => {
        await next();
        const status = c.res.status;
        if (status < 200 || status >= 300) return { value: null, keep: false };
        return { value: { status, body: await c.res.clone().json() }, keep: true };
      },
    );
    if (!replayed || value === null) return;
    c.header('idempotent-replayed', 'true');
    return c.json(value.body, value.status as ContentfulStatusCode);
  };
}
