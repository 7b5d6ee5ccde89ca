import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

/** The package the API docs page is served from; its files ship with the app (no CDN). */
export const SWAGGER_UI_PACKAGE = 'swagger-ui-dist';
/** The files of `SWAGGER_UI_PACKAGE` the page loads; the Lambda bundle carries these beside it. */
export const SWAGGER_UI_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js'] as const;

const ASSETS = '/docs/assets';

/**
 * The initializer, served as a file so the page runs no inline script. It reads the document's
 * address from the page (`data-url`).
 */
const INIT_JS =
  "window.addEventListener('load',function(){var e=document.getElementById('swagger-ui');window.ui=SwaggerUIBundle({url:e.getAttribute('data-url'),dom_id:'#swagger-ui',deepLinking:true})});";

const PAGE = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>duban 督办 API</title>
<link rel="stylesheet" href="${ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-url="/openapi.json"></div>
<script src="${ASSETS}/swagger-ui-bundle.js"></script>
<script src="${ASSETS}/docs-init.js"></script>
</body>
</html>
`;

/**
 * Only this site's own scripts (no inline script, no eval, no other origin); Swagger UI sets
 * inline styles and draws its icons as data: images; it fetches only this site (the document and
 * "Try it out"); the page cannot be framed.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/**
 * Where the package's files are: beside the bundle in Lambda (copied there at bundling, see
 * infra/cloud/constructs/app-function.ts `packageFiles`), else the installed package.
 */
function swaggerUiDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const shipped = join(here, SWAGGER_UI_PACKAGE);
  if (existsSync(shipped)) return shipped;
  return dirname(createRequire(import.meta.url).resolve(`${SWAGGER_UI_PACKAGE}/package.json`));
}

const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
};

/** `GET /docs` (Swagger UI) and `GET /docs/assets/*`, its files, served by the app itself. */
export function docsRoutes() {
  const app = new Hono();
  const files = new Map<string, Promise<string>>();
  const fileText = (name: string) => {
    let text = files.get(name);
    if (text === undefined) {
      text = readFile(join(swaggerUiDir(), name), 'utf8');
      files.set(name, text);
    }
    return text;
  };

  app.get('/docs', (c) => {
    c.header('content-security-policy', DOCS_CSP);
    c.header('x-frame-options', 'DENY');
    c.header('referrer-policy', 'same-origin');
    return c.html(PAGE);
  });
  app.get(`${ASSETS}/:file`, async (c) => {
    const name = c.req.param('file');
    const text =
      name === 'docs-init.js'
        ? INIT_JS
        : (SWAGGER_UI_FILES as readonly string[]).includes(name)
          ? await fileText(name)
          : undefined;
    if (text === undefined) return c.notFound();
    c.header('content-type', CONTENT_TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream');
    // The files change only with the package version (a deploy); a day's cache spares the 1.7 MB.
    c.header('cache-control', 'public, max-age=86400');
    return c.body(text);
  });
  return app;
}
