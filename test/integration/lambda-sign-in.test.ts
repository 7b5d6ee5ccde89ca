import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import { afterAll, describe, expect, it } from 'vitest';
import { clientSecretFrom } from '../../functions/site/oidc-client-secret.js';
import { createSiteApp } from '../../functions/site/site-app.js';
import { loadSiteDeps } from '../../functions/site/site-deps.js';
import { decodePending, oidcSignIn, pkceChallenge } from '../../functions/web/oidc-sign-in.js';
import { CSRF_FIELD, csrfTokenFor } from '../../functions/web/session.js';
import { parseLambdaConfig } from '../../shared/config.js';
import { TEST_SECRET } from '../fixtures/app.js';
import { serveOnLoopback } from '../fixtures/loopback.js';
import { webApp } from './web-harness.js';

// What the stack gives the API and site functions in the Cognito variant (test/infra/hardening.test.ts).
const POOL_ISSUER = 'https://cognito-idp.ap-east-1.amazonaws.com/ap-east-1_Duban0001';
const HOSTED_UI = 'https://duban-123456789012.auth.ap-east-1.amazoncognito.com';
const SITE = 'https://abc123.execute-api.ap-east-1.amazonaws.com';
const CLIENT = '5d3bq0client';
const LAMBDA_ENV = {
  TABLE_NAME: 'duban',
  AUDIT_TABLE_NAME: 'duban-audit',
  AWS_REGION: 'ap-east-1',
  EVIDENCE_BUCKET: 'duban-evidence-bucket',
  DUBAN_RUNTIME: 'aws',
  DUBAN_OIDC_ISSUER: POOL_ISSUER,
  DUBAN_OIDC_AUDIENCE: CLIENT,
  DUBAN_ROLE_CLAIM: 'custom:role',
  DUBAN_UNIT_CLAIM: 'custom:unitId',
  DUBAN_OIDC_CLIENT_ID: CLIENT,
  DUBAN_OIDC_REDIRECT_URI: `${SITE}/signin/callback`,
  DUBAN_OIDC_SCOPES: 'openid profile email',
  DUBAN_OIDC_POST_LOGOUT_URI: `${SITE}/signin`,
  DUBAN_OIDC_COGNITO_LOGOUT_ENDPOINT: `${HOSTED_UI}/logout`,
};
const SECRET_ARN = 'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:duban/oidc-client-AbCdEf';

/**
 * An OpenID Connect issuer on a real loopback server, at `path` (the code under test reaches it
 * with its own fetch): its discovery document, and a token endpoint that checks the code, the
 * client, the redirect URI, the PKCE verifier and, for a confidential client, the HTTP Basic client
 * authentication, before answering with an ID token. `requests` lists every URL it was asked for.
 */
