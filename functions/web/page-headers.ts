import { createHash } from 'node:crypto';
import { createMiddleware } from 'hono/factory';

/** The pages' only script: filters the unit tree of the task form by name or pinyin initials. */
export const UNIT_FILTER_JS =
  "document.getElementById('uf').oninput=function(){var q=this.value.trim().toLowerCase();document.querySelectorAll('.tree [data-f]').forEach(function(r){r.hidden=q!==''&&r.getAttribute('data-f').indexOf(q)<0})}";

const scriptHash = createHash('sha256').update(UNIT_FILTER_JS).digest('base64');

/**
 * Nothing but this site's own inline CSS and the one script above runs; no page can be framed (a
 * one-click 通过办结 must not be clickjacked); forms post only here; and nothing personal stays in
 * the cache of a shared office PC after signing out.
 */
const CSP = [
  "default-src 'none'",
  "style-src 'unsafe-inline'",
  `script-src 'sha256-${scriptHash}'`,
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Security headers of every page response, set after the handler (error pages included). */
export const pageHeaders = createMiddleware(async (c, next) => {
  await next();
  c.res.headers.set('content-security-policy', CSP);
  c.res.headers.set('x-frame-options', 'DENY');
  c.res.headers.set('x-content-type-options', 'nosniff');
  c.res.headers.set('referrer-policy', 'same-origin');
  c.res.headers.set('cache-control', 'no-store');
});
