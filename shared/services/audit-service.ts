import type { Principal } from '../auth/principal.js';
import { auditEntityPk } from '../db/audit.js';
import type { AuditFilter, AuditRepository } from '../db/audit-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import { encodeCursor, type Page, type PageRequest } from '../db/pagination.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { NotFoundError } from '../errors.js';
import type { AuditEventView } from '../schemas/audit.js';
import type { DutyRecord } from '../schemas/duties.js';
import { authorize } from './access.js';
import { ownerContext } from './unit-tree.js';

/** Sorts before every event's `<at>#<id>` sort key: a cursor that starts at a duty's first event. */
const BEFORE_EVERY_EVENT = '0';

/**
 * The task's creation (or occurrence) event as it concerns one duty: who assigned it, when, to which
 * unit, with which due time and escalation policy.
 */
function assignmentLine(event: AuditEventView, duty: DutyRecord): AuditEventView {
  const after = event.after ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    ...event,
    action: 'duty.assign',
    entityType: 'duty',
    entityId: duty.id,
    before: null,
    after: {
      taskId: duty.taskId,
      title: duty.title,
      unitId: duty.unitId,
      role: duty.role,
      occurrenceKey: duty.occurrenceKey,
      // A task without a due time was due at once; events before `policy` was recorded fall back to
      // the duty's own, which it keeps for life.
      dueAt: str(after.dueAt) ?? event.businessAt,
      escalation: after.policy ?? duty.escalation,
      signOffLevels: duty.signOffLevels,
      assignedBy: event.action,
    },
  };
}

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
      if (page.cursor !== undefined) return deps.audit.forEntity('duty', dutyId, page);
      // The first page opens with the assignment (交办), recorded once per task (or occurrence) in
      // the transaction that created the duties, and shown here as this duty's first line.
      if (page.limit === 1) {
        const assigned = await deps.audit.assignmentOf(duty.taskId, dutyId);
        if (assigned === undefined) return deps.audit.forEntity('duty', dutyId, page);
        return {
          items: [assignmentLine(assigned, duty)],
          nextCursor: encodeCursor({ pk: auditEntityPk('duty', dutyId), sk: BEFORE_EVERY_EVENT }),
        };
      }
      const [assigned, rest] = await Promise.all([
        deps.audit.assignmentOf(duty.taskId, dutyId),
        deps.audit.forEntity('duty', dutyId, { limit: page.limit - 1 }),
      ]);
      return assigned === undefined
        ? rest
        : { ...rest, items: [assignmentLine(assigned, duty), ...rest.items] };
    },

    async list(principal, filter, page) {
      authorize(principal, 'audit.read');
      // Timestamps are stored in UTC; normalise offsets so string ranges compare correctly.
      const normalise = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
      return deps.audit.list({ ...filter, from: normalise(filter.from), to: normalise(filter.to) }, page);
    },
  };
}
