/**
 * 送教上门: a disabled child taught at home gets a recurring duty of its own, at least weekly, for
 * its school — each week's visit logged by submitting that week's duty (date, teacher, content in
 * the note), a week without one overdue on the ladder like any other duty. The duty names the
 * child masked only (张*明).
 */
import type { Principal } from '../auth/principal.js';
import type { CaseRepository } from '../db/case-repository.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { authorize } from './access.js';
import { fixedTaskId } from './import-service.js';
import type { PlanService } from './plan-service.js';

/** One child's home-teaching task in a plan: fixed by both, so setting it up twice creates nothing. */
export const homeTeachingTaskId = (planId: string, caseId: string) =>
  fixedTaskId('case-home-teaching', planId, caseId);

export interface HomeTeachingSetup {
  planId: string;
  phaseKey: string;
  weekday: number;
  time: string;
}

export interface HomeTeachingService {
  setUp(
    principal: Principal,
    caseId: string,
    input: HomeTeachingSetup,
    now: Date,
  ): Promise<{ taskId: string; created: boolean; duties: number }>;
}

export function homeTeachingService(deps: {
  cases: CaseRepository;
  plans: PlanService;
}): HomeTeachingService {
  return {
    async setUp(principal, caseId, input, now) {
      authorize(principal, 'task.create');
      const c = await deps.cases.get(caseId);
      if (c === undefined) throw new NotFoundError('案例', caseId);
      if (!c.groups.homeTeaching) throw new ConflictError('not_home_teaching', '该学生未登记为送教上门');
      const taskId = homeTeachingTaskId(input.planId, caseId);
      try {
        const task = await deps.plans.createTask(
          principal,
          input.planId,
          {
            title: `送教上门(${c.grade}${c.className} ${c.masked.childName})`,
            description: '每周至少送教上门一次;每次送教后提交本期任务,写明日期、送教教师和送教内容。',
            phaseKey: input.phaseKey,
            leadUnitId: c.schoolUnitId,
            coUnitIds: [],
            kind: 'report',
            recurrence: { freq: 'weekly', weekdays: [input.weekday], time: input.time },
            signOffLevels: 0,
          },
          now,
          { taskId },
        );
        return { taskId, created: true, duties: task.duties.length };
      } catch (err) {
        if (!(err instanceof ConflictError && err.code === 'task_exists')) throw err;
        return { taskId, created: false, duties: 0 };
      }
    },
  };
}
