import type { Principal } from '../auth/principal.js';
import type { AuditFilter, AuditRepository } from '../db/audit-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { NotFoundError } from '../errors.js';
import type { AuditEventView } from '../schemas/audit.js';
import { authorize } from './access.js';
import { ownerContext } from './unit-tree.js';

export interface AuditService {
  /** A duty's history (who, when, what before, what after), for anyone who may read the duty. */
  dutyHistory(principal: Principal, dutyId: string, page: PageRequest): Promise<Page<AuditEventView>>;
  /** The audit trail (office only). */
  list(principal: Principal, filter: AuditFilter, page: PageRequest): Promise<Page<AuditEventView>>;
}

export function auditService(deps: {
  audit: AuditRepository;
  duties: DutyRepository;
  units: UnitRepository;
}): AuditService {
  return {
    async dutyHistory(principal, dutyId, page) {
      const duty = await deps.duties.get(dutyId);
      if (duty === undefined) throw new NotFoundError('任务', dutyId);
      authorize(principal, 'duty.read', await ownerContext(deps.units, principal, duty.unitId));
      return deps.audit.forEntity('duty', dutyId, page);
    },

    async list(principal, filter, page) {
      authorize(principal, 'audit.read');
      // Timestamps are stored in UTC; normalise offsets so string ranges compare correctly.
      const normalise = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
      return deps.audit.list({ ...filter, from: normalise(filter.from), to: normalise(filter.to) }, page);
    },
  };
}
