import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { CounterRepository } from '../db/counter-repository.js';
import type { DutyRepository, DutyTally } from '../db/duty-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { PlanRepository, PlanSettingField, TaskFilter } from '../db/plan-repository.js';
import type { TransactItem } from '../db/transact.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar } from '../domain/calendar/working-calendar.js';
import { parseDueAt } from '../domain/duty/due-time.js';
import { validateRecurrence } from '../domain/duty/recurrence.js';
import { applyDeltas, cellKey, countsMap, receiptFigures } from '../domain/plan/counters.js';
import { PHASE_GATE_LABELS, phaseGateState } from '../domain/plan/phase-gate.js';
import { currentPhase } from '../domain/plan/phases.js';
import { progressFromCounts } from '../domain/plan/progress.js';
import { createSelfCheckTally } from '../domain/plan/self-checks.js';
import {
  ConflictError,
  type FieldProblem,
  NotFoundError,
  PhaseClosedError,
  ValidationError,
} from '../errors.js';
import { newId } from '../ids.js';
import type { Duty, DutyRecord } from '../schemas/duties.js';
import type { CreatePlanInput, Plan, PlanView, PutLightSettingsInput } from '../schemas/plans.js';
import type { PutScoringRulesInput } from '../schemas/scoring.js';
import type { CreateTaskInput, Task } from '../schemas/tasks.js';
import { authorize } from './access.js';
import { countDuties } from './counter-service.js';
import { newDuty, policyFor } from './duty-factory.js';
import { toDutyView } from './duty-view.js';
import type { RecurrenceService } from './recurrence-service.js';

export interface CreateTaskOptions {
  /** More writes for the task's transaction (a finding that the task rectifies). */
  extra?: (task: Task, duties: DutyRecord[]) => TransactItem[];
  /** The due time must be later than now (a rectification deadline set today). */
  dueAtInFuture?: boolean;
  /**
   * The task's id, fixed by the caller (an import row, a 分别交办 unit): a second create with the
   * same id writes nothing and fails with 409 task_exists, so a retried batch creates each task once.
   */
  taskId?: string;
}

export interface PlanService {
  create(principal: Principal, input: CreatePlanInput, now: Date): Promise<Plan>;
  /** The plan with its current phase and duty counts as of `now`. */
  view(principal: Principal, id: string, now: Date): Promise<PlanView>;
  list(principal: Principal, page: PageRequest): Promise<Page<Plan>>;
  /** One plan by id, as stored (no counts): what a page needs for its title and time zone. */
  get(principal: Principal, id: string): Promise<Plan>;
  /**
   * Sets the plan's scoring rules (量化考评) if it is still at `input.expectedVersion`; the office
   * only, audited. Later reports score by them; frozen reports keep the rules they were scored by.
   */
  setScoringRules(
    principal: Principal,
    planId: string,
    input: PutScoringRulesInput,
    now: Date,
  ): Promise<Plan>;
  /**
   * Sets the plan's light settings (yellow tolerance in percentage points, blue working days) if it
   * is still at `input.expectedVersion`; the office only, audited. Every light reads them at once.
   */
  setLightSettings(
    principal: Principal,
    planId: string,
    input: PutLightSettingsInput,
    now: Date,
  ): Promise<Plan>;
  createTask(
    principal: Principal,
    planId: string,
    input: CreateTaskInput,
    now: Date,
    options?: CreateTaskOptions,
  ): Promise<Task & { duties: Duty[] }>;
  listTasks(
    principal: Principal,
    planId: string,
    page: PageRequest,
    filter?: TaskFilter,
  ): Promise<Page<Task>>;
  /**
   * A task with every unit's duty (every occurrence of a recurring one) as of `now`, in one index
   * Query: for those who read every duty (the office, leaders).
   */
  taskWithDuties(
    principal: Principal,
    planId: string,
    taskId: string,
    now: Date,
  ): Promise<Task & { duties: Duty[] }>;
  /** One task of a plan by id; undefined when the plan has no such task. */
  getTask(principal: Principal, planId: string, taskId: string): Promise<Task | undefined>;
  /** The task's number in its plan (1, 2, … in the plan's task order): what its 督办单 is numbered by. */
  taskNumber(principal: Principal, planId: string, taskId: string): Promise<number>;
  /** The plans among `ids` that exist, keyed by id, read together (titles and zones of duties across plans). */
  getMany(principal: Principal, ids: readonly string[]): Promise<Map<string, Plan>>;
}

