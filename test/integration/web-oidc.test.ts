import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePending, encodePending, oidcSignIn, pkceChallenge } from '../../functions/web/oidc-sign-in.js';
import type { Principal } from '../../shared/auth/principal.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { TEST_SECRET } from '../fixtures/app.js';
import { serveOnLoopback } from '../fixtures/loopback.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2026-11-25T10:00:00+08:00');
const SITE = 'https://duban.example.gov.cn';
const CALLBACK = `${SITE}/signin/callback`;
const CLIENT = 'duban-web';
const OFFICE: Principal = { sub: 'test-office', role: 'office' };

/**
 * An OpenID Connect issuer on a real loopback server (the code under test reaches it with its own
 * fetch): discovery, a login that issues a code for the request it was sent (the person signs in),
 * and a token endpoint that checks the code, the client, the redirect URI and the PKCE verifier
 * before answering with an ID token.
 */
async function startIssuer() {
  const app = new Hono();
  const server = await serveOnLoopback(app.fetch);
  const ISSUER = `${server.url}/realms/county`;
  const grants = new Map<string, { challenge: string; nonce: string }>();
  let claims: Record<string, string> = { sub: 'zhangsan', role: 'unit', unitId: 'edu-bureau' };
  let nonceOverride: string | undefined;
  app.get('/realms/county/.well-known/openid-configuration', (c) =>
    c.json({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/protocol/openid-connect/auth`,
      token_endpoint: `${ISSUER}/protocol/openid-connect/token`,
    }),
  );
  app.post('/realms/county/protocol/openid-connect/token', async (c) => {
    const body = await c.req.parseBody();
    const code = String(body.code);
    const grant = grants.get(code);
    grants.delete(code);
    const ok =
      grant !== undefined &&
      body.grant_type === 'authorization_code' &&
      body.client_id === CLIENT &&
      body.redirect_uri === CALLBACK &&
      pkceChallenge(String(body.code_verifier)) === grant.challenge;
    if (!ok) return c.json({ error: 'invalid_grant' }, 400);
    const iat = Math.floor(Date.now() / 1000);
    const idToken = await sign(
      { ...claims, iss: ISSUER, aud: CLIENT, iat, exp: iat + 3600, nonce: nonceOverride ?? grant.nonce },
      TEST_SECRET,
      'HS256',
    );
    return c.json({ id_token: idToken, access_token: 'opaque', token_type: 'Bearer' });
  });
  return {
    issuer: ISSUER,
    close: () => server.close(),
    /** The person signs in at the issuer: the browser comes back to this URL. */
    login(authorizeUrl: string): string {
      const q = new URL(authorizeUrl).searchParams;
      const code = `code-${grants.size}-${Math.random().toString(36).slice(2)}`;
      grants.set(code, { challenge: q.get('code_challenge') ?? '', nonce: q.get('nonce') ?? '' });
      return `${q.get('redirect_uri')}?code=${code}&state=${q.get('state')}`;
    },
    setClaims: (next: Record<string, string>) => {
      claims = next;
    },
    replayNonce: (nonce: string | undefined) => {
      nonceOverride = nonce;
    },
  };
}

describe('pages: sign-in at an OpenID Connect issuer (authorization code + PKCE)', () => {
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let ISSUER: string;
  let web: Awaited<ReturnType<typeof webApp>>;

  const cookieOf = (res: Response, name: string) =>
    res.headers
      .getSetCookie()
      .find((c) => c.startsWith(`${name}=`))
      ?.split(';')[0]
      ?.slice(name.length + 1);

  /** Starts a sign-in: where the browser goes, and the pending cookie it carries. */
  async function begin(next = '/my') {
    const res = await web.app.request(`${SITE}/signin?next=${encodeURIComponent(next)}`);
    expect(res.status).toBe(303);
    return {
      authorizeUrl: res.headers.get('location') ?? '',
      pending: cookieOf(res, 'duban_oidc') ?? '',
      res,
    };
  }
  const callback = (url: string, pending?: string) =>
    web.app.request(url, { headers: pending === undefined ? {} : { cookie: `duban_oidc=${pending}` } });

  beforeAll(async () => {
    issuer = await startIssuer();
    ISSUER = issuer.issuer;
    web = await webApp({
      now: NOW,
      web: {
        oidc: oidcSignIn({ issuer: ISSUER, clientId: CLIENT, redirectUri: CALLBACK }),
      },
    });
    await web.services.units.create(
      OFFICE,
      CreateUnitSchema.parse({ id: 'edu-bureau', name: '县教育体育局', kind: 'bureau' }),
      NOW,
    );
  });

  afterAll(() => issuer?.close());

  it('sends the browser to the issuer with state, nonce and an S256 code challenge', async () => {
    const { authorizeUrl, res } = await begin();
    const url = new URL(authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${ISSUER}/protocol/openid-connect/auth`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(CLIENT);
    expect(q.get('redirect_uri')).toBe(CALLBACK);
    expect(q.get('scope')).toContain('openid');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toMatch(/^[\w-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[\w-]{43}$/);
    const pending = res.headers.getSetCookie().find((c) => c.startsWith('duban_oidc='));
    expect(pending).toMatch(/HttpOnly/i);
    expect(pending).toMatch(/SameSite=Lax/i);
    expect(pending).toMatch(/Secure/);
    expect(pending).toMatch(/Path=\/signin/);
    // The verifier travels only in the HttpOnly cookie, never in the URL.
    expect(authorizeUrl).not.toContain('code_verifier');
  });

  it('starts the session with the verified ID token and returns to the page asked for', async () => {
    const { authorizeUrl, pending } = await begin('/my');
    const res = await callback(issuer.login(authorizeUrl), pending);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/my');
    const session = cookieOf(res, 'duban_session');
    expect(session).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('duban_session='))).toMatch(
      /HttpOnly.*Secure|Secure.*HttpOnly/,
    );
    const mine = await web.app.request(`${SITE}/my`, { headers: { cookie: `duban_session=${session}` } });
    expect(mine.status).toBe(200);
    expect(await mine.text()).toContain('我的任务 · 县教育体育局');
  });

  it('returns only to a path on this site, from the sign-in link and from the pending cookie alike', async () => {
    // A hostile `next` on the sign-in link is cleaned before it travels to the issuer and back.
    const linked = await begin('/\t/evil.example');
    expect(decodePending(linked.pending)?.next).toBe('/');
    const fromLink = await callback(issuer.login(linked.authorizeUrl), linked.pending);
    expect(fromLink.headers.get('location')).toBe('/');
    // The pending cookie is the browser's own: one carrying a hostile `next` is cleaned on the way back too.
    for (const next of ['/\t/evil.example', '/\r\n/evil.example', '//evil.example', '/%2e//evil.example']) {
      const { authorizeUrl, pending } = await begin('/my');
      const pendingSignIn = decodePending(pending);
      if (pendingSignIn === undefined) throw new Error('no pending sign-in');
      const tampered = encodePending({ ...pendingSignIn, next });
      const res = await callback(issuer.login(authorizeUrl), tampered);
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.headers.get('location'), JSON.stringify(next)).toBe('/');
    }
  });

  it('refuses a callback whose state is not this browser’s, or with no sign-in pending', async () => {
    const first = await begin();
    const second = await begin();
    const forSecond = issuer.login(second.authorizeUrl);
    const crossed = await callback(forSecond, first.pending);
    expect(crossed.status).toBe(400);
    expect(await crossed.text()).toContain('state 不符');
    expect(cookieOf(crossed, 'duban_session')).toBeUndefined();
    const none = await callback(issuer.login(first.authorizeUrl));
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('登录已过期或不是从本站发起的');
  });

  it('cannot be completed with a stolen code: the issuer wants the PKCE verifier of that request', async () => {
    const victim = await begin();
    const attacker = await begin();
    // The victim's code, replayed into the attacker's browser with the attacker's state.
    const victimCode = new URL(issuer.login(victim.authorizeUrl)).searchParams.get('code');
    const attackerState = new URL(attacker.authorizeUrl).searchParams.get('state');
    const res = await callback(`${CALLBACK}?code=${victimCode}&state=${attackerState}`, attacker.pending);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('身份认证服务暂时无法完成登录');
    expect(cookieOf(res, 'duban_session')).toBeUndefined();
    expect(web.errors.some((e) => e.message === 'oidc sign-in failed')).toBe(true);
  });

  it('refuses an ID token minted for another sign-in (nonce), and an account without a role', async () => {
    const replay = await begin();
    issuer.replayNonce('someone-elses-nonce');
    const replayed = await callback(issuer.login(replay.authorizeUrl), replay.pending);
    issuer.replayNonce(undefined);
    expect(replayed.status).toBe(400);
    expect(await replayed.text()).toContain('nonce 不符');

    issuer.setClaims({ sub: 'visitor' });
    const noRole = await begin();
    const refused = await callback(issuer.login(noRole.authorizeUrl), noRole.pending);
    issuer.setClaims({ sub: 'zhangsan', role: 'unit', unitId: 'edu-bureau' });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('此账号不能登录督办系统');
    expect(cookieOf(refused, 'duban_session')).toBeUndefined();
  });

  it('shows the issuer’s refusal (the person cancelled) without starting a session', async () => {
    const { pending } = await begin();
    const res = await callback(`${CALLBACK}?error=access_denied&state=x`, pending);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('access_denied');
    expect(cookieOf(res, 'duban_session')).toBeUndefined();
  });
});
