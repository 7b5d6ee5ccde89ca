import type { Principal } from '../auth/principal.js';
import { ConflictError } from '../errors.js';
import type { CreateTaskInput } from '../schemas/tasks.js';
import { fixedTaskId } from './import-service.js';
import type { PlanService } from './plan-service.js';

export interface AssignEachResult {
  /** One entry per unit, in the order given: its task and whether this call created it. */
  tasks: { unitId: string; taskId: string; created: boolean; duties: number }[];
  created: number;
  existing: number;
}

/**
 * 分别交办: the same task for each unit, each unit its own lead, as one idempotent operation. Each
 * task's id is fixed by the plan, the caller's `key` (the page's form key) and the unit, so a retry
 * after a timeout or a crash half-way creates only the tasks still missing, each once.
 */
export async function assignEach(
  plans: PlanService,
  principal: Principal,
  planId: string,
  input: Omit<CreateTaskInput, 'leadUnitId' | 'coUnitIds'>,
  unitIds: readonly string[],
  key: string,
  now: Date,
  /** Each unit's fixed task id, when the caller names them (by default from the caller and `key`). */
  taskIdOf: (unitId: string) => string = (unitId) => fixedTaskId('each', planId, principal.sub, key, unitId),
): Promise<AssignEachResult> {
  const tasks: AssignEachResult['tasks'] = [];
  for (const unitId of new Set(unitIds)) {
    const taskId = taskIdOf(unitId);
    try {
      const task = await plans.createTask(
        principal,
        planId,
        { ...input, leadUnitId: unitId, coUnitIds: [] },
        now,
        {
          taskId,
        },
      );
      tasks.push({ unitId, taskId, created: true, duties: task.duties.length });
    } catch (err) {
      if (!(err instanceof ConflictError && err.code === 'task_exists')) throw err;
      tasks.push({ unitId, taskId, created: false, duties: 0 });
    }
  }
  const created = tasks.filter((t) => t.created).length;
  return { tasks, created, existing: tasks.length - created };
}