export function planService(deps: {
  plans: PlanRepository;
  units: UnitRepository;
  duties: DutyRepository;
  counters: CounterRepository;
  calendars: CalendarRepository;
  recurrences: RecurrenceService;
}): PlanService {
  const { plans, units, duties, counters, calendars, recurrences } = deps;

  async function fromCounters(planId: string, nowIso: string) {
    const overdue: DutyTally[] = [];
    const [{ cells }] = await Promise.all([
      counters.read(planId),
      (async () => {
        for await (const batch of duties.overdueTallies(planId, nowIso)) overdue.push(...batch);
      })(),
    ]);
    return { counts: countsMap(cells), overdue };
  }

  /** One setting of the plan at the version the office saw, audited as `plan.<kebab-field>`. */
  async function setSetting<K extends PlanSettingField>(
    principal: Principal,
    plan: Plan,
    field: K,
    value: NonNullable<Plan[K]>,
    expectedVersion: number,
    now: Date,
  ): Promise<Plan> {
    if (plan.version !== expectedVersion) {
      throw new ConflictError('version_conflict', `工作方案已被修改(当前版本 ${plan.version}),请刷新后重试`);
    }
    const action = field === 'scoringRules' ? 'plan.scoring-rules' : 'plan.light-settings';
    const audit = auditEvent(
      principal,
      action,
      { type: 'plan', id: plan.id, planId: plan.id },
      { before: { [field]: plan[field] ?? null }, after: { [field]: value } },
      now,
    );
    if (!(await plans.setSetting(plan.id, field, value, expectedVersion, audit))) {
      throw new ConflictError('version_conflict', '工作方案刚被他人修改,请刷新后重试');
    }
    return { ...plan, [field]: value, version: expectedVersion + 1 };
  }

  async function mustGet(id: string): Promise<Plan> {
    const plan = await plans.get(id);
    if (plan === undefined) throw new NotFoundError('工作方案', id);
    return plan;
  }

  return {
    async create(principal, input, now) {
      authorize(principal, 'plan.create');
      const plan: Plan = {
        id: newId('plan', now),
        title: input.title,
        timezone: input.timezone,
        phases: input.phases,
        escalation: input.escalation,
        receiptRequired: input.receiptRequired ?? false,
        receiptWorkingHours: input.receiptWorkingHours ?? null,
        phaseClosures: {},
        createdAt: now.toISOString(),
        createdBy: principal.sub,
        version: 1,
      };
      await plans.create(
        plan,
        auditEvent(
          principal,
          'plan.create',
          { type: 'plan', id: plan.id, planId: plan.id },
          { before: null, after: plan },
          now,
        ),
      );
      return plan;
    },

    async view(principal, id, now) {
      authorize(principal, 'plan.read');
      const nowIso = now.toISOString();
      // Units × phases counter items, plus the open duties already past due: never every duty. They
      // are read alongside the plan; a plan stored before counters existed (rare, until the sweep's
      // first recount of it) is then counted duty by duty instead.
      const counting = fromCounters(id, nowIso);
      counting.catch(() => undefined);
      const found = await plans.getWithPending(id);
      if (found === undefined) throw new NotFoundError('工作方案', id);
      const { plan, pending, counted } = found;
      const { counts, overdue } = counted
        ? await counting.then((c) => ({
            ...c,
            counts: applyDeltas(
              c.counts,
              pending.flatMap((p) => p.deltas),
            ),
          }))
        : await countDuties(duties, id, nowIso);
      const selfChecks = createSelfCheckTally();
      const lateSelfChecks = new Map<string, string[]>();
      for (const d of overdue) {
        if (d.kind !== 'self-check') continue;
        const key = cellKey(d.unitId, d.phaseKey);
        lateSelfChecks.set(key, [...(lateSelfChecks.get(key) ?? []), d.dueAt]);
      }
      for (const [key, cell] of counts) selfChecks.addCell(cell, lateSelfChecks.get(key) ?? []);
      // Names come with the counters; a unit only ever given recurring work is looked up.
      const known = new Map<string, string>();
      for (const cell of counts.values()) if (cell.unitName !== null) known.set(cell.unitId, cell.unitName);
      const unnamed = selfChecks.unitIds().filter((u) => !known.has(u));
      if (unnamed.length > 0)
        for (const [unitId, unit] of await units.getMany(unnamed)) known.set(unitId, unit.name);
      return {
        ...plan,
        asOf: now.toISOString(),
        currentPhase: currentPhase(plan.phases, now, plan.timezone),
        phaseStates: plan.phases.map((p) => {
          const state = phaseGateState(p, plan.phaseClosures[p.key], now, plan.timezone);
          return { key: p.key, state, label: PHASE_GATE_LABELS[state] };
        }),
        counts: progressFromCounts(
          plan.phases.map((p) => p.key),
          counts.values(),
          overdue,
        ),
        selfChecks: selfChecks.finish(plan.phases, known, now),
        receipts: receiptFigures(counts.values()),
      };
    },

    async list(principal, page) {
      authorize(principal, 'plan.read');
      return plans.list(page);
    },

    async get(principal, id) {
      authorize(principal, 'plan.read');
      return mustGet(id);
    },

    async setScoringRules(principal, planId, input, now) {
      authorize(principal, 'plan.create');
      const plan = await mustGet(planId);
      const { expectedVersion, ...rules } = input;
      const levels = new Set(plan.escalation.map((l) => l.level));
      const problems: FieldProblem[] = Object.keys(rules.perNotice)
        .filter((level) => !levels.has(level))
        .map((level) => ({
          field: `perNotice.${level}`,
          message: `本方案的督办级别中没有 ${level}(有:${[...levels].join('、')})`,
        }));
      if (problems.length > 0) throw new ValidationError('考评规则有误', problems);
      return setSetting(principal, plan, 'scoringRules', rules, expectedVersion, now);
    },

    async setLightSettings(principal, planId, input, now) {
      authorize(principal, 'plan.create');
      const plan = await mustGet(planId);
      const { expectedVersion, ...settings } = input;
      return setSetting(principal, plan, 'lightSettings', settings, expectedVersion, now);
    },

    async createTask(principal, planId, input, now, options = {}) {
      authorize(principal, 'task.create');
      const plan = await mustGet(planId);
      const problems: FieldProblem[] = [];
      const phase = plan.phases.find((p) => p.key === input.phaseKey);
      if (phase === undefined) {
        problems.push({ field: 'phaseKey', message: `工作方案中没有此阶段:${input.phaseKey}` });
      }
      let dueAt: string | null = null;
      if (input.dueAt !== undefined) {
        const due = parseDueAt(input.dueAt, plan.timezone);
        if (!due.ok) problems.push({ field: 'dueAt', message: due.message });
        else if (options.dueAtInFuture === true && due.dueAt.getTime() <= now.getTime()) {
          problems.push({ field: 'dueAt', message: '截止时间必须晚于现在' });
        } else dueAt = due.dueAt.toISOString();
      }
      if (input.recurrence !== undefined && phase !== undefined) {
        problems.push(...validateRecurrence(input.recurrence, { phaseStart: phase.start }));
      }
      const unitIds = [input.leadUnitId, ...input.coUnitIds];
      const found = await units.getMany(unitIds);
      unitIds.forEach((id, i) => {
        const field = i === 0 ? 'leadUnitId' : `coUnitIds.${i - 1}`;
        const unit = found.get(id);
        if (unit === undefined) problems.push({ field, message: `单位不存在:${id}` });
        else if (!unit.active) problems.push({ field, message: `单位已停用:${id}` });
      });
      if (problems.length > 0) throw new ValidationError('任务信息有误', problems);
      // Closing a phase is a gate (the write checks it again, under the close's own condition).
      if (plan.phaseClosures[input.phaseKey] !== undefined) {
        throw new PhaseClosedError(input.phaseKey);
      }

      const createdAt = now.toISOString();
      const recurring = input.recurrence !== undefined;
      const task: Task = {
        id: options.taskId ?? newId('task', now),
        planId,
        title: input.title,
        description: input.description ?? '',
        phaseKey: input.phaseKey,
        leadUnitId: input.leadUnitId,
        coUnitIds: input.coUnitIds,
        dueAt,
        recurrence: input.recurrence ?? null,
        ...(input.progressReports === undefined ? {} : { progressReports: input.progressReports }),
        kind: input.kind,
        escalation: input.escalation ?? null,
        signOffLevels: input.signOffLevels,
        occurrencesUntil: null,
        // A recurring task waits in the sweep index until its occurrences are created; if this
        // request dies after writing it, the next sweep creates them.
        nextMaterializeAt: recurring ? createdAt : null,
        ...(input.fromInstruction === undefined ? {} : { fromInstruction: input.fromInstruction }),
        createdAt,
        createdBy: principal.sub,
      };
      const taskAudit = (t: Task, created: DutyRecord[]) =>
        auditEvent(
          principal,
          'task.create',
          { type: 'task', id: t.id, planId },
          // `policy` is the escalation its duties keep for life (the task's own or the plan's now):
          // with the due time and the duties, what each duty's history shows as its assignment.
          { before: null, after: { ...t, policy: policyFor(plan, t), dutyIds: created.map((d) => d.id) } },
          now,
        );
      const calendar = createWorkingCalendar(await calendars.list());
      if (recurring) {
        await plans.createTaskWithDuties(task, [], taskAudit(task, []));
        await recurrences.topUp(plan, task, now, calendar, principal);
        const created = await duties.listByTask(task, { limit: 100 });
        return { ...task, duties: created.map((r) => toDutyView(r, now)) };
      }
      const records = unitIds.map((unitId) =>
        newDuty({
          id: newId('duty', now),
          plan,
          task,
          unitId,
          dueAt: dueAt ?? createdAt,
          occurrenceKey: null,
          now,
          calendar,
        }),
      );
      await plans.createTaskWithDuties(
        task,
        records,
        taskAudit(task, records),
        options.extra?.(task, records) ?? [],
        new Map([...found].map(([unitId, unit]) => [unitId, unit.name])),
      );
      // 按期报告进度: each unit's report duty for each period, on the task's ladder.
      await recurrences.createProgressReports(plan, task, now, calendar, principal);
      return { ...task, duties: records.map((r) => toDutyView(r, now)) };
    },

    async listTasks(principal, planId, page, filter) {
      authorize(principal, 'task.read');
      await mustGet(planId);
      return plans.listTasks(planId, page, filter);
    },

    async taskWithDuties(principal, planId, taskId, now) {
      authorize(principal, 'duty.read');
      const [task, records] = await Promise.all([plans.getTask(planId, taskId), duties.ofTask(taskId)]);
      if (task === undefined) throw new NotFoundError('任务', taskId);
      const sorted = records
        .filter((r) => r.planId === planId)
        .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.unitId.localeCompare(b.unitId));
      return { ...task, duties: sorted.map((r) => toDutyView(r, now)) };
    },

    async getTask(principal, planId, taskId) {
      authorize(principal, 'task.read');
      return plans.getTask(planId, taskId);
    },

    async taskNumber(principal, planId, taskId) {
      authorize(principal, 'task.read');
      return plans.taskNumber(planId, taskId);
    },

    async getMany(principal, ids) {
      authorize(principal, 'plan.read');
      return ids.length === 0 ? new Map() : plans.getMany(ids);
    },
  };
}
