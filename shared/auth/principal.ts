import { UnauthorizedError } from '../errors.js';
import { SLUG_PATTERN } from '../schemas/common.js';

export const ROLES = ['office', 'leader', 'unit'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established from a verified token. */
export interface Principal {
  sub: string;
  role: Role;
  /** Present exactly when role is 'unit'. */
  unitId?: string;
  /** The request this principal is acting in, for the audit trail. */
  requestId?: string;
}

/**
 * The longest `sub` we accept. Cognito's are UUIDs and Keycloak's too; the bound keeps a signed but
 * absurd claim out of the audit table's actor index (a key attribute, 1 KiB at most in DynamoDB).
 */
export const MAX_SUBJECT_LENGTH = 256;

const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/**
 * Reads the principal out of a token's verified claims — the one rule for the local HS256 tokens and
 * any OIDC issuer. A unit id must look like a unit id (the slug every unit is created with): anything
 * else is refused here with 401, before it can reach a key lookup.
 */
export function principalFromClaims(
  claims: Record<string, unknown>,
  names: { roleClaim: string; unitClaim: string } = { roleClaim: 'role', unitClaim: 'unitId' },
): Principal {
  const { sub } = claims;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) {
    throw new UnauthorizedError(`令牌缺少有效的用户标识 (sub,1–${MAX_SUBJECT_LENGTH} 个字符)`);
  }
  const role = claims[names.roleClaim];
  if (!isRole(role)) throw new UnauthorizedError(`令牌中的角色 (${names.roleClaim}) 无效`);
  if (role !== 'unit') return { sub, role };
  const unitId = claims[names.unitClaim];
  if (typeof unitId !== 'string' || !SLUG_PATTERN.test(unitId)) {
    throw new UnauthorizedError(`单位用户的令牌缺少有效的单位编号 (${names.unitClaim})`);
  }
  return { sub, role, unitId };
}
