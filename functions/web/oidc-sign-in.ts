import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { httpsOrLoopback } from '../../shared/auth/issuer-url.js';

/**
 * The pages' OpenID Connect client: the authorization code flow with PKCE, as a public client
 * (preferred) or, for an issuer that insists, a confidential one.
 */
export interface OidcSignInConfig {
  /** The issuer exactly as in its tokens' `iss` (Cognito: `https://cognito-idp.<region>.amazonaws.com/<pool>`). */
  issuer: string;
  /** The web client's id. */
  clientId: string;
  /**
   * Only for an issuer that requires a confidential client: sent with the code (HTTP Basic,
   * `client_secret_basic`, the OAuth 2.0 default). A public client protected by PKCE has none.
   */
  clientSecret?: string | undefined;
  /** This site's `/signin/callback` as an absolute URL, registered with the client. */
  redirectUri: string;
  /** @default 'openid profile email' */
  scope?: string | undefined;
  /**
   * Where the issuer sends the browser after signing out there, registered with the client. Without
   * it, signing out ends only this site's session (and the issuer's may sign the person straight in).
   */
  postLogoutRedirectUri?: string | undefined;
  /**
   * Cognito's `/logout` on the hosted-UI domain, which takes `client_id` and `logout_uri`: Cognito
   * publishes no `end_session_endpoint`. Other issuers' end-session endpoint comes from discovery
   * (OpenID Connect RP-Initiated Logout 1.0).
   */
  cognitoLogoutEndpoint?: string | undefined;
  /** Time limit for each request to the issuer. @default 5000 */
  timeoutMs?: number;
}

/** What the browser carries (in a short-lived cookie) between leaving for the issuer and coming back. */
export interface PendingSignIn {
  state: string;
  verifier: string;
  nonce: string;
  next: string;
}

interface Endpoints {
  authorization: string;
  token: string;
  endSession?: string;
}

/** The issuer refused or could not be reached; the message is for the log, never for the page. */
export class OidcFlowError extends Error {}

const random = () => randomBytes(32).toString('base64url');
/** The S256 code challenge of a PKCE verifier (RFC 7636). */
export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** https only, except on the loopback interface. */
function safeUrl(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new OidcFlowError(`OIDC discovery: no ${what}`);
  const url = new URL(value);
  if (!httpsOrLoopback(url)) throw new OidcFlowError(`OIDC ${what} must be https: ${url.href}`);
  return url.href;
}

/** A pending sign-in as a cookie value. */
export function encodePending(pending: PendingSignIn): string {
  return Buffer.from(JSON.stringify(pending), 'utf8').toString('base64url');
}

/** The pending sign-in a cookie carries, or undefined for none or a damaged one. */
export function decodePending(value: string | undefined): PendingSignIn | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { state, verifier, nonce, next } = parsed as Record<string, unknown>;
    if ([state, verifier, nonce, next].every((v) => typeof v === 'string')) {
      return { state, verifier, nonce, next } as PendingSignIn;
    }
  } catch {
    // A damaged cookie is simply no pending sign-in.
  }
  return undefined;
}

/** Compares secrets (the state) in constant time. */
export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The `nonce` claim of a token whose signature has already been verified. */
export function nonceOf(token: string): unknown {
  try {
    const payload: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null
      ? (payload as Record<string, unknown>).nonce
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The authorization code flow with PKCE (RFC 7636, S256) against an OpenID Connect issuer: `begin`
 * says where to send the browser and what it must bring back (state, the PKCE verifier, the
 * nonce); `finish` trades the code for the ID token, which the caller verifies like any bearer
 * token and keeps as the session. Endpoints come from the issuer's discovery document.
 */
export function oidcSignIn(config: OidcSignInConfig) {
  const timeout = config.timeoutMs ?? 5000;
  let endpoints: Promise<Endpoints> | undefined;

  async function discover(): Promise<Endpoints> {
    const url = `${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const res = await fetch(url, { signal: AbortSignal.timeout(timeout) });
    if (res.status !== 200) throw new OidcFlowError(`OIDC discovery answered ${res.status}`);
    const doc = (await res.json()) as Record<string, unknown>;
    if (doc.issuer !== config.issuer)
      throw new OidcFlowError(`OIDC discovery names another issuer: ${String(doc.issuer)}`);
    return {
      authorization: safeUrl(doc.authorization_endpoint, 'authorization_endpoint'),
      token: safeUrl(doc.token_endpoint, 'token_endpoint'),
      ...(doc.end_session_endpoint === undefined
        ? {}
        : { endSession: safeUrl(doc.end_session_endpoint, 'end_session_endpoint') }),
    };
  }

  function endpointsOnce(): Promise<Endpoints> {
    endpoints ??= discover().catch((err: unknown) => {
      // A failed discovery is tried again on the next sign-in.
      endpoints = undefined;
      throw err;
    });
    return endpoints;
  }

  return {
    async begin(next: string): Promise<{ url: string; pending: PendingSignIn }> {
      const { authorization } = await endpointsOnce();
      const pending: PendingSignIn = { state: random(), verifier: random(), nonce: random(), next };
      const url = new URL(authorization);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: config.clientId,
        redirect_uri: config.redirectUri,
        scope: config.scope ?? 'openid profile email',
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: pkceChallenge(pending.verifier),
        code_challenge_method: 'S256',
      }).toString();
      return { url: url.href, pending };
    },

    /** The ID token for `code`; throws OidcFlowError if the issuer refuses or answers oddly. */
    async finish(code: string, pending: PendingSignIn): Promise<string> {
      const { token } = await endpointsOnce();
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      };
      if (config.clientSecret !== undefined) {
        // RFC 6749 §2.3.1: both parts form-urlencoded before the Basic encoding.
        const form = (value: string) => new URLSearchParams([['', value]]).toString().slice(1);
        const pair = `${form(config.clientId)}:${form(config.clientSecret)}`;
        headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
      }
      const res = await fetch(token, {
        method: 'POST',
        headers,
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: config.redirectUri,
          client_id: config.clientId,
          code_verifier: pending.verifier,
        }).toString(),
        signal: AbortSignal.timeout(timeout),
      });
      const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (res.status !== 200)
        throw new OidcFlowError(`OIDC token endpoint answered ${res.status} ${String(body.error)}`);
      if (typeof body.id_token !== 'string') throw new OidcFlowError('OIDC token endpoint sent no id_token');
      return body.id_token;
    },

    /**
     * Where to send the browser to end the session at the issuer too, or undefined where the issuer
     * offers no way back (no post-logout URI configured, no end-session endpoint). `idToken` is
     * the session's token, passed as `id_token_hint` where the standard asks for it.
     */
    async signOutUrl(idToken: string | undefined): Promise<string | undefined> {
      const back = config.postLogoutRedirectUri;
      if (back === undefined) return undefined;
      if (config.cognitoLogoutEndpoint !== undefined) {
        const url = new URL(safeUrl(config.cognitoLogoutEndpoint, 'logout endpoint'));
        url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: back }).toString();
        return url.href;
      }
      const { endSession } = await endpointsOnce();
      if (endSession === undefined) return undefined;
      const url = new URL(endSession);
      url.search = new URLSearchParams({
        client_id: config.clientId,
        post_logout_redirect_uri: back,
        ...(idToken === undefined ? {} : { id_token_hint: idToken }),
      }).toString();
      return url.href;
    },
  };
}

export type OidcSignIn = ReturnType<typeof oidcSignIn>;