async function startIssuer(options: {
  path: string;
  /** Where the browser signs in; `{issuer}` stands for the issuer's own URL. */
  authorizationEndpoint: string;
  clientId: string;
  redirectUri: string;
  endSessionEndpoint?: string;
  clientSecret?: string;
}) {
  const { path } = options;
  const grants = new Map<string, { challenge: string; nonce: string }>();
  const requests: string[] = [];
  const app = new Hono();
  const server = await serveOnLoopback(app.fetch);
  running.push(server);
  const issuer = `${server.url}${path}`;
  const at = (endpoint: string) => endpoint.replace('{issuer}', issuer);
  app.use('*', async (c, next) => {
    requests.push(c.req.url);
    await next();
  });
  app.get(`${path}/.well-known/openid-configuration`, (c) =>
    c.json({
      issuer,
      authorization_endpoint: at(options.authorizationEndpoint),
      token_endpoint: `${issuer}/token`,
      ...(options.endSessionEndpoint === undefined
        ? {}
        : { end_session_endpoint: at(options.endSessionEndpoint) }),
    }),
  );
  app.post(`${path}/token`, async (c) => {
    const body = await c.req.parseBody();
    const grant = grants.get(String(body.code));
    grants.delete(String(body.code));
    // RFC 6749 §2.3.1: Basic over the form-urlencoded id and secret.
    const [id, secret] = Buffer.from((c.req.header('authorization') ?? '').replace(/^Basic /, ''), 'base64')
      .toString('utf8')
      .split(':')
      .map((part) => new URLSearchParams(`v=${part}`).get('v'));
    const ok =
      grant !== undefined &&
      body.grant_type === 'authorization_code' &&
      body.client_id === options.clientId &&
      body.redirect_uri === options.redirectUri &&
      pkceChallenge(String(body.code_verifier)) === grant.challenge &&
      (options.clientSecret === undefined
        ? c.req.header('authorization') === undefined
        : id === options.clientId && secret === options.clientSecret);
    if (!ok) return c.json({ error: 'invalid_grant' }, 400);
    const iat = Math.floor(Date.now() / 1000);
    const claims = { sub: 'office-1', role: 'office', iss: issuer, aud: options.clientId };
    return c.json({
      id_token: await sign({ ...claims, iat, exp: iat + 3600, nonce: grant.nonce }, TEST_SECRET),
    });
  });
  return {
    issuer,
    requests,
    close: () => server.close(),
    /** The person signs in at the issuer: the code the browser brings back. */
    login(authorizeUrl: string): string {
      const q = new URL(authorizeUrl).searchParams;
      const code = `code-${Math.random().toString(36).slice(2)}`;
      grants.set(code, { challenge: q.get('code_challenge') ?? '', nonce: q.get('nonce') ?? '' });
      return code;
    },
  };
}

/** Every issuer a test started, stopped when the file is done. */
const running: { close(): Promise<void> }[] = [];
afterAll(() => Promise.all(running.map((server) => server.close())));

const cognitoIssuer = (clientSecret?: string) =>
  startIssuer({
    path: '/ap-east-1_Duban0001',
    authorizationEndpoint: `${HOSTED_UI}/oauth2/authorize`,
    clientId: CLIENT,
    redirectUri: `${SITE}/signin/callback`,
    ...(clientSecret === undefined ? {} : { clientSecret }),
  });

