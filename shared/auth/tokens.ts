import { sign, verify } from 'hono/jwt';
import { UnauthorizedError } from '../errors.js';
import { type Principal, principalFromClaims } from './principal.js';

/** Verifies a bearer token and returns the principal it names, or throws UnauthorizedError. */
export type TokenVerifier = (token: string) => Promise<Principal>;

/** How many verified tokens one verifier remembers; the oldest is forgotten first. */
const REMEMBERED_TOKENS = 1_000;

/**
 * HS256 verifier for the local runtime and the first AWS deployment. The algorithm is pinned, so
 * `alg: none` and tokens signed with another key or algorithm are refused; `exp` is required.
 *
 * A token that passed is remembered until its `exp`, so a clerk's token is checked once rather than
 * on every request (WebCrypto's HMAC costs a thread-pool hop and 0.1–0.2 ms of CPU each time). Only
 * a verified token is ever remembered, and it stops working at its `exp` exactly as before.
 */
export function hs256Verifier(secret: string): TokenVerifier {
  const verified = new Map<string, { principal: Principal; exp: number }>();
  return async (token) => {
    const known = verified.get(token);
    if (known !== undefined) {
      // The same rule as the full check: expired once `exp` is not after the current second.
      if (known.exp > Math.floor(Date.now() / 1000)) return known.principal;
      verified.delete(token);
    }
    let payload: Record<string, unknown>;
    try {
      payload = await verify(token, secret, 'HS256');
    } catch {
      throw new UnauthorizedError('令牌无效或已过期');
    }
    if (typeof payload.exp !== 'number') throw new UnauthorizedError('令牌缺少过期时间 (exp)');
    const principal = Object.freeze(principalFromClaims(payload));
    verified.set(token, { principal, exp: payload.exp });
    if (verified.size > REMEMBERED_TOKENS) {
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
    return principal;
  };
}

/** Issues an HS256 token; used by the local token command, the demo sign-in and tests. */
export async function issueHs256Token(
  secret: string,
  principal: Principal,
  options: { now?: Date; ttlSeconds?: number } = {},
): Promise<string> {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const exp = iat + (options.ttlSeconds ?? 12 * 3600);
  const claims: Record<string, string | number> = { sub: principal.sub, role: principal.role, iat, exp };
  if (principal.unitId !== undefined) claims.unitId = principal.unitId;
  return sign(claims, secret, 'HS256');
}
