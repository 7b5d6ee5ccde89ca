/**
 * /docs is Swagger UI served by the app itself (from the swagger-ui-dist package, no CDN) under a
 * strict CSP with no inline script; every answer is nosniff and, unless its route says otherwise,
 * not cached; a 404 does not echo the path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../fixtures/app.js';

const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

describe('/docs', () => {
  let api: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    api = await testApp();
  });

  it('loads Swagger UI only from this site, under a CSP without inline script', async () => {
    const page = await api.call('GET', '/docs', { as: null });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'));
    expect(scriptSrc?.trim()).toBe("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    // Nothing from another origin, and every script is a file.
    expect(page.text).not.toMatch(/(https?:)?\/\/[a-z]/i);
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/ src="\/docs\/assets\//);
      expect(body).toBe('');
    }
    const assets = [...page.text.matchAll(/(?:src|href)="(\/docs\/assets\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets).toEqual([
      '/docs/assets/swagger-ui.css',
      '/docs/assets/swagger-ui-bundle.js',
      '/docs/assets/docs-init.js',
    ]);
    for (const path of assets) {
      const res = await api.call('GET', path, { as: null });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-type')).toMatch(
        path.endsWith('.css') ? /^text\/css/ : /^text\/javascript/,
      );
    }
    // The package's own bundle, byte for byte.
    const bundle = await api.call('GET', '/docs/assets/swagger-ui-bundle.js', { as: null });
    expect(bundle.text).toBe(readFileSync(join(swaggerUiDir, 'swagger-ui-bundle.js'), 'utf8'));
    const init = await api.call('GET', '/docs/assets/docs-init.js', { as: null });
    expect(init.text).toContain('SwaggerUIBundle(');
    expect(page.text).toContain('data-url="/openapi.json"');
    expect((await api.call('GET', '/docs/assets/package.json', { as: null })).status).toBe(404);
  });

  it('answers every API response nosniff and no-store, errors included', async () => {
    const responses = await Promise.all([
      api.call('GET', '/health', { as: null }),
      api.call('GET', '/openapi.json', { as: null }),
      api.call('GET', '/v1/units'),
      api.call('GET', '/v1/units', { as: null }),
      api.call('POST', '/v1/units', { body: {} }),
      api.call('GET', '/v1/units/no-such-unit'),
      api.call('GET', '/v1/nowhere'),
      api.call('GET', '/', { as: null }),
      api.call('GET', '/nowhere', { as: null }),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 401, 400, 404, 404, 303, 404]);
    for (const res of responses) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('does not echo the path in a 404', async () => {
    for (const path of ['/v1/<b>echo-me</b>', '/echo-me-too']) {
      const res = await api.call('GET', path);
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('echo-me');
    }
  });
});
