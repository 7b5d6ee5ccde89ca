import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { createMiddleware } from 'hono/factory';
import type { Principal } from '../../shared/auth/principal.js';
import type { TokenVerifier } from '../../shared/auth/tokens.js';
import { ForbiddenError, UnauthorizedError } from '../../shared/errors.js';
import type { Unit } from '../../shared/schemas/units.js';
import type { BadgeService, MenuCounts } from '../../shared/services/badge-service.js';
import type { UnitService } from '../../shared/services/unit-service.js';
import { pageHeaders } from './page-headers.js';
import type { WebOptions } from './web-options.js';

/** What a signed-in page handler can read from the context. */
export interface WebEnv {
  /** `unit`: the signed-in unit's own record, read once by the session check (absent for the office and leaders). */
  Variables: {
    principal: Principal;
    csrfToken: string;
    requestId: string;
    unit: Unit | undefined;
    /** The menu's counts for a plan, as the signed-in principal (see BadgeService). */
    menuCounts: ((planId: string) => Promise<MenuCounts>) | undefined;
  };
}

export const SESSION_COOKIE = 'duban_session';
/** The hidden field every form of a signed-in page carries. */
export const CSRF_FIELD = '_csrf';

/**
 * The anti-forgery token of a session: an HMAC keyed by the session token itself. Only someone who
 * holds the session cookie can compute it, and the cookie is HttpOnly and never sent cross-site by
 * a POST (SameSite=Lax), so a forged form cannot carry it. No server-side state, no second secret.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('duban-csrf-v1').digest('base64url');
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Longer than any page address of this site; a longer `next` is not one of them. */
const MAX_NEXT_LENGTH = 2_048;
/** Stands for this site: only the path, query and fragment of what resolves here are kept. */
const SITE = 'http://duban.invalid';

/**
 * A path on this site to return to after signing in, or `/`. Every redirect to a caller-given
 * target goes through here. `next` is resolved as a browser would (WHATWG URL: tabs and newlines
 * stripped, `\` read as `/`, `.`/`%2e` segments removed) and kept only if it stays on this site;
 * the result is the parser's own serialisation, so it is header-safe and means the same to the browser.
 */
export function safeNext(next: string | undefined): string {
  if (next === undefined || next.length > MAX_NEXT_LENGTH) return '/';
  let url: URL;
  try {
    url = new URL(next, `${SITE}/`);
  } catch {
    return '/';
  }
  const path = url.pathname + url.search + url.hash;
  // `/.//evil` resolves to the path `//evil`, which a browser reads as another host.
  if (url.origin !== SITE || !path.startsWith('/') || path.startsWith('//')) return '/';
  return path;
}

const toSignIn = (c: Context) => {
  const url = new URL(c.req.url);
  const next = c.req.method === 'GET' ? `?next=${encodeURIComponent(url.pathname + url.search)}` : '';
  return c.redirect(`/signin${next}`, 303);
};

/** Whether cookies get `Secure`: as configured, else exactly when the request came over https. */
export const secureCookies = (c: Context, options: WebOptions | undefined): boolean =>
  options?.cookieSecure ?? new URL(c.req.url).protocol === 'https:';

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure over https; it lasts as long as the browser. */
export function startSession(c: Context, token: string, options: WebOptions | undefined): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureCookies(c, options),
    path: '/',
  });
}

export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}

/**
 * Reads the session cookie and verifies it with the API's own verifier and unit check: the page then acts as that
 * principal through the services. No or a bad cookie sends the browser to the sign-in page. The
 * page's security headers (see page-headers.ts) are set here, so no signed-in page goes without.
 */
export function requireSession(deps: {
  verifyToken: TokenVerifier;
  units: Pick<UnitService, 'assertActive'>;
  badges?: Pick<BadgeService, 'menuCounts'>;
}) {
  return createMiddleware<WebEnv>(async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token === undefined || token === '') return toSignIn(c);
    let principal: Principal;
    let unit: Unit | undefined;
    try {
      principal = await deps.verifyToken(token);
      // As in the API: a deactivated unit's sessions end at once, not when the token expires.
      unit = await deps.units.assertActive(principal);
    } catch (err) {
      if (!(err instanceof UnauthorizedError)) throw err;
      endSession(c);
      return toSignIn(c);
    }
    // The request id travels with the principal into the services' audit trail, as in the API.
    c.set('principal', { ...principal, requestId: c.get('requestId') });
    c.set('csrfToken', csrfTokenFor(token));
    c.set('unit', unit);
    const { badges } = deps;
    const signedIn = c.get('principal');
    c.set('menuCounts', badges === undefined ? undefined : (planId) => badges.menuCounts(signedIn, planId));
    await pageHeaders(c, next);
  });
}

const sameOrigin = csrf();

/**
 * Every POST of a signed-in page: the Origin (or Sec-Fetch-Site) must be this site, and the form
 * must carry the session's anti-forgery token. Run after `requireSession`.
 */
export const checkForm = createMiddleware<WebEnv>(async (c, next) => {
  await sameOrigin(c, async () => {});
  const body = await c.req.parseBody({ all: true });
  const given = body[CSRF_FIELD];
  if (typeof given !== 'string' || !sameToken(given, c.get('csrfToken'))) {
    throw new ForbiddenError('表单已过期或来源无法确认,请返回页面刷新后重新提交');
  }
  await next();
});

/** The sign-in form has no session yet: only the origin check applies. */
export const checkOrigin = createMiddleware(async (c, next) => {
  await sameOrigin(c, next);
});