describe('the site Lambda signs the pages in at the deployment’s issuer', () => {
  it('sends /signin to the issuer’s authorize endpoint with PKCE (S256), state and nonce', async () => {
    const issuer = await cognitoIssuer();
    const deps = await loadSiteDeps(
      { ...LAMBDA_ENV, DUBAN_OIDC_ISSUER: issuer.issuer },
      { readSecret: () => Promise.reject(new Error('a public client reads no secret')) },
    );
    const app = createSiteApp({ ...deps, logRequest: () => {}, logError: () => {} });

    const res = await app.request(`${SITE}/signin?next=${encodeURIComponent('/my')}`);
    expect(res.status).toBe(303);
    expect(issuer.requests).toEqual([`${issuer.issuer}/.well-known/openid-configuration`]);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(`${HOSTED_UI}/oauth2/authorize`);
    const q = location.searchParams;
    expect(Object.fromEntries(q)).toMatchObject({
      response_type: 'code',
      client_id: CLIENT,
      redirect_uri: `${SITE}/signin/callback`,
      scope: 'openid profile email',
      code_challenge_method: 'S256',
    });
    expect(q.has('code_verifier')).toBe(false);

    // The verifier waits in an HttpOnly, Secure, SameSite cookie; the URL carries its S256 hash.
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('duban_oidc=')) ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const pending = decodePending(cookie.split(';')[0]?.slice('duban_oidc='.length));
    expect(pending).toMatchObject({ next: '/my', state: q.get('state'), nonce: q.get('nonce') });
    expect(q.get('code_challenge')).toBe(pkceChallenge(pending?.verifier ?? ''));
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);

    // The code goes back for the ID token as a public client: the verifier, no secret.
    const token = await deps.web?.oidc?.finish(
      issuer.login(location.href),
      pending ?? { state: '', verifier: '', nonce: '', next: '/' },
    );
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('reads a confidential client’s secret once, from its ARN, and authenticates the code exchange with it', async () => {
    const issuer = await cognitoIssuer('s3cr3t/with:odd chars');
    const reads: string[] = [];
    const deps = await loadSiteDeps(
      { ...LAMBDA_ENV, DUBAN_OIDC_ISSUER: issuer.issuer, DUBAN_OIDC_CLIENT_SECRET_ARN: SECRET_ARN },
      {
        readSecret: async (arn) => {
          reads.push(arn);
          return clientSecretFrom(JSON.stringify({ client_secret: 's3cr3t/with:odd chars' }), arn);
        },
      },
    );
    expect(reads).toEqual([SECRET_ARN]);
    const oidc = deps.web?.oidc;
    if (oidc === undefined) throw new Error('no OIDC sign-in in the site function deps');
    const { url, pending } = await oidc.begin('/');
    await expect(oidc.finish(issuer.login(url), pending)).resolves.toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // A wrong secret is the issuer's refusal, not a session.
    const wrong = await loadSiteDeps(
      { ...LAMBDA_ENV, DUBAN_OIDC_ISSUER: issuer.issuer, DUBAN_OIDC_CLIENT_SECRET_ARN: SECRET_ARN },
      { readSecret: async () => 'not-the-secret' },
    );
    const second = await wrong.web?.oidc?.begin('/');
    await expect(
      wrong.web?.oidc?.finish(issuer.login(second?.url ?? ''), second?.pending ?? pending),
    ).rejects.toThrow(/invalid_grant/);
    expect(reads).toHaveLength(1);
  });

  it('fails the cold start when the secret cannot be read, without quoting it', async () => {
    await expect(
      loadSiteDeps(
        { ...LAMBDA_ENV, DUBAN_OIDC_CLIENT_SECRET_ARN: SECRET_ARN },
        { readSecret: async (arn) => clientSecretFrom('{"client_secret": ', arn) },
      ),
    ).rejects.toThrow(/neither a plain string nor JSON/);
    expect(() => clientSecretFrom('{"client_secret": "hunter2', SECRET_ARN)).not.toThrow(/hunter2/);
    expect(() => clientSecretFrom('   ', SECRET_ARN)).toThrow(/holds no client secret/);
    expect(() => clientSecretFrom('{"other":"x"}', SECRET_ARN)).toThrow(/holds no client secret/);
    expect(clientSecretFrom(' plain-secret \n', SECRET_ARN)).toBe('plain-secret');
  });

  it('fails the cold start on a half-configured sign-in', () => {
    const without = (key: keyof typeof LAMBDA_ENV) =>
      Object.fromEntries(Object.entries(LAMBDA_ENV).filter(([k]) => k !== key));
    expect(() => parseLambdaConfig(without('DUBAN_OIDC_CLIENT_ID'))).toThrow(/DUBAN_OIDC_CLIENT_ID/);
    expect(() => parseLambdaConfig(without('DUBAN_OIDC_REDIRECT_URI'))).toThrow(/DUBAN_OIDC_REDIRECT_URI/);
    // Its ID tokens name the client in aud: a client the API does not accept could never sign in.
    expect(() => parseLambdaConfig({ ...LAMBDA_ENV, DUBAN_OIDC_CLIENT_ID: 'another' })).toThrow(
      /DUBAN_OIDC_AUDIENCE must include DUBAN_OIDC_CLIENT_ID/,
    );
    expect(() =>
      parseLambdaConfig({
        ...LAMBDA_ENV,
        DUBAN_OIDC_REDIRECT_URI: 'http://duban.example.gov.cn/signin/callback',
      }),
    ).toThrow(/https/);
    expect(() => parseLambdaConfig({ ...LAMBDA_ENV, DUBAN_OIDC_REDIRECT_URI: `${SITE}/callback` })).toThrow(
      /signin\/callback/,
    );
    expect(() => parseLambdaConfig({ ...LAMBDA_ENV, DUBAN_OIDC_SCOPES: 'profile email' })).toThrow(/openid/);
    expect(() => parseLambdaConfig({ ...LAMBDA_ENV, DUBAN_OIDC_CLIENT_SECRET_ARN: 'hunter2' })).toThrow(
      /Secrets Manager/,
    );
    expect(parseLambdaConfig(without('DUBAN_OIDC_SCOPES')).DUBAN_OIDC_SCOPES).toBe('openid profile email');
  });
});

