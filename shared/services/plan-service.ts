import type { Principal } from '../auth/principal.js';
import type { DutyRepository } from '../db/duty-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { parseDueAt } from '../domain/duty/due-time.js';
import { currentPhase } from '../domain/plan/phases.js';
import { addToProgress, emptyProgress } from '../domain/plan/progress.js';
import { type FieldProblem, NotFoundError, ValidationError } from '../errors.js';
import { newId } from '../ids.js';
import type { Duty, DutyRecord } from '../schemas/duties.js';
import type { CreatePlanInput, Plan, PlanView } from '../schemas/plans.js';
import type { CreateTaskInput, Task } from '../schemas/tasks.js';
import { authorize } from './access.js';
import { toDutyView } from './duty-view.js';

export interface PlanService {
  create(principal: Principal, input: CreatePlanInput, now: Date): Promise<Plan>;
  /** The plan with its current phase and duty counts as of `now`. */
  view(principal: Principal, id: string, now: Date): Promise<PlanView>;
  list(principal: Principal, page: PageRequest): Promise<Page<Plan>>;
  createTask(
    principal: Principal,
    planId: string,
    input: CreateTaskInput,
    now: Date,
  ): Promise<Task & { duties: Duty[] }>;
  listTasks(principal: Principal, planId: string, page: PageRequest): Promise<Page<Task>>;
}

export function planService(deps: {
  plans: PlanRepository;
  units: UnitRepository;
  duties: DutyRepository;
}): PlanService {
  const { plans, units, duties } = deps;

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
        createdAt: now.toISOString(),
        createdBy: principal.sub,
        version: 1,
      };
      await plans.create(plan);
      return plan;
    },

    async view(principal, id, now) {
      authorize(principal, 'plan.read');
      const plan = await mustGet(id);
      const progress = emptyProgress(plan.phases.map((p) => p.key));
      for await (const batch of duties.tallies(id)) addToProgress(progress, batch, now);
      return {
        ...plan,
        asOf: now.toISOString(),
        currentPhase: currentPhase(plan.phases, now, plan.timezone),
        counts: progress,
      };
    },

    async list(principal, page) {
      authorize(principal, 'plan.read');
      return plans.list(page);
    },

    async createTask(principal, planId, input, now) {
      authorize(principal, 'task.create');
      const plan = await mustGet(planId);
      const problems: FieldProblem[] = [];
      if (!plan.phases.some((p) => p.key === input.phaseKey)) {
        problems.push({ field: 'phaseKey', message: `工作方案中没有此阶段:${input.phaseKey}` });
      }
      const due = parseDueAt(input.dueAt, plan.timezone);
      if (!due.ok) problems.push({ field: 'dueAt', message: due.message });
      const unitIds = [input.leadUnitId, ...input.coUnitIds];
      const found = await units.getMany(unitIds);
      unitIds.forEach((id, i) => {
        const field = i === 0 ? 'leadUnitId' : `coUnitIds.${i - 1}`;
        const unit = found.get(id);
        if (unit === undefined) problems.push({ field, message: `单位不存在:${id}` });
        else if (!unit.active) problems.push({ field, message: `单位已停用:${id}` });
      });
      if (!due.ok || problems.length > 0) throw new ValidationError('任务信息有误', problems);

      const createdAt = now.toISOString();
      const dueAt = due.dueAt.toISOString();
      const task: Task = {
        id: newId('task', now),
        planId,
        title: input.title,
        description: input.description ?? '',
        phaseKey: input.phaseKey,
        leadUnitId: input.leadUnitId,
        coUnitIds: input.coUnitIds,
        dueAt,
        createdAt,
        createdBy: principal.sub,
      };
      const records: DutyRecord[] = unitIds.map((unitId, i) => ({
        id: newId('duty', now),
        planId,
        taskId: task.id,
        unitId,
        role: i === 0 ? 'lead' : 'co',
        title: task.title,
        phaseKey: task.phaseKey,
        dueAt,
        status: 'open',
        round: 1,
        returns: 0,
        submission: null,
        createdAt,
        updatedAt: createdAt,
        version: 1,
      }));
      await plans.createTaskWithDuties(task, records);
      return { ...task, duties: records.map((r) => toDutyView(r, now)) };
    },

    async listTasks(principal, planId, page) {
      authorize(principal, 'task.read');
      await mustGet(planId);
      return plans.listTasks(planId, page);
    },
  };
}
