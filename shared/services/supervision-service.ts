import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { DutyRepository } from '../db/duty-repository.js';
import { findingKey } from '../db/keys.js';
import type { PlanRepository } from '../db/plan-repository.js';
import { findingPartsFor, type Readership, readershipOf } from '../domain/access/policy.js';
import { overrideMatches, type PhaseClosure } from '../domain/plan/phase-gate.js';
import { currentPhase } from '../domain/plan/phases.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { Duty, DutyRecord } from '../schemas/duties.js';
import {
  type ClosePhaseInput,
  type CreateFindingInput,
  FINDING_TITLE_MAX,
  type Finding,
  type FindingView,
  RECTIFICATION_TITLE_PREFIX,
  type ReopenPhaseInput,
} from '../schemas/findings.js';
import type { Plan } from '../schemas/plans.js';
import { CreateTaskSchema } from '../schemas/tasks.js';
import { authorize } from './access.js';
import type { CounterService } from './counter-service.js';
import { toDutyView } from './duty-view.js';
import type { PlanService } from './plan-service.js';

export interface SupervisionService {
  /**
   * Closes a phase when all its duties are accepted, or with an override that names exactly the
   * duties still open and says why (kept in the audit trail).
   */
  closePhase(
    principal: Principal,
    planId: string,
    key: string,
    input: ClosePhaseInput,
    now: Date,
  ): Promise<Plan>;
  /** Reopens a closed phase so that it takes new work again (the office, with a reason, audited). */
  reopenPhase(
    principal: Principal,
    planId: string,
    key: string,
    input: ReopenPhaseInput,
    now: Date,
  ): Promise<Plan>;
  /** A supervision finding (督查发现问题) becomes rectification duties (整改) for the named units. */
  createFinding(
    principal: Principal,
    planId: string,
    input: CreateFindingInput,
    now: Date,
  ): Promise<FindingView>;
  /**
   * Findings with their state: closed (销号) only when every rectification duty is accepted. A unit
   * gets the findings that name it, with its own part (findingPartsFor).
   */
  listFindings(principal: Principal, planId: string): Promise<FindingView[]>;
  /**
   * The same findings, with the duties each shows the reader as of `now`: every duty read once, in
   * batches, for the findings page (which used to read each duty again, one at a time).
   */
  listFindingsWithDuties(
    principal: Principal,
    planId: string,
    now: Date,
  ): Promise<{ findings: FindingView[]; duties: Map<string, Duty> }>;
  /**
   * A finding the system raises itself (source `self-check`: 三一致 sources that disagree) under a
   * fixed id, with a rectification duty to the unit: written once, whoever calls first; 'exists'
   * when it was already there, 'skipped' when the phase it would go in is closed.
   */
  raiseSystemFinding(
    planId: string,
    input: { findingId: string; title: string; detail: string; unitId: string; dueInDays: number },
    now: Date,
  ): Promise<'created' | 'exists' | 'skipped'>;
}

/** Who the audit trail names for what the system raises itself. */
export const SYSTEM_PRINCIPAL: Principal = { sub: 'system:self-check', role: 'office' };

