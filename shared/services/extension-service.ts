import type { Principal } from '../auth/principal.js';
import { auditEvent, changedFields } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { ExtensionRepository } from '../db/extension-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar } from '../domain/calendar/working-calendar.js';
import { parseDueAt } from '../domain/duty/due-time.js';
import { startLadder } from '../domain/escalation/ladder.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { DutyRecord } from '../schemas/duties.js';
import type { ApproveExtensionInput, CreateExtensionInput, ExtensionRequest } from '../schemas/extensions.js';
import { authorize } from './access.js';
import { ownerContext } from './unit-tree.js';

export interface ExtensionService {
  /** 延期申请: the unit asks for more time, only while the duty is open and not yet due. */
  request(
    principal: Principal,
    dutyId: string,
    input: CreateExtensionInput,
    now: Date,
  ): Promise<ExtensionRequest>;
  list(principal: Principal, dutyId: string): Promise<ExtensionRequest[]>;
  /** The plan's requests waiting for a decision, oldest first: the office's and leaders' to-do list. */
  listPending(principal: Principal, planId: string, page: PageRequest): Promise<Page<ExtensionRequest>>;
  /** Approved: the due time moves and a fresh ladder counts from it (a new round of notices). */
  approve(
    principal: Principal,
    dutyId: string,
    requestId: string,
    input: ApproveExtensionInput,
    now: Date,
  ): Promise<ExtensionRequest>;
  /** Refused: nothing changes on the duty; the refusal and its reason are kept. */
  refuse(
    principal: Principal,
    dutyId: string,
    requestId: string,
    reason: string,
    now: Date,
  ): Promise<ExtensionRequest>;
}

