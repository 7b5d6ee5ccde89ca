import { sign, verify } from 'hono/jwt';
import { UnauthorizedError } from '../errors.js';
import { type Principal, ROLES, type Role } from './principal.js';

/** Verifies a bearer token and returns the principal it names, or throws UnauthorizedError. */
export type TokenVerifier = (token: string) => Promise<Principal>;

const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

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
    const { sub, role, unitId, exp } = payload;
    if (typeof exp !== 'number') throw new UnauthorizedError('令牌缺少过期时间 (exp)');
    if (typeof sub !== 'string' || sub.length === 0) throw new UnauthorizedError('令牌缺少用户标识 (sub)');
    if (!isRole(role)) throw new UnauthorizedError('令牌中的角色 (role) 无效');
    if (role === 'unit') {
      if (typeof unitId !== 'string' || unitId.length === 0) {
        throw new UnauthorizedError('单位用户的令牌缺少单位编号 (unitId)');
      }
      return { sub, role, unitId };
    }
    return { sub, role };
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
