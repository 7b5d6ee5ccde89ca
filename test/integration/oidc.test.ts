import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcVerifier } from '../../shared/auth/oidc.js';
import type { TokenVerifier } from '../../shared/auth/tokens.js';
import { AppError } from '../../shared/errors.js';

// A real issuer on the loopback interface: OIDC discovery and a JWKS served over HTTP, real keys,
// real signatures. Nothing is mocked.

const NOW = new Date('2026-05-16T02:00:00Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const AUDIENCE = 'duban-web';

interface Issuer {
  server: Server;
  url: string;
  hits: { discovery: number; jwks: number };
}

async function startIssuer(
  path: string,
  answer: (url: string, base: string) => { status: number; body: unknown },
): Promise<Issuer> {
  const hits = { discovery: 0, jwks: 0 };
  let base = '';
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.endsWith('/.well-known/openid-configuration')) hits.discovery += 1;
    if (url.endsWith('/jwks')) hits.jwks += 1;
    const { status, body } = answer(url, base);
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return { server, url: base, hits };
}

let rsKey: CryptoKey;
let esKey: CryptoKey;
let otherKey: CryptoKey;
let issuer: Issuer;
let brokenIssuer: Issuer;
let lyingIssuer: Issuer;

beforeAll(async () => {
  const rs = await generateKeyPair('RS256', { extractable: true });
  const es = await generateKeyPair('ES256', { extractable: true });
  otherKey = (await generateKeyPair('RS256')).privateKey;
  rsKey = rs.privateKey;
  esKey = es.privateKey;
  const keys: JWK[] = [
    { ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
  ];

  issuer = await startIssuer('/realms/county', (url, base) => {
    if (url === '/realms/county/.well-known/openid-configuration') {
      return { status: 200, body: { issuer: base, jwks_uri: `${base}/jwks` } };
    }
    if (url === '/realms/county/jwks') return { status: 200, body: { keys } };
    return { status: 404, body: {} };
  });
  brokenIssuer = await startIssuer('', () => ({ status: 500, body: { message: 'down' } }));
  lyingIssuer = await startIssuer('', (url) => ({
    status: 200,
    body: url.endsWith('/jwks')
      ? { keys }
      : { issuer: 'https://evil.example', jwks_uri: 'https://evil.example/k' },
  }));
});

afterAll(async () => {
  for (const { server } of [issuer, brokenIssuer, lyingIssuer]) {
    server.close();
    await once(server, 'close');
  }
});

function verifier(overrides: Partial<Parameters<typeof oidcVerifier>[0]> = {}): TokenVerifier {
  return oidcVerifier({ issuer: issuer.url, audience: [AUDIENCE], clock: () => NOW, ...overrides });
}

async function sign(
  claims: JWTPayload,
  options: { key?: CryptoKey; alg?: 'RS256' | 'ES256'; kid?: string; iss?: string | null } = {},
): Promise<string> {
  const alg = options.alg ?? 'RS256';
  const jwt = new SignJWT({
    sub: 'user-1',
    aud: AUDIENCE,
    iat: NOW_S - 10,
    exp: NOW_S + 3600,
    role: 'office',
    ...claims,
  }).setProtectedHeader({ alg, kid: options.kid ?? (alg === 'ES256' ? 'es-1' : 'rs-1'), typ: 'JWT' });
  if (options.iss !== null) jwt.setIssuer(options.iss ?? issuer.url);
  return jwt.sign(options.key ?? (alg === 'ES256' ? esKey : rsKey));
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The status and code the app would answer with, or 'ok' and the principal. */
async function outcome(verify: TokenVerifier, token: string) {
  try {
    return { ok: await verify(token) };
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, code: err.code };
    throw err;
  }
}

const REFUSED = { status: 401, code: 'unauthorized' };

describe('OIDC verifier: valid tokens', () => {
  it('accepts an RS256 ID token and maps role and unit from the claims', async () => {
    const token = await sign({ role: 'unit', unitId: 'edu-bureau' });
    expect(await outcome(verifier(), token)).toEqual({
      ok: { sub: 'user-1', role: 'unit', unitId: 'edu-bureau' },
    });
  });

  it('accepts an ES256 token and drops unitId for roles other than unit', async () => {
    const token = await sign({ role: 'leader', unitId: 'edu-bureau' }, { alg: 'ES256' });
    expect(await outcome(verifier(), token)).toEqual({ ok: { sub: 'user-1', role: 'leader' } });
  });

  it('accepts an audience list that contains ours', async () => {
    const token = await sign({ aud: ['account', AUDIENCE] });
    expect(await outcome(verifier(), token)).toEqual({ ok: { sub: 'user-1', role: 'office' } });
  });

  it('reads Cognito custom attributes from an ID token (aud) and an access token (client_id)', async () => {
    const cognito = verifier({ roleClaim: 'custom:role', unitClaim: 'custom:unitId' });
    const claims = { role: undefined, 'custom:role': 'unit', 'custom:unitId': 'town-a' };
    const idToken = await sign({ ...claims, token_use: 'id' });
    const accessToken = await sign({ ...claims, aud: undefined, client_id: AUDIENCE, token_use: 'access' });
    const principal = { ok: { sub: 'user-1', role: 'unit', unitId: 'town-a' } };
    expect(await outcome(cognito, idToken)).toEqual(principal);
    expect(await outcome(cognito, accessToken)).toEqual(principal);
  });

  it('fetches discovery and the key set once and then serves from the cache', async () => {
    const before = { ...issuer.hits };
    const verify = verifier();
    const tokens = await Promise.all([sign({}), sign({}, { alg: 'ES256' }), sign({ role: 'leader' })]);
    for (let round = 0; round < 5; round += 1) {
      for (const token of tokens) expect(await outcome(verify, token)).toHaveProperty('ok');
    }
    expect(issuer.hits.discovery - before.discovery).toBe(1);
    expect(issuer.hits.jwks - before.jwks).toBe(1);
  });
});

describe('OIDC verifier: refused tokens', () => {
  it('refuses an expired token', async () => {
    expect(await outcome(verifier(), await sign({ exp: NOW_S - 3600 }))).toEqual(REFUSED);
  });

  it('refuses a token without exp', async () => {
    expect(await outcome(verifier(), await sign({ exp: undefined }))).toEqual(REFUSED);
  });

  it('refuses a token for another audience, also in client_id', async () => {
    expect(await outcome(verifier(), await sign({ aud: 'another-app' }))).toEqual(REFUSED);
    expect(await outcome(verifier(), await sign({ aud: undefined, client_id: 'another-app' }))).toEqual(
      REFUSED,
    );
    expect(await outcome(verifier(), await sign({ aud: undefined }))).toEqual(REFUSED);
  });

  it('refuses a token from another issuer, or with no issuer', async () => {
    expect(
      await outcome(verifier(), await sign({}, { iss: 'https://sso.example.gov.cn/realms/other' })),
    ).toEqual(REFUSED);
    expect(await outcome(verifier(), await sign({}, { iss: null }))).toEqual(REFUSED);
  });

  it('refuses a token signed by another key, under our kid or an unknown one', async () => {
    expect(await outcome(verifier(), await sign({}, { key: otherKey }))).toEqual(REFUSED);
    expect(await outcome(verifier(), await sign({}, { key: otherKey, kid: 'attacker' }))).toEqual(REFUSED);
  });

  it('refuses alg none, without asking the issuer', async () => {
    const before = { ...issuer.hits };
    const payload = { sub: 'user-1', aud: AUDIENCE, iss: issuer.url, exp: NOW_S + 3600, role: 'office' };
    const token = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
    expect(await outcome(verifier(), token)).toEqual(REFUSED);
    expect(issuer.hits).toEqual(before);
  });

  it('refuses an HS256 token, even one keyed with the public key material', async () => {
    const jwk = await exportJWK((await generateKeyPair('RS256', { extractable: true })).publicKey);
    const secret = new TextEncoder().encode(JSON.stringify(jwk));
    const token = await new SignJWT({ sub: 'user-1', aud: AUDIENCE, exp: NOW_S + 3600, role: 'office' })
      .setProtectedHeader({ alg: 'HS256', kid: 'rs-1' })
      .setIssuer(issuer.url)
      .sign(secret);
    expect(await outcome(verifier(), token)).toEqual(REFUSED);
  });

  it('refuses a token whose signature or payload was tampered with', async () => {
    const [header, , signature] = (await sign({ role: 'unit', unitId: 'edu-bureau' })).split('.');
    const forged = b64url({
      sub: 'user-1',
      aud: AUDIENCE,
      iss: issuer.url,
      exp: NOW_S + 3600,
      role: 'office',
    });
    expect(await outcome(verifier(), `${header}.${forged}.${signature}`)).toEqual(REFUSED);
    expect(await outcome(verifier(), 'not-a-jwt')).toEqual(REFUSED);
  });

  it('refuses a missing or unknown role, and a unit role without a valid unitId', async () => {
    expect(await outcome(verifier(), await sign({ role: undefined }))).toEqual(REFUSED);
    expect(await outcome(verifier(), await sign({ role: 'admin' }))).toEqual(REFUSED);
    expect(await outcome(verifier(), await sign({ role: 'unit' }))).toEqual(REFUSED);
    expect(await outcome(verifier(), await sign({ role: 'unit', unitId: '' }))).toEqual(REFUSED);
    expect(await outcome(verifier(), await sign({ role: 'unit', unitId: 'Edu Bureau' }))).toEqual(REFUSED);
    // The claim names are configured: a Cognito deployment does not read plain `role`.
    const cognito = verifier({ roleClaim: 'custom:role', unitClaim: 'custom:unitId' });
    expect(await outcome(cognito, await sign({ role: 'office' }))).toEqual(REFUSED);
  });

  it('refuses a token without sub, or with an unknown token_use', async () => {
    expect(await outcome(verifier(), await sign({ sub: undefined }))).toEqual(REFUSED);
    // Signed by the issuer but malformed: still the token's fault (401), not an outage (503).
    const malformed: Record<string, unknown> = { sub: 42, aud: 7 };
    expect(await outcome(verifier(), await sign(malformed))).toEqual(REFUSED);
    expect(await outcome(verifier(), await sign({ token_use: 'refresh' }))).toEqual(REFUSED);
  });
});

describe('OIDC verifier: clock skew', () => {
  it('accepts a token that expired within the 60 s bound and refuses one beyond it', async () => {
    expect(await outcome(verifier(), await sign({ exp: NOW_S - 59 }))).toHaveProperty('ok');
    expect(await outcome(verifier(), await sign({ exp: NOW_S - 61 }))).toEqual(REFUSED);
  });

  it('accepts nbf and iat slightly in the future, refuses them beyond the bound', async () => {
    expect(await outcome(verifier(), await sign({ nbf: NOW_S + 59, iat: NOW_S + 59 }))).toHaveProperty('ok');
    expect(await outcome(verifier(), await sign({ nbf: NOW_S + 61 }))).toEqual(REFUSED);
    expect(await outcome(verifier(), await sign({ iat: NOW_S + 61 }))).toEqual(REFUSED);
  });

  it('takes the bound from its options', async () => {
    const strict = verifier({ clockSkewSeconds: 5 });
    expect(await outcome(strict, await sign({ exp: NOW_S - 4 }))).toHaveProperty('ok');
    expect(await outcome(strict, await sign({ exp: NOW_S - 6 }))).toEqual(REFUSED);
  });
});

describe('OIDC verifier: the issuer is unreachable or wrong', () => {
  it('answers 503, not 401, while the issuer cannot serve its keys', async () => {
    const verify = oidcVerifier({ issuer: brokenIssuer.url, audience: [AUDIENCE], clock: () => NOW });
    const token = await sign({}, { iss: brokenIssuer.url });
    expect(await outcome(verify, token)).toEqual({ status: 503, code: 'unavailable' });
    // Not cached: the next call asks again.
    expect(await outcome(verify, token)).toEqual({ status: 503, code: 'unavailable' });
    expect(brokenIssuer.hits.discovery).toBe(2);
  });

  it('refuses a discovery document that names another issuer', async () => {
    const verify = oidcVerifier({ issuer: lyingIssuer.url, audience: [AUDIENCE], clock: () => NOW });
    expect(await outcome(verify, await sign({}, { iss: lyingIssuer.url }))).toEqual({
      status: 503,
      code: 'unavailable',
    });
  });

  it('uses a configured JWKS URI without discovery', async () => {
    const verify = oidcVerifier({
      issuer: lyingIssuer.url,
      audience: [AUDIENCE],
      jwksUri: `${lyingIssuer.url}/jwks`,
      clock: () => NOW,
    });
    expect(await outcome(verify, await sign({}, { iss: lyingIssuer.url }))).toHaveProperty('ok');
  });

  it('refuses to be configured with a plain-http issuer or no audience', () => {
    expect(() =>
      oidcVerifier({ issuer: 'http://sso.example.gov.cn/realms/county', audience: ['x'] }),
    ).toThrow(/https/);
    expect(() => oidcVerifier({ issuer: issuer.url, audience: [] })).toThrow(/audience/);
  });
});
