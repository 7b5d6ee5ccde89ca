import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { UnauthorizedError, UnavailableError } from '../errors.js';
import { httpsOrLoopback } from './issuer-url.js';
import { principalFromClaims } from './principal.js';
import type { TokenVerifier } from './tokens.js';

/** Asymmetric only: a verifier that accepted HS* could be fed a token "signed" with the public key. */
export const OIDC_ALGORITHMS = ['RS256', 'ES256'] as const;

/** How far a token's exp, nbf and iat may be off from our clock (the issuer's clock drifts too). */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

export interface OidcVerifierOptions {
  /** The issuer URL exactly as it appears in the tokens' `iss` claim. */
  readonly issuer: string;
  /**
   * Accepted audiences: a token's `aud` must contain one of them; a token without `aud` (a Cognito
   * access token) must carry one of them in `client_id` instead — the rule API Gateway applies.
   */
  readonly audience: readonly string[];
  /** Claim that carries the role (office | leader | unit). @default 'role' (Cognito: 'custom:role') */
  readonly roleClaim?: string;
  /** Claim that carries a unit user's unit id. @default 'unitId' (Cognito: 'custom:unitId') */
  readonly unitClaim?: string;
  /** The key set's URL. @default the `jwks_uri` of the issuer's OpenID discovery document */
  readonly jwksUri?: string;
  /** @default DEFAULT_CLOCK_SKEW_SECONDS */
  readonly clockSkewSeconds?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Time limit for each discovery or key-set request. @default 5000 */
  readonly fetchTimeoutMs?: number;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

function assertSafeUrl(url: URL, what: string): void {
  if (!httpsOrLoopback(url)) throw new Error(`${what} must be an https URL: ${url.href}`);
}

async function discoverJwksUri(issuer: string, timeoutMs: number): Promise<URL> {
  const url = new URL(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (response.status !== 200) throw new Error(`OIDC discovery answered ${response.status}`);
  const document: unknown = await response.json();
  if (typeof document !== 'object' || document === null) throw new Error('OIDC discovery: not an object');
  const { issuer: advertised, jwks_uri: jwksUri } = document as Record<string, unknown>;
  // OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was fetched for.
  if (advertised !== issuer) throw new Error(`OIDC discovery names another issuer: ${String(advertised)}`);
  if (typeof jwksUri !== 'string') throw new Error('OIDC discovery: no jwks_uri');
  const jwks = new URL(jwksUri);
  assertSafeUrl(jwks, 'jwks_uri');
  return jwks;
}

function audienceMatches(payload: JWTPayload, accepted: readonly string[]): boolean {
  const { aud } = payload;
  if (aud !== undefined) {
    const list = Array.isArray(aud) ? aud : [aud];
    return list.some((value) => accepted.includes(value));
  }
  const clientId = payload.client_id;
  return typeof clientId === 'string' && accepted.includes(clientId);
}

/**
 * The issuer could not give us its keys (down, slow, misconfigured): that is our outage, answered
 * 503, not the caller's bad token. Only failures on the way to the keys are wrapped in it.
 */
class KeySetUnavailable extends Error {}

/**
 * A TokenVerifier for any OpenID Connect issuer (Cognito, Keycloak, Authing, a province's SSO).
 *
 * The signature is checked against the issuer's JWKS — located by OIDC discovery unless `jwksUri`
 * is given — which is fetched on first use and cached (jose refreshes it every 10 minutes, and at
 * most every 30 s when a token names an unknown key, so key rotation works and forged `kid`s cannot
 * make us hammer the issuer). Only RS256 and ES256 are accepted: `alg: none` and HS* are refused
 * before any key is looked up. `iss` must match exactly, `exp` is required, and exp/nbf/iat are
 * checked with a bounded clock skew.
 *
 * Both ID tokens and access tokens are accepted. An ID token names the client in `aud`; a Cognito
 * access token has no `aud` and names it in `client_id`, which is then checked instead. Role and
 * unit come from the configured claims: Cognito puts custom attributes (`custom:role`,
 * `custom:unitId`) into ID tokens only, so with Cognito send the ID token (or add the claims to
 * access tokens with a pre-token-generation trigger).
 */
export function oidcVerifier(options: OidcVerifierOptions): TokenVerifier {
  const issuer = options.issuer;
  assertSafeUrl(new URL(issuer), 'The OIDC issuer');
  const audience = options.audience.filter((value) => value.length > 0);
  if (audience.length === 0) throw new Error('An OIDC verifier needs at least one audience');
  const roleClaim = options.roleClaim ?? 'role';
  const unitClaim = options.unitClaim ?? 'unitId';
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const clock = options.clock ?? (() => new Date());
  const timeoutMs = options.fetchTimeoutMs ?? 5000;

  const fixedJwksUri = options.jwksUri === undefined ? undefined : new URL(options.jwksUri);
  if (fixedJwksUri) assertSafeUrl(fixedJwksUri, 'The JWKS URI');

  // One key set per verifier (per Lambda container); a failed discovery is retried on the next call.
  let keySet: Promise<KeySet> | undefined;
  const getKeySet = (): Promise<KeySet> => {
    if (!keySet) {
      const pending = (
        fixedJwksUri ? Promise.resolve(fixedJwksUri) : discoverJwksUri(issuer, timeoutMs)
      ).then((url) => createRemoteJWKSet(url, { timeoutDuration: timeoutMs }));
      pending.catch(() => {
        if (keySet === pending) keySet = undefined;
      });
      keySet = pending;
    }
    return keySet;
  };
  // Called by jose only after the header passed the algorithm check, so `alg: none` and HS* tokens
  // are refused without a network call.
  const getKey: JWTVerifyGetKey = async (header, token) => {
    let keys: KeySet;
    try {
      keys = await getKeySet();
    } catch (cause) {
      throw new KeySetUnavailable('OIDC discovery failed', { cause });
    }
    try {
      return await keys(header, token);
    } catch (err) {
      // No (single) key for the token's kid is the token's problem; anything else is fetching.
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys)
        throw err;
      throw new KeySetUnavailable('The JWKS could not be fetched', { cause: err });
    }
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer,
        algorithms: [...OIDC_ALGORITHMS],
        clockTolerance: skew,
        currentDate: clock(),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      if (err instanceof KeySetUnavailable)
        throw new UnavailableError('暂时无法校验令牌(身份服务不可用),请稍后重试');
      if (err instanceof errors.JWTExpired) throw new UnauthorizedError('令牌已过期,请重新登录');
      throw new UnauthorizedError('令牌无效');
    }

    const nowSeconds = Math.floor(clock().getTime() / 1000);
    // jose checks iat only against a maximum age; a token issued in the future is refused here.
    if (typeof payload.iat === 'number' && payload.iat > nowSeconds + skew) {
      throw new UnauthorizedError('令牌的签发时间 (iat) 晚于当前时间');
    }
    if (!audienceMatches(payload, audience)) throw new UnauthorizedError('令牌不是签发给本系统的 (aud)');
    const tokenUse = payload.token_use;
    if (tokenUse !== undefined && tokenUse !== 'id' && tokenUse !== 'access') {
      throw new UnauthorizedError('令牌类型 (token_use) 无效');
    }

    return principalFromClaims(payload, { roleClaim, unitClaim });
  };
}
