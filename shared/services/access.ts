import type { Principal } from '../auth/principal.js';
import { type Action, decide } from '../domain/access/policy.js';
import { ForbiddenError } from '../errors.js';

/** Throws ForbiddenError unless the policy allows it; the one way services ask the policy. */
export function authorize(principal: Principal, action: Action, ownerUnitId?: string): void {
  const decision = decide(principal, action, ownerUnitId);
  if (!decision.allowed) throw new ForbiddenError(decision.message);
}