describe('signing out ends the session at the issuer too', () => {
  const PAGES = 'https://duban.example.gov.cn';

  /** Posts the sign-out form of a signed-in office session; answers where the browser goes. */
  async function signOut(oidc: ReturnType<typeof oidcSignIn>) {
    const web = await webApp({ now: new Date(), web: { oidc } });
    const iat = Math.floor(Date.now() / 1000);
    const session = await sign({ sub: 'office-1', role: 'office', iat, exp: iat + 3600 }, TEST_SECRET);
    const res = await web.app.request(`${PAGES}/signout`, {
      method: 'POST',
      headers: {
        cookie: `duban_session=${session}`,
        origin: PAGES,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ [CSRF_FIELD]: csrfTokenFor(session) }).toString(),
    });
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('duban_session='))).toMatch(/Max-Age=0/);
    return { location: new URL(res.headers.get('location') ?? '', PAGES), session, errors: web.errors };
  }

  it('at Cognito’s /logout with the client and the registered sign-out URL', async () => {
    const pool = await cognitoIssuer();
    const { location } = await signOut(
      oidcSignIn({
        issuer: pool.issuer,
        clientId: CLIENT,
        redirectUri: `${SITE}/signin/callback`,
        postLogoutRedirectUri: `${SITE}/signin`,
        cognitoLogoutEndpoint: `${HOSTED_UI}/logout`,
      }),
    );
    // Cognito's /logout is known from the configuration: nothing was asked of the issuer.
    expect(pool.requests).toEqual([]);
    expect(location.origin + location.pathname).toBe(`${HOSTED_UI}/logout`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: CLIENT,
      logout_uri: `${SITE}/signin`,
    });
  });

  it('at another issuer’s end_session_endpoint (RP-initiated logout), with the ID token as a hint', async () => {
    const issuer = await startIssuer({
      path: '/realms/county',
      authorizationEndpoint: '{issuer}/protocol/openid-connect/auth',
      endSessionEndpoint: '{issuer}/protocol/openid-connect/logout',
      clientId: 'duban',
      redirectUri: `${PAGES}/signin/callback`,
    });
    const { location, session } = await signOut(
      oidcSignIn({
        issuer: issuer.issuer,
        clientId: 'duban',
        redirectUri: `${PAGES}/signin/callback`,
        postLogoutRedirectUri: `${PAGES}/signin`,
      }),
    );
    expect(location.origin + location.pathname).toBe(`${issuer.issuer}/protocol/openid-connect/logout`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: 'duban',
      post_logout_redirect_uri: `${PAGES}/signin`,
      id_token_hint: session,
    });
  });

  it('only here when the issuer offers no way back, or cannot be reached', async () => {
    const silent = await startIssuer({
      path: '/realms/county',
      authorizationEndpoint: '{issuer}/auth',
      clientId: 'duban',
      redirectUri: `${PAGES}/signin/callback`,
    });
    const base = { issuer: silent.issuer, clientId: 'duban', redirectUri: `${PAGES}/signin/callback` };
    const noEndpoint = await signOut(oidcSignIn({ ...base, postLogoutRedirectUri: `${PAGES}/signin` }));
    expect(noEndpoint.location.href).toBe(`${PAGES}/signin`);
    const notConfigured = await signOut(oidcSignIn(base));
    expect(notConfigured.location.href).toBe(`${PAGES}/signin`);
    // An issuer whose gateway answers 502 to everything.
    const gateway = await serveOnLoopback(() => new Response('down', { status: 502 }));
    running.push(gateway);
    const down = await signOut(
      oidcSignIn({
        ...base,
        issuer: `${gateway.url}/realms/county`,
        postLogoutRedirectUri: `${PAGES}/signin`,
      }),
    );
    expect(down.location.href).toBe(`${PAGES}/signin`);
    expect(down.errors.some((e) => e.message === 'oidc sign-out failed')).toBe(true);
  });
});
