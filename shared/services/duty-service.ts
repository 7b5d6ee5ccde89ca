import type { Principal } from '../auth/principal.js';
import { auditEvent, changedFields } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { DueOrder, DutyRepository } from '../db/duty-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { addWorkingDays, createWorkingCalendar } from '../domain/calendar/working-calendar.js';
import { parseDueAt } from '../domain/duty/due-time.js';
import {
  DUTY_STATUS_LABELS,
  type DutyEvent,
  type DutyStatus,
  transition,
} from '../domain/duty/duty-status.js';
import { occurrencePeriod, periodRefusal } from '../domain/duty/occurrence-period.js';
import { awaitingReceipt, signReceipt, startReceipt } from '../domain/duty/receipt.js';
import { startLadder } from '../domain/escalation/ladder.js';
import { classifyEvidenceRef } from '../domain/evidence/file-key.js';
import { endOfLocalDay, localDateOf } from '../domain/time/zoned-time.js';
import {
  ConflictError,
  type FieldProblem,
  ForbiddenError,
  NotFoundError,
  UnitInactiveError,
  ValidationError,
} from '../errors.js';
import type { EvidenceStore } from '../evidence/evidence-store.js';
import type {
  AcceptDutyInput,
  ConfirmDutyInput,
  Duty,
  DutyRecord,
  ReturnDutyInput,
  SubmitDutyInput,
  SubmittedEvidence,
} from '../schemas/duties.js';
import { DEFAULT_TIMEZONE } from '../schemas/plans.js';
import { authorize } from './access.js';
import { dutyReads } from './duty-reads.js';
import { toDutyView } from './duty-view.js';
import { ancestorsOf, ownerContext } from './unit-tree.js';

export interface PlanDutyQuery {
  unitId?: string | undefined;
  status?: DutyStatus | undefined;
  overdue?: boolean | undefined;
  /** Due-time order where the key gives it (within one status): `desc` is latest first. */
  order?: DueOrder | undefined;
}

/** Another unit's part of the same task, as the lead and its co-units see each other. */
export interface DutyPartner {
  dutyId: string;
  unitId: string;
  role: Duty['role'];
  status: Duty['status'];
  /** What it reported (its submission's note), null before it submits. */
  note: string | null;
  submittedAt: string | null;
}

export interface DutyService {
  get(principal: Principal, id: string, now: Date): Promise<Duty>;
  listForPlan(
    principal: Principal,
    planId: string,
    query: PlanDutyQuery,
    page: PageRequest,
    now: Date,
  ): Promise<Page<Duty>>;
  listForUnit(
    principal: Principal,
    unitId: string,
    query: { planId?: string | undefined; status?: DutyStatus | undefined },
    page: PageRequest,
    now: Date,
  ): Promise<Page<Duty>>;
  /**
   * One read (the duty: the answer is the whole duty and the audit records what it was), then one
   * transaction that also checks the caller's unit is still active. `admitted`, when given, is the
   * request's rate budget, counted while the duty is read: nothing is written unless it resolves,
   * and its refusal is thrown as it is.
   */
  submit(
    principal: Principal,
    id: string,
    input: SubmitDutyInput,
    now: Date,
    admitted?: Promise<unknown>,
  ): Promise<Duty>;
  /** The office accepts a submitted duty: it is done (办结). */
  accept(principal: Principal, id: string, input: AcceptDutyInput, now: Date): Promise<Duty>;
  /** The office returns a submitted duty for rework (退回整改): open again, new deadline, new round. */
  returnForRework(principal: Principal, id: string, input: ReturnDutyInput, now: Date): Promise<Duty>;
  /**
   * 签收: the duty's own unit signs for it (who and when go into the duty and its history). Signing
   * what is already signed answers the duty as it is; a duty whose plan needs no 签收 is a 409.
   */
  receive(principal: Principal, id: string, now: Date): Promise<Duty>;
  /** A unit in the duty's sign-off chain confirms the submission and passes it up. */
  confirm(principal: Principal, id: string, input: ConfirmDutyInput, now: Date): Promise<Duty>;
  /**
   * The calling unit's sign-off queue across every plan: submissions waiting for its confirmation,
   * and those it confirmed that now wait further up. Read from the sparse sign-off index (pattern
   * D6): one Query for what waits for the caller and one per partition above it that a chain
   * through it can reach (at most 5, with the GetItems of its 2 nearest ancestors), however many
   * units are below it and however many plans there are. Every duty found is authorized again.
   */
  signOffQueue(principal: Principal, now: Date): Promise<{ waiting: Duty[]; passedOn: Duty[] }>;
  /**
   * The units working on the same task (and occurrence) beside the duty's own: a lead duty's co-units,
   * a co-unit's lead, each with its state and what it reported: one Query (D7), after the reader is
   * authorized for `duty` as `get` does. A duty alone on its task answers [] with no read at all.
   */
  partners(principal: Principal, duty: Duty, now: Date): Promise<DutyPartner[]>;
  /** The duties among `ids` that exist, read in batches, each one the reader's to read (else 403). */
  getMany(principal: Principal, ids: readonly string[], now: Date): Promise<Map<string, Duty>>;
  /**
   * A unit's duties of the given statuses in every plan, in one Query (pattern D2 across plans), at
   * most `max`; `truncated` says more were left.
   */
  listForUnitAcrossPlans(
    principal: Principal,
    unitId: string,
    statuses: readonly DutyStatus[],
    max: number,
    now: Date,
  ): Promise<{ items: Duty[]; truncated: boolean }>;
}

