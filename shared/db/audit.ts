import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { auditTableOf, type TableRef } from './client.js';

/** One recorded change: who, when, what, and the changed fields before and after. */
export interface AuditEvent {
  id: string;
  /** Real time of the change, never the rehearsal clock. */
  at: string;
  /** The business clock at the change (differs from `at` only under DUBAN_NOW). */
  businessAt: string;
  actor: string;
  role: Principal['role'];
  actorUnitId: string | null;
  requestId: string | null;
  action: string;
  entityType:
    | 'unit'
    | 'plan'
    | 'task'
    | 'duty'
    | 'notice'
    | 'calendar'
    | 'report'
    | 'case'
    | 'channel'
    | 'settings'
    | 'semester'
    | 'roster'
    | 'care-file';
  entityId: string;
  planId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * Builds an event for `principal`'s change; `businessNow` is the service's clock. A change that may
 * be written more than once (the sweep's, finished by a later run after a crash) gives its own
 * `id`, derived from what it records, so the event cannot be written twice.
 */
export function auditEvent(
  principal: Principal,
  action: string,
  entity: { type: AuditEvent['entityType']; id: string; planId?: string | null },
  change: { before: Record<string, unknown> | null; after: Record<string, unknown> | null },
  businessNow: Date,
  options: { id?: string } = {},
): AuditEvent {
  return {
    id: options.id ?? randomUUID(),
    at: new Date().toISOString(),
    businessAt: businessNow.toISOString(),
    actor: principal.sub,
    role: principal.role,
    actorUnitId: principal.unitId ?? null,
    requestId: principal.requestId ?? null,
    action,
    entityType: entity.type,
    entityId: entity.id,
    planId: entity.planId ?? null,
    before: change.before,
    after: change.after,
  };
}

/** The fields of `after` that differ from `before`, each side restricted to them. */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  ignore: readonly string[] = ['updatedAt', 'version'],
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (ignore.includes(key)) continue;
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) {
      b[key] = before[key] ?? null;
      a[key] = after[key] ?? null;
    }
  }
  return { before: b, after: a };
}

export const auditEntityPk = (type: string, id: string) => `${type.toUpperCase()}#${id}`;
export const AUDIT_ALL_PK = 'ALL';

/**
 * The Put of an audit event, to go into the same TransactWriteItems as the change it records (or,
 * for the sweep, alone: see notice-repository.ts). The key is the event's entity, time and id, so an
 * event stored once and put again unchanged finds itself there; the condition makes an event
 * impossible to overwrite even by a buggy caller.
 */
export function auditPut(ref: TableRef, event: AuditEvent) {
  const sort = `${event.at}#${event.id}`;
  return {
    Put: {
      TableName: auditTableOf(ref),
      Item: {
        pk: auditEntityPk(event.entityType, event.entityId),
        sk: sort,
        ...(event.planId === null ? {} : { gsi1pk: `PLAN#${event.planId}`, gsi1sk: sort }),
        gsi2pk: `ACTOR#${event.actor}`,
        gsi2sk: sort,
        gsi3pk: AUDIT_ALL_PK,
        gsi3sk: sort,
        ...event,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