export function extensionService(deps: {
  extensions: ExtensionRepository;
  duties: DutyRepository;
  plans: PlanRepository;
  units: UnitRepository;
  calendars: CalendarRepository;
}): ExtensionService {
  const { extensions, duties, plans, units, calendars } = deps;

  async function mustDuty(id: string): Promise<DutyRecord> {
    const duty = await duties.get(id);
    if (duty === undefined) throw new NotFoundError('任务', id);
    return duty;
  }

  async function pending(dutyId: string, requestId: string): Promise<ExtensionRequest> {
    const request = await extensions.get(dutyId, requestId);
    if (request === undefined) throw new NotFoundError('延期申请', requestId);
    if (request.status !== 'pending') {
      throw new ConflictError('already_decided', '该延期申请已经处理过', { status: request.status });
    }
    return request;
  }

  async function timezoneOf(planId: string): Promise<string> {
    const plan = await plans.get(planId);
    if (plan === undefined) throw new NotFoundError('工作方案', planId);
    return plan.timezone;
  }

  function parseFuture(field: string, value: string, timeZone: string, after: Date): string {
    const parsed = parseDueAt(value, timeZone);
    if (!parsed.ok) throw new ValidationError('时间有误', [{ field, message: parsed.message }]);
    if (parsed.dueAt.getTime() <= after.getTime()) {
      throw new ValidationError('时间有误', [{ field, message: '新的截止时间必须晚于原截止时间和现在' }]);
    }
    return parsed.dueAt.toISOString();
  }

  return {
    async request(principal, dutyId, input, now) {
      const duty = await mustDuty(dutyId);
      authorize(principal, 'extension.request', duty.unitId);
      if (duty.status !== 'open') throw new ConflictError('not_open', '只有待办的任务可以申请延期');
      if (now.getTime() >= Date.parse(duty.dueAt)) {
        throw new ConflictError('already_due', '延期申请须在截止时间之前提出;已逾期的任务请尽快办理');
      }
      if (duty.pendingExtensionId !== null) {
        throw new ConflictError('extension_pending', '已有一份待审批的延期申请', {
          requestId: duty.pendingExtensionId,
        });
      }
      const timeZone = await timezoneOf(duty.planId);
      const due = new Date(duty.dueAt);
      const proposedDueAt = parseFuture('proposedDueAt', input.proposedDueAt, timeZone, due);
      const nowIso = now.toISOString();
      const request: ExtensionRequest = {
        id: newId('ext', now),
        dutyId,
        planId: duty.planId,
        unitId: duty.unitId,
        reason: input.reason,
        progress: input.progress,
        dueAtWhenRequested: duty.dueAt,
        proposedDueAt,
        status: 'pending',
        requestedAt: nowIso,
        requestedBy: principal.sub,
        decidedAt: null,
        decidedBy: null,
        decisionNote: null,
        approvedDueAt: null,
      };
      const audit = auditEvent(
        principal,
        'duty.extension-request',
        { type: 'duty', id: dutyId, planId: duty.planId },
        { before: { pendingExtensionId: null }, after: { pendingExtensionId: request.id, proposedDueAt } },
        now,
      );
      if (!(await extensions.create(request, audit))) {
        throw new ConflictError('version_conflict', '任务刚被修改(已提交、已延期或已有申请),请刷新后重试');
      }
      return request;
    },

    async list(principal, dutyId) {
      const duty = await mustDuty(dutyId);
      authorize(principal, 'duty.read', await ownerContext(units, principal, duty.unitId));
      return extensions.list(dutyId);
    },

    async listPending(principal, planId, page) {
      // Requests of every unit of the plan: for those who read all duties, not for one unit.
      authorize(principal, 'duty.read');
      await timezoneOf(planId);
      return extensions.listPending(planId, page);
    },

    async approve(principal, dutyId, requestId, input, now) {
      authorize(principal, 'extension.decide');
      const duty = await mustDuty(dutyId);
      const request = await pending(dutyId, requestId);
      if (duty.status !== 'open') throw new ConflictError('not_open', '任务已不是待办状态,延期申请无需审批');
      const plan = await plans.get(duty.planId);
      if (plan === undefined) throw new NotFoundError('工作方案', duty.planId);
      // The proposal was later than the deadline when it was made, but the decision may come after
      // it: a deadline that has passed would make the duty overdue the moment it is granted.
      if (input.dueAt === undefined && Date.parse(request.proposedDueAt) <= now.getTime()) {
        throw new ValidationError('时间有误', [
          { field: 'dueAt', message: '申请的截止时间已过,请给出晚于现在的新截止时间' },
        ]);
      }
      const dueAt =
        input.dueAt === undefined
          ? request.proposedDueAt
          : parseFuture(
              'dueAt',
              input.dueAt,
              plan.timezone,
              new Date(Math.max(Date.parse(duty.dueAt), now.getTime())),
            );
      const nowIso = now.toISOString();
      const calendar = createWorkingCalendar(await calendars.list());
      // A new deadline is a new round of the ladder: notices already sent stay, the next ones count
      // from the approved due time.
      const next: DutyRecord = {
        ...duty,
        dueAt,
        round: duty.round + 1,
        roundStartedAt: nowIso,
        ...startLadder(duty.escalation, { dueAt: new Date(dueAt), startedAt: now }, plan.timezone, calendar),
        pendingExtensionId: null,
        extensions: duty.extensions + 1,
        updatedAt: nowIso,
        version: duty.version + 1,
      };
      const decided: ExtensionRequest = {
        ...request,
        status: 'approved',
        decidedAt: nowIso,
        decidedBy: principal.sub,
        decisionNote: input.note ?? null,
        approvedDueAt: dueAt,
      };
      const audit = auditEvent(
        principal,
        'duty.extension-approve',
        { type: 'duty', id: dutyId, planId: duty.planId },
        changedFields(duty, next),
        now,
      );
      const outcome = await duties.replace(next, { ...duty, status: 'open' }, audit, 'reset', [
        extensions.decisionOp(decided),
      ]);
      if (!outcome.ok) throw new ConflictError('version_conflict', '任务或申请刚被修改,请刷新后重试');
      return decided;
    },

    async refuse(principal, dutyId, requestId, reason, now) {
      authorize(principal, 'extension.decide');
      const duty = await mustDuty(dutyId);
      const request = await pending(dutyId, requestId);
      const decided: ExtensionRequest = {
        ...request,
        status: 'refused',
        decidedAt: now.toISOString(),
        decidedBy: principal.sub,
        decisionNote: reason,
      };
      const audit = auditEvent(
        principal,
        'duty.extension-refuse',
        { type: 'duty', id: dutyId, planId: duty.planId },
        {
          before: { pendingExtensionId: request.id },
          after: { pendingExtensionId: null, refusedReason: reason },
        },
        now,
      );
      if (!(await extensions.refuse(decided, audit))) {
        throw new ConflictError('version_conflict', '申请刚被处理,请刷新后重试');
      }
      return decided;
    },
  };
}