/** Without a deadline from the office, rework is due at the end of the third working day. */
export const DEFAULT_REWORK_WORKING_DAYS = 3;

const view = (page: Page<DutyRecord>, now: Date, keep: (d: Duty) => boolean = () => true): Page<Duty> => ({
  items: page.items.map((r) => toDutyView(r, now)).filter(keep),
  nextCursor: page.nextCursor,
});

const invalidTransition = (duty: DutyRecord, message: string) =>
  new ConflictError('invalid_transition', message, {
    status: duty.status,
    statusLabel: DUTY_STATUS_LABELS[duty.status],
  });

const versionConflict = (current: DutyRecord) =>
  new ConflictError('version_conflict', '任务已被他人修改,请刷新后重试', {
    currentVersion: current.version,
    status: current.status,
  });

export function dutyService(deps: {
  duties: DutyRepository;
  plans: PlanRepository;
  units: UnitRepository;
  calendars: CalendarRepository;
  /** Where uploaded evidence is kept, to check a submission's files arrived. Absent: file refs are refused. */
  evidenceFiles?: Pick<EvidenceStore, 'describe'> | undefined;
}): DutyService {
  const { duties, plans, units, calendars, evidenceFiles } = deps;
  const reads = dutyReads({ duties, units });

  async function mustGet(id: string): Promise<DutyRecord> {
    const duty = await duties.get(id);
    if (duty === undefined) throw new NotFoundError('任务', id);
    return duty;
  }

  /** The plan's zone and the working calendar, which a signature's working minutes are counted in. */
  async function receiptContext(planId: string) {
    const [plan, overrides] = await Promise.all([plans.get(planId), calendars.list()]);
    return { timezone: plan?.timezone ?? DEFAULT_TIMEZONE, calendar: createWorkingCalendar(overrides) };
  }

  /**
   * A submission's uploaded files must be this duty's and must have arrived: an upload URL that was
   * issued but never used, or a key copied from another duty, is a 400 naming the item — before
   * anything is written, so the office never reviews evidence that is not there. A zero report
   * (零报告) is for report duties only; both are said in one 400.
   */
  async function checkSubmission(duty: DutyRecord, input: SubmitDutyInput): Promise<SubmittedEvidence[]> {
    const checked = await Promise.all(
      input.evidence.map(async (item, i): Promise<SubmittedEvidence | FieldProblem> => {
        const { ref } = item;
        const field = `evidence.${i}.ref`;
        const kind = classifyEvidenceRef(ref, duty.id);
        if (kind === 'external') return item;
        if (kind === 'foreign-file') return { field, message: `“${ref}”不是本任务上传的佐证文件` };
        if (evidenceFiles === undefined)
          return { field, message: '本服务未配置佐证文件存储,无法核验上传的文件' };
        const stored = await evidenceFiles.describe(ref);
        // The submission records what identifies the bytes, so a download serves exactly these.
        return stored === undefined
          ? { field, message: `佐证文件“${ref}”尚未上传完成,请重新上传后再提交` }
          : { ...item, ...stored };
      }),
    );
    const found = checked.filter((p): p is FieldProblem => 'field' in p);
    if (input.nothingToReport && duty.kind !== 'report') {
      found.unshift({
        field: 'nothingToReport',
        message: '只有定期报告类任务可以选择“零报告”,请填写办理情况',
      });
    }
    if (found.length > 0) {
      throw new ValidationError(`提交内容有误:${found.map((p) => p.field).join('、')}`, found);
    }
    return checked as SubmittedEvidence[];
  }

  /**
   * An occurrence of a recurring task is taken only once its period has opened: a 409 naming the
   * period in words, before anything is written. Duties stored before periods were kept on them
   * read theirs off the task's rule.
   */
  async function checkPeriodOpen(duty: DutyRecord, now: Date): Promise<void> {
    const key = duty.occurrenceKey;
    if (key === null || (duty.period && now.getTime() >= Date.parse(duty.period.opensAt))) return;
    // Not open yet, or a duty stored before periods were: the plan's zone words the refusal.
    const [plan, task] = await Promise.all([
      plans.get(duty.planId),
      duty.period ? undefined : plans.getTask(duty.planId, duty.taskId),
    ]);
    const timeZone = plan?.timezone ?? DEFAULT_TIMEZONE;
    const period =
      duty.period ??
      (task?.recurrence
        ? occurrencePeriod(task.recurrence, key, { dueAt: new Date(duty.dueAt), timeZone })
        : null);
    const refusal = period === null ? null : periodRefusal(period, now, timeZone);
    if (refusal !== null) throw new ConflictError('period_not_started', refusal, { period });
  }

  /**
   * What the co-units of a lead duty have done, for the lead's consolidated submission. The lead
   * submits for the task only once every co-unit has submitted its own part.
   */
  async function coUnitContributions(duty: DutyRecord) {
    const [coUnits, handedDown] = await Promise.all([coUnitParts(duty), handedDownParts(duty)]);
    return [...coUnits, ...handedDown];
  }

  /**
   * 转办, the same consolidation one level down: a duty passed to units below is submitted only once
   * each of theirs is (read by id, consistently enough for a decision: the children's ids are on
   * the parent), and its submission lists what they did.
   */
  async function handedDownParts(duty: DutyRecord) {
    const handed = duty.handedTo ?? [];
    if (handed.length === 0) return [];
    const parts = await duties.getMany(handed.map((h) => h.dutyId));
    const pending = handed.filter(
      (h) => parts.get(h.dutyId)?.status !== 'submitted' && parts.get(h.dutyId)?.status !== 'accepted',
    );
    if (pending.length > 0) {
      const names = await units.getMany(pending.map((h) => h.unitId));
      const named = pending.map((h) => names.get(h.unitId)?.name ?? h.unitId);
      throw new ConflictError('handoffs_pending', `转办的下级单位尚未提交:${named.join('、')}`, {
        pending: pending.map((h) => h.unitId),
      });
    }
    return handed.flatMap((h) => {
      const p = parts.get(h.dutyId);
      return p === undefined
        ? []
        : [{ unitId: p.unitId, dutyId: p.id, status: p.status, note: p.submission?.note ?? null }];
    });
  }

  async function coUnitParts(duty: DutyRecord) {
    // Findings name units side by side: each rectifies its own part, nobody consolidates. A lead
    // duty says how many co-units it has (those stored before it did are looked up on the task).
    if (duty.role !== 'lead' || duty.kind === 'rectification' || duty.coUnits === 0) return [];
    const task = await plans.getTask(duty.planId, duty.taskId);
    if (task === undefined || task.coUnitIds.length === 0) return [];
    const parts = await duties.dutiesOfTask(
      { id: task.id, planId: task.planId, unitIds: task.coUnitIds },
      duty.occurrenceKey,
    );
    const pending = task.coUnitIds.filter((u) => !parts.some((p) => p.unitId === u && p.status !== 'open'));
    if (pending.length > 0) {
      // Units by name, as the clerk knows them; the ids stay in the details for programs.
      const named = await units.getMany(pending);
      const names = pending.map((u) => named.get(u)?.name ?? u);
      throw new ConflictError('co_units_pending', `配合单位尚未提交:${names.join('、')}`, { pending });
    }
    return parts.map((p) => ({
      unitId: p.unitId,
      dutyId: p.id,
      status: p.status,
      note: p.submission?.note ?? null,
    }));
  }

  /**
   * Moves a duty through one event of the state machine with a conditional write: a refused event
   * or a lost race is a 409 that says what the duty is now, and nothing is written. `gate` holds
   * what must wait for the write (the request's admission) and what must hold with it (the caller's
   * unit still active, checked in the same transaction: a 401 if that is what failed).
   */
  async function applyTransition(
    duty: DutyRecord,
    event: DutyEvent,
    expectedVersion: number | undefined,
    now: Date,
    build: (to: DutyStatus) => DutyRecord,
    principal: Principal,
    ladder: 'keep' | 'reset' = 'keep',
    gate: { admitted?: Promise<unknown> | undefined; activeUnitId?: string | undefined } = {},
  ): Promise<Duty> {
    if (expectedVersion !== undefined && expectedVersion !== duty.version) throw versionConflict(duty);
    const step = transition(duty.status, event);
    if (!step.ok) throw invalidTransition(duty, step.message);
    const next = build(step.to);
    const audit = auditEvent(
      principal,
      `duty.${event}`,
      { type: 'duty', id: duty.id, planId: duty.planId },
      changedFields(duty, next),
      now,
    );
    const { admitted, activeUnitId } = gate;
    if (admitted !== undefined) await admitted;
    const outcome = await duties.replace(
      next,
      { ...duty, read: duty },
      audit,
      ladder,
      activeUnitId === undefined ? [] : [units.activeCheck(activeUnitId)],
    );
    if (outcome.ok) return toDutyView(outcome.duty, now);
    // Failed: one read (two side by side) says which condition it was.
    const [current, unit] = await Promise.all([
      mustGet(duty.id),
      activeUnitId === undefined ? undefined : units.get(activeUnitId),
    ]);
    if (activeUnitId !== undefined && unit?.active !== true) throw new UnitInactiveError();
    const again = transition(current.status, event);
    throw again.ok ? versionConflict(current) : invalidTransition(current, again.message);
  }

  return {
    async get(principal, id, now) {
      const duty = await mustGet(id);
      authorize(principal, 'duty.read', await ownerContext(units, principal, duty.unitId));
      return toDutyView(duty, now);
    },

    async partners(principal, duty, now) {
      // A duty passed down (转办) answers to the unit that passed it (its page says so), not the lead.
      if (
        duty.kind === 'rectification' ||
        duty.handedOffFrom ||
        (duty.role === 'lead' && duty.coUnits === 0)
      ) {
        return [];
      }
      authorize(principal, 'duty.read', await ownerContext(units, principal, duty.unitId));
      const others = (await duties.ofTask(duty.taskId)).filter(
        (d) =>
          d.id !== duty.id &&
          d.planId === duty.planId &&
          d.occurrenceKey === duty.occurrenceKey &&
          // The lead sees its co-units; a co-unit sees the lead. Duties passed down (转办) are no
          // co-units: they are listed, as such, on the page of the unit that passed them.
          !d.handedOffFrom &&
          (duty.role === 'lead' ? d.role === 'co' : d.role === 'lead'),
      );
      return others
        .map((d) => toDutyView(d, now))
        .map((d) => ({
          dutyId: d.id,
          unitId: d.unitId,
          role: d.role,
          status: d.status,
          note: d.submission?.note ?? null,
          submittedAt: d.submission?.submittedAt ?? null,
        }));
    },

    async listForPlan(principal, planId, query, page, now) {
      // A unit that does not name itself is asking for its own duties.
      const unitId = query.unitId ?? (principal.role === 'unit' ? principal.unitId : undefined);
      if (unitId === undefined) {
        if (principal.role === 'unit') throw new ForbiddenError('只能查看本单位的任务');
        authorize(principal, 'duty.read');
      } else {
        authorize(principal, 'duty.read', await ownerContext(units, principal, unitId));
      }
      if ((await plans.get(planId)) === undefined) throw new NotFoundError('工作方案', planId);
      const { status, overdue, order } = query;
      const nowIso = now.toISOString();

      if (overdue === true) {
        // Overdue means open and past due: any other status has none.
        if (status !== undefined && status !== 'open') return { items: [], nextCursor: null };
        const found =
          unitId === undefined
            ? await duties.listOpenDueBefore(planId, nowIso, page)
            : await duties.listByUnit(unitId, { planId, status: 'open', dueBefore: nowIso }, page);
        return view(found, now);
      }
      const found =
        unitId === undefined
          ? await duties.listByPlan(planId, { status, order }, page)
          : await duties.listByUnit(unitId, { planId, status, order }, page);
      // overdue=false is rare (a list of what is on track); a page may then hold fewer than `limit`.
      return view(found, now, overdue === false ? (d) => !d.overdue : undefined);
    },

    signOffQueue: reads.signOffQueue,

    async listForUnit(principal, unitId, query, page, now) {
      authorize(principal, 'duty.read', await ownerContext(units, principal, unitId));
      if ((await units.get(unitId)) === undefined) throw new NotFoundError('单位', unitId);
      return view(await duties.listByUnit(unitId, query, page), now);
    },

    async submit(principal, id, input, now, admitted) {
      // The one read before the write; the caller's unit is checked by the write itself, below.
      const duty = await mustGet(id);
      authorize(principal, 'duty.submit', duty.unitId);
      const evidence = await checkSubmission(duty, input);
      await checkPeriodOpen(duty, now);
      const nowIso = now.toISOString();
      const contributions = await coUnitContributions(duty);
      // A sign-off chain: the submission climbs the tree (village → township → bureau) before the
      // office reviews it.
      const chain =
        duty.signOffLevels > 0 ? (await ancestorsOf(units, duty.unitId)).slice(0, duty.signOffLevels) : [];
      // Submitting is the unit's word that it has the duty: an unsigned one is signed with it.
      let receipt = duty.receipt;
      if (receipt !== null && receipt.at === null) {
        const { timezone, calendar } = await receiptContext(duty.planId);
        receipt = signReceipt(receipt, now, principal.sub, timezone, calendar);
      }
      return applyTransition(
        duty,
        'submit',
        input.version,
        now,
        (to) => ({
          ...duty,
          status: to,
          submission: {
            note: input.note ?? '零报告:本期无需报告的情况',
            evidence,
            nothingToReport: input.nothingToReport,
            contributions,
            submittedAt: nowIso,
            submittedBy: principal.sub,
          },
          confirmations: [],
          awaitingConfirmationFrom: chain[0] ?? null,
          receipt,
          updatedAt: nowIso,
          version: duty.version + 1,
        }),
        principal,
        'keep',
        { admitted, activeUnitId: principal.role === 'unit' ? principal.unitId : undefined },
      );
    },

    async receive(principal, id, now) {
      let duty = await mustGet(id);
      authorize(principal, 'duty.receive', duty.unitId);
      if (duty.receipt === null) {
        throw new ConflictError('receipt_not_required', '该任务所在方案不要求签收', { status: duty.status });
      }
      const { timezone, calendar } = await receiptContext(duty.planId);
      // A lost race with another writer (a sweep's level, an extension) is read again and retried;
      // a signature that got there first is the answer.
      for (let attempt = 0; attempt < 3; attempt++) {
        if (!awaitingReceipt(duty)) return toDutyView(duty, now);
        const receipt = duty.receipt;
        if (receipt === null) return toDutyView(duty, now);
        const next: DutyRecord = {
          ...duty,
          receipt: signReceipt(receipt, now, principal.sub, timezone, calendar),
          updatedAt: now.toISOString(),
          version: duty.version + 1,
        };
        const audit = auditEvent(
          principal,
          'duty.receive',
          { type: 'duty', id: duty.id, planId: duty.planId },
          changedFields(duty, next),
          now,
        );
        const outcome = await duties.replace(next, { ...duty, read: duty }, audit, 'keep', [
          units.activeCheck(principal.unitId ?? ''),
        ]);
        if (outcome.ok) return toDutyView(outcome.duty, now);
        const unit = await units.get(principal.unitId ?? '');
        if (unit?.active !== true) throw new UnitInactiveError();
        duty = await mustGet(id);
      }
      throw versionConflict(duty);
    },

    async confirm(principal, id, input, now) {
      const duty = await mustGet(id);
      authorize(principal, 'duty.confirm', await ownerContext(units, principal, duty.unitId));
      if (duty.status !== 'submitted' || duty.awaitingConfirmationFrom === null) {
        throw new ConflictError('nothing_to_confirm', '该任务当前不需要确认', { status: duty.status });
      }
      if (duty.awaitingConfirmationFrom !== principal.unitId) {
        throw new ConflictError('not_your_turn', `该任务正等待 ${duty.awaitingConfirmationFrom} 确认`, {
          awaitingConfirmationFrom: duty.awaitingConfirmationFrom,
        });
      }
      if (input.version !== undefined && input.version !== duty.version) throw versionConflict(duty);
      const chain = (await ancestorsOf(units, duty.unitId)).slice(0, duty.signOffLevels);
      const next = chain[chain.indexOf(duty.awaitingConfirmationFrom) + 1] ?? null;
      const nowIso = now.toISOString();
      const updated: DutyRecord = {
        ...duty,
        confirmations: [
          ...duty.confirmations,
          { unitId: duty.awaitingConfirmationFrom, note: input.note, at: nowIso, by: principal.sub },
        ],
        awaitingConfirmationFrom: next,
        updatedAt: nowIso,
        version: duty.version + 1,
      };
      const audit = auditEvent(
        principal,
        'duty.confirm',
        { type: 'duty', id: duty.id, planId: duty.planId },
        changedFields(duty, updated),
        now,
      );
      const outcome = await duties.replace(updated, { ...duty, status: 'submitted', read: duty }, audit);
      if (!outcome.ok) throw versionConflict(await mustGet(id));
      return toDutyView(outcome.duty, now);
    },

    async accept(principal, id, input, now) {
      const duty = await mustGet(id);
      authorize(principal, 'duty.review', duty.unitId);
      if (duty.status === 'submitted' && duty.awaitingConfirmationFrom !== null) {
        throw new ConflictError(
          'awaiting_confirmation',
          `该任务尚待上级单位确认:${duty.awaitingConfirmationFrom}`,
          {
            awaitingConfirmationFrom: duty.awaitingConfirmationFrom,
          },
        );
      }
      const nowIso = now.toISOString();
      return applyTransition(
        duty,
        'accept',
        input.version,
        now,
        (to) => ({
          ...duty,
          status: to,
          acceptedAt: nowIso,
          reviews: [
            ...duty.reviews,
            {
              decision: 'accepted',
              round: duty.round,
              note: input.note ?? null,
              newDueAt: null,
              at: nowIso,
              by: principal.sub,
            },
          ],
          updatedAt: nowIso,
          version: duty.version + 1,
        }),
        principal,
      );
    },

    async returnForRework(principal, id, input, now) {
      const duty = await mustGet(id);
      // Any level of a sign-off chain may return the work down; otherwise it is the office's call.
      const confirmer =
        principal.role === 'unit' &&
        duty.status === 'submitted' &&
        duty.awaitingConfirmationFrom !== null &&
        duty.awaitingConfirmationFrom === principal.unitId;
      if (!confirmer) authorize(principal, 'duty.review', duty.unitId);
      const plan = await plans.get(duty.planId);
      if (plan === undefined) throw new NotFoundError('工作方案', duty.planId);
      const calendar = createWorkingCalendar(await calendars.list());
      let dueAt: string;
      if (input.newDueAt === undefined) {
        const day = addWorkingDays(localDateOf(now, plan.timezone), DEFAULT_REWORK_WORKING_DAYS, calendar);
        dueAt = endOfLocalDay(day, plan.timezone).toISOString();
      } else {
        const parsed = parseDueAt(input.newDueAt, plan.timezone);
        if (!parsed.ok)
          throw new ValidationError('整改期限有误', [{ field: 'newDueAt', message: parsed.message }]);
        if (parsed.dueAt.getTime() <= now.getTime()) {
          throw new ValidationError('整改期限有误', [{ field: 'newDueAt', message: '整改期限必须晚于现在' }]);
        }
        dueAt = parsed.dueAt.toISOString();
      }
      const nowIso = now.toISOString();
      const round = { dueAt: new Date(dueAt), startedAt: now };
      // A new round: a fresh ladder under the duty's own policy, counted from the new deadline.
      return applyTransition(
        duty,
        'return',
        input.version,
        now,
        (to) => ({
          ...duty,
          status: to,
          dueAt,
          round: duty.round + 1,
          roundStartedAt: nowIso,
          returns: duty.returns + 1,
          confirmations: [],
          awaitingConfirmationFrom: null,
          ...startLadder(duty.escalation, round, plan.timezone, calendar),
          // A returned duty is given anew: its unit signs for it again (重新签收).
          ...(duty.receipt === null
            ? {}
            : {
                receipt: startReceipt(
                  duty.round + 1,
                  now,
                  plan.receiptWorkingHours ?? null,
                  plan.timezone,
                  calendar,
                ),
                receiptNoticedAt: null,
              }),
          reviews: [
            ...duty.reviews,
            {
              decision: 'returned',
              round: duty.round,
              note: input.reason,
              newDueAt: dueAt,
              at: nowIso,
              by: principal.sub,
            },
          ],
          updatedAt: nowIso,
          version: duty.version + 1,
        }),
        principal,
        'reset',
      );
    },

    getMany: reads.getMany,
    listForUnitAcrossPlans: reads.listForUnitAcrossPlans,
  };
}
