import type { Principal } from '../auth/principal.js';
import { type Action, decide, type ResourceContext } from '../domain/access/policy.js';
import { ForbiddenError } from '../errors.js';

/** Throws ForbiddenError unless the policy allows it; the one way services ask the policy. */
export function authorize(
  principal: Principal,
  action: Action,
  context: ResourceContext | string = {},
): void {
  const decision = decide(
    principal,
    action,
    typeof context === 'string' ? { ownerUnitId: context } : context,
  );
  if (!decision.allowed) throw new ForbiddenError(decision.message);
}