export function supervisionService(deps: {
  plans: PlanRepository;
  duties: DutyRepository;
  planService: PlanService;
  counters: Pick<CounterService, 'unfinished'>;
  tableName: string;
}): SupervisionService {
  const { plans, duties, planService, counters } = deps;

  async function mustPlan(id: string): Promise<Plan> {
    const plan = await plans.get(id);
    if (plan === undefined) throw new NotFoundError('工作方案', id);
    return plan;
  }

  /**
   * The finding as `reader` sees it: its state from all its duties (`records`, read beforehand for
   * every finding together), and of its units and duties only the reader's part (see
   * findingPartsFor). Only called for findings the reader sees.
   */
  function view(finding: Finding, reader: Readership, records: Map<string, DutyRecord>): FindingView {
    const found = finding.dutyIds.flatMap((id) => records.get(id) ?? []);
    const ownDuties = findingPartsFor(reader, found, (d) => d.unitId);
    const accepted = found.filter((d) => d.status === 'accepted');
    // A self-check (三一致) finding also closes when the system sees its sources agree.
    const resolvedAt = finding.resolvedAt ?? null;
    const closed = accepted.length === finding.dutyIds.length || resolvedAt !== null;
    const closedAt =
      resolvedAt ??
      (closed
        ? (accepted
            .map((d) => d.acceptedAt ?? '')
            .sort()
            .at(-1) ?? null)
        : null);
    return {
      ...finding,
      unitIds: findingPartsFor(reader, finding.unitIds, (id) => id) ?? [],
      dutyIds: reader.scope === 'all' ? finding.dutyIds : (ownDuties ?? []).map((d) => d.id),
      status: closed ? 'closed' : 'open',
      closedAt,
      accepted: accepted.length,
      total: finding.dutyIds.length,
    };
  }

  /** The findings the reader sees, with every duty they name read in one batch (BatchGetItem). */
  async function findingsOf(principal: Principal, planId: string) {
    authorize(principal, 'plan.read');
    const [, all] = await Promise.all([mustPlan(planId), plans.listFindings(planId)]);
    const reader = readershipOf(principal);
    // Only the findings that name a unit are read further for it (their duties' states).
    const visible = all.filter((f) => findingPartsFor(reader, f.unitIds, (id) => id) !== undefined);
    const records = await duties.getMany(visible.flatMap((f) => f.dutyIds));
    return { findings: visible.map((f) => view(f, reader, records)), records };
  }

  /** One attempt at closing: the closed plan, or undefined when the plan or the phase moved on. */
  async function tryClosePhase(
    principal: Principal,
    planId: string,
    key: string,
    input: ClosePhaseInput,
    now: Date,
  ): Promise<Plan | undefined> {
    // The work counter is read before the duties are counted: any task committed after this read
    // moves it, and the conditional close below then fails.
    const [plan, work] = await Promise.all([mustPlan(planId), plans.phaseWork(planId, key)]);
    if (!plan.phases.some((p) => p.key === key)) throw new NotFoundError('阶段', key);
    if (plan.phaseClosures[key] !== undefined) throw new ConflictError('phase_closed', `该阶段已关闭:${key}`);
    // The counters (the base table, read consistently) say whether anything is unfinished; only
    // then are the duties listed (an index) to name them.
    const unfinished = await counters.unfinished(planId, key);
    const open: string[] = [];
    if (unfinished !== 0) {
      for await (const batch of duties.tallies(planId)) {
        for (const d of batch) if (d.phaseKey === key && d.status !== 'accepted') open.push(d.id);
      }
    }
    if (unfinished !== null && unfinished > open.length) {
      // The index has not caught up with a duty the counters already hold: refuse rather than close
      // over it (there is nothing yet to name in an override).
      throw new ConflictError('phase_has_open_duties', `该阶段还有 ${unfinished} 项任务未办结,不能关闭`, {
        openDutyIds: open,
      });
    }
    if (open.length > 0 && input.override === undefined) {
      throw new ConflictError('phase_has_open_duties', `该阶段还有 ${open.length} 项任务未办结,不能关闭`, {
        openDutyIds: open,
      });
    }
    if (input.override !== undefined && !overrideMatches(input.override.openDutyIds, open)) {
      throw new ConflictError('override_mismatch', '列出的未办结任务与实际不一致,请刷新后重试', {
        openDutyIds: open,
      });
    }
    const closure: PhaseClosure = {
      closedAt: now.toISOString(),
      closedBy: principal.sub,
      override: input.override === undefined ? null : { reason: input.override.reason, openDutyIds: open },
    };
    const next: Plan = {
      ...plan,
      phaseClosures: { ...plan.phaseClosures, [key]: closure },
      version: plan.version + 1,
    };
    const audit = auditEvent(
      principal,
      input.override === undefined ? 'phase.close' : 'phase.close-override',
      { type: 'plan', id: planId, planId },
      { before: { [`phaseClosures.${key}`]: null }, after: { [`phaseClosures.${key}`]: closure } },
      now,
    );
    return (await plans.setPhaseClosure(planId, key, closure, { version: plan.version, work }, audit))
      ? next
      : undefined;
  }

  return {
    async closePhase(principal, planId, key, input, now) {
      authorize(principal, 'phase.close');
      // A task created in the phase between the count and the close makes the close's condition
      // fail; the next attempt counts again and sees the new duties.
      for (let attempt = 1; ; attempt++) {
        const closed = await tryClosePhase(principal, planId, key, input, now);
        if (closed !== undefined) return closed;
        if (attempt >= 3) throw new ConflictError('version_conflict', '工作方案刚被他人修改,请刷新后重试');
      }
    },

    async reopenPhase(principal, planId, key, input, now) {
      authorize(principal, 'phase.reopen');
      const plan = await mustPlan(planId);
      if (!plan.phases.some((p) => p.key === key)) throw new NotFoundError('阶段', key);
      const closure = plan.phaseClosures[key];
      if (closure === undefined) throw new ConflictError('phase_open', `该阶段未关闭:${key}`);
      const audit = auditEvent(
        principal,
        'phase.reopen',
        { type: 'plan', id: planId, planId },
        {
          before: { [`phaseClosures.${key}`]: closure },
          after: { [`phaseClosures.${key}`]: null, reason: input.reason },
        },
        now,
      );
      const { [key]: _reopened, ...rest } = plan.phaseClosures;
      if (!(await plans.setPhaseClosure(planId, key, null, { version: plan.version, work: 0 }, audit))) {
        throw new ConflictError('version_conflict', '工作方案刚被他人修改,请刷新后重试');
      }
      return { ...plan, phaseClosures: rest, version: plan.version + 1 };
    },
    async createFinding(principal, planId, input, now) {
      authorize(principal, 'finding.create');
      const plan = await mustPlan(planId);
      const phaseKey = input.phaseKey ?? currentPhase(plan.phases, now, plan.timezone)?.key;
      if (phaseKey === undefined) {
        throw new ValidationError('请指定阶段', [
          { field: 'phaseKey', message: '当前没有进行中的阶段,请指定 phaseKey' },
        ]);
      }
      const [lead, ...co] = input.unitIds;
      if (lead === undefined)
        throw new ValidationError('请指定单位', [{ field: 'unitIds', message: '至少指定一个单位' }]);
      const findingId = newId('finding', now);
      let finding: Finding | undefined;
      // The finding, its task and the rectification duties are written in one transaction.
      const task = await planService.createTask(
        principal,
        planId,
        CreateTaskSchema.parse({
          title: `${RECTIFICATION_TITLE_PREFIX}${input.title}`,
          description: input.detail,
          phaseKey,
          leadUnitId: lead,
          coUnitIds: co,
          dueAt: input.dueAt,
          kind: 'rectification',
        }),
        now,
        {
          // A rectification deadline is set today for work still to do; one already past is a typo.
          dueAtInFuture: true,
          extra: (t, created) => {
            finding = {
              id: findingId,
              planId,
              title: input.title,
              detail: input.detail,
              source: input.source,
              phaseKey,
              unitIds: input.unitIds,
              taskId: t.id,
              dutyIds: created.map((d) => d.id),
              dueAt: t.dueAt ?? '',
              createdAt: now.toISOString(),
              createdBy: principal.sub,
            };
            return [
              {
                Put: {
                  TableName: deps.tableName,
                  Item: { ...findingKey(planId, findingId), entity: 'Finding', ...finding },
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ];
          },
        },
      );
      if (finding === undefined) throw new Error('finding not built');
      return { ...finding, status: 'open', closedAt: null, accepted: 0, total: task.duties.length };
    },

    async raiseSystemFinding(planId, input, now) {
      const plan = await mustPlan(planId);
      if ((await plans.listFindings(planId)).some((f) => f.id === input.findingId)) return 'exists';
      // The phase under way; between phases or after the last, the latest one that has begun.
      const phase =
        currentPhase(plan.phases, now, plan.timezone) ??
        [...plan.phases].reverse().find((p) => p.start <= now.toISOString().slice(0, 10)) ??
        plan.phases[0];
      if (phase === undefined || plan.phaseClosures[phase.key] !== undefined) return 'skipped';
      const due = new Date(now.getTime() + input.dueInDays * 86_400_000).toISOString().slice(0, 10);
      try {
        await planService.createTask(
          SYSTEM_PRINCIPAL,
          planId,
          CreateTaskSchema.parse({
            title: `${RECTIFICATION_TITLE_PREFIX}${input.title.slice(0, FINDING_TITLE_MAX)}`,
            description: input.detail,
            phaseKey: phase.key,
            leadUnitId: input.unitId,
            coUnitIds: [],
            dueAt: due,
            kind: 'rectification',
          }),
          now,
          {
            extra: (t, created) => [
              {
                Put: {
                  TableName: deps.tableName,
                  Item: {
                    ...findingKey(planId, input.findingId),
                    entity: 'Finding',
                    id: input.findingId,
                    planId,
                    title: input.title.slice(0, FINDING_TITLE_MAX),
                    detail: input.detail,
                    source: 'self-check',
                    phaseKey: phase.key,
                    unitIds: [input.unitId],
                    taskId: t.id,
                    dutyIds: created.map((d) => d.id),
                    dueAt: t.dueAt ?? '',
                    createdAt: now.toISOString(),
                    createdBy: SYSTEM_PRINCIPAL.sub,
                  },
                  // The fixed id: a concurrent caller's whole transaction (task, duty) is refused.
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
            ],
          },
        );
        return 'created';
      } catch (err) {
        if (err instanceof ConflictError && err.code === 'task_exists') return 'exists';
        if (err instanceof ConflictError && err.code === 'phase_closed') return 'skipped';
        throw err;
      }
    },

    async listFindings(principal, planId) {
      return (await findingsOf(principal, planId)).findings;
    },

    async listFindingsWithDuties(principal, planId, now) {
      const { findings, records } = await findingsOf(principal, planId);
      const shown = new Map<string, Duty>();
      for (const f of findings) {
        for (const id of f.dutyIds) {
          const d = records.get(id);
          if (d === undefined) continue;
          // The reader's part of a finding is its own duties (or all, for the office and leaders).
          authorize(principal, 'duty.read', { ownerUnitId: d.unitId, ownerAncestors: [] });
          shown.set(id, toDutyView(d, now));
        }
      }
      return { findings, duties: shown };
    },
  };
}
