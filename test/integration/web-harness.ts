import { createApp } from '../../functions/http/app.js';
import { localSignIn } from '../../functions/web/local-sign-in.js';
import type { WebOptions } from '../../functions/web/web-options.js';
import { hs256Verifier } from '../../shared/auth/tokens.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { createServices } from '../../shared/services/index.js';
import { TEST_FIELD_CIPHER, TEST_SECRET } from '../fixtures/app.js';
import { freshTable } from '../fixtures/dynamo.js';
import { testEvidence } from '../fixtures/evidence.js';

export const ORIGIN = 'http://localhost';

export interface PageResponse {
  status: number;
  html: string;
  location: string | null;
  setCookie: string | null;
  bytes: number;
  headers: Headers;
}

/**
 * The real app (API and pages) on a fresh table, with the local demo sign-in, driven like a
 * browser without JavaScript: one cookie jar, forms posted urlencoded with this site's Origin.
 */
export async function webApp(options: { now: Date; web?: WebOptions | 'none' }) {
  const table = await freshTable();
  const tableRef = { doc: createDocumentClient(table.client), tableName: table.tableName };
  let now = options.now;
  const evidence = testEvidence(tableRef, { clock: () => now });
  const services = createServices(tableRef, {
    evidenceFiles: evidence.store,
    fieldCipher: TEST_FIELD_CIPHER,
  });
  const errors: Record<string, unknown>[] = [];
  const web =
    options.web === 'none'
      ? undefined
      : (options.web ?? { signIn: localSignIn({ units: services.units, secret: TEST_SECRET }) });
  const app = createApp({
    ...services,
    evidence: evidence.service,
    verifyToken: hs256Verifier(TEST_SECRET),
    clock: () => now,
    logError: (e) => errors.push(e),
    ...(web === undefined ? {} : { web }),
  });

  /** A browser: its own session cookie. */
  function browser() {
    let cookie: string | undefined;

    async function send(path: string, init: RequestInit & { headers?: Record<string, string> }) {
      const headers: Record<string, string> = { ...init.headers };
      if (cookie !== undefined) headers.cookie = `duban_session=${cookie}`;
      const res = await app.request(path, { ...init, headers });
      const setCookie = res.headers.get('set-cookie');
      const match = setCookie?.match(/duban_session=([^;]*)/);
      if (match !== null && match !== undefined) cookie = match[1] === '' ? undefined : match[1];
      const html = await res.text();
      return {
        status: res.status,
        html,
        location: res.headers.get('location'),
        setCookie,
        bytes: Buffer.byteLength(html),
        headers: res.headers,
      } satisfies PageResponse;
    }

    const page = {
      get: (path: string) => send(path, { method: 'GET' }),
      /** Posts a form; `csrf` defaults to this session's token, `origin` to this site. */
      async post(
        path: string,
        fields: Record<string, string | string[]>,
        opts: { csrf?: string | null; origin?: string | null } = {},
      ) {
        const body = new URLSearchParams();
        for (const [name, value] of Object.entries(fields)) {
          for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
        }
        const token = opts.csrf === undefined ? await page.csrf() : opts.csrf;
        if (token !== null) body.append('_csrf', token);
        const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
        const origin = opts.origin === undefined ? ORIGIN : opts.origin;
        if (origin !== null) headers.origin = origin;
        return send(path, { method: 'POST', body: body.toString(), headers });
      },
      /** The anti-forgery token, as a page of this session carries it. */
      async csrf(): Promise<string> {
        const res = await send('/plans', { method: 'GET' });
        const my = res.status === 200 ? res : await send('/my', { method: 'GET' });
        const token = my.html.match(/name="_csrf" value="([^"]+)"/)?.[1];
        if (token === undefined) throw new Error(`no csrf token on the page (status ${my.status})`);
        return token;
      },
      async signIn(user: string) {
        const res = await page.post('/signin', { user, next: '/' }, { csrf: null });
        if (res.status !== 303) throw new Error(`sign-in as ${user} failed: ${res.status} ${res.html}`);
        return res;
      },
      cookie: () => cookie,
      setCookie: (value: string | undefined) => {
        cookie = value;
      },
    };
    return page;
  }

  return {
    app,
    services,
    /** The evidence store's upload route, which answers the upload URLs the pages hand out. */
    uploads: evidence.uploads,
    /** The DynamoDB Local client under the app (a test may count what the pages send through it). */
    client: table.client,
    tableRef,
    errors,
    browser,
    setNow: (d: Date) => {
      now = d;
    },
  };
}

/** The text of the element carrying `data-<attr>="<value>"`, up to its closing tag (rough, for asserts). */
export function block(html: string, attr: string, value: string, tag = 'article'): string {
  const start = html.indexOf(`data-${attr}="${value}"`);
  if (start < 0) return '';
  const end = html.indexOf(`</${tag}>`, start);
  return html.slice(start, end < 0 ? undefined : end);
}
