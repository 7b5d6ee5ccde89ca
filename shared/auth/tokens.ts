import { sign, verify } from 'hono/jwt';
import { UnauthorizedError } from '../errors.js';
import { type Principal, principalFromClaims } from './principal.js';

/** Verifies a bearer token and returns the principal it names, or throws UnauthorizedError. */
export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * HS256 verifier for the local runtime and the first AWS deployment. The algorithm is pinned, so
 * `alg: none` and tokens signed with another key or algorithm are refused; `exp` is required.
 */
export function hs256Verifier(secret: string): TokenVerifier {
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      payload = await verify(token, secret, 'HS256');
    } catch {
      throw new UnauthorizedError('令牌无效或已过期');
    }
    if (typeof payload.exp !== 'number') throw new UnauthorizedError('令牌缺少过期时间 (exp)');
    return principalFromClaims(payload);
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
