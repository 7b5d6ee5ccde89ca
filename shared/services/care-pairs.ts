/**
 * 师生结对帮扶 (seed 004): a teacher paired with a child — a left-behind child's care file or a
 * dropout case's child — keeps at least one support record a week and one home visit a month.
 * Setting up a pair gives the child's school two recurring report duties on the ladder; each
 * record or visit is logged by submitting that period's duty (note and evidence), a period
 * without one overdue like any other duty. The duties name the child masked only (张*明).
 */
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CareFileRepository, PairRecord } from '../db/care-file-repository.js';
import type { CaseRepository } from '../db/case-repository.js';
import { type PairDutyKind, pairDutySpecs } from '../domain/care/care-file.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { CarePairSetupResult, SetUpPairInput } from '../schemas/care-files.js';
import { authorize } from './access.js';
import { fixedTaskId } from './import-service.js';
import type { PlanService } from './plan-service.js';

export type PairChild = PairRecord['child'];

/** A pair's task of one kind in a plan: fixed by plan and child, so setting up twice creates nothing. */
export const pairTaskId = (planId: string, child: PairChild, kind: PairDutyKind) =>
  fixedTaskId('care-pair', kind, planId, `${child.kind}:${child.id}`);

export interface PairService {
  setUp(
    principal: Principal,
    child: PairChild,
    input: SetUpPairInput,
    now: Date,
  ): Promise<CarePairSetupResult>;
}

export function pairService(deps: {
  careFiles: CareFileRepository;
  cases: CaseRepository;
  plans: PlanService;
}): PairService {
  /** What the duties show of the child, and whose duties they are. */
  async function childOf(child: PairChild) {
    const found =
      child.kind === 'care-file' ? await deps.careFiles.get(child.id) : await deps.cases.get(child.id);
    if (found === undefined) throw new NotFoundError(child.kind === 'case' ? '案例' : '关爱档案', child.id);
    return {
      grade: found.grade,
      className: found.className,
      childNameMasked: found.masked.childName,
      schoolUnitId: found.schoolUnitId,
    };
  }

  return {
    async setUp(principal, child, input, now) {
      // The duties are tasks of the office's plan: the office sets pairs up, as it does 送教上门.
      authorize(principal, 'task.create');
      const c = await childOf(child);
      const specs = pairDutySpecs(c, input.teacher.name, input);
      const ids = Object.fromEntries(
        specs.map((s) => [s.kind, pairTaskId(input.planId, child, s.kind)]),
      ) as Record<PairDutyKind, string>;
      // The tasks first (each once, by its fixed id), the pair last: a retry after a crash between
      // finds the tasks there and writes the pair.
      for (const spec of specs) {
        try {
          await deps.plans.createTask(
            principal,
            input.planId,
            {
              title: spec.title,
              description: spec.description,
              phaseKey: input.phaseKey,
              leadUnitId: c.schoolUnitId,
              coUnitIds: [],
              kind: 'report',
              recurrence: spec.recurrence,
              signOffLevels: 0,
            },
            now,
            { taskId: ids[spec.kind] },
          );
        } catch (err) {
          if (!(err instanceof ConflictError && err.code === 'task_exists')) throw err;
        }
      }
      const pair: PairRecord = {
        child,
        planId: input.planId,
        teacher: input.teacher,
        weeklyTaskId: ids['weekly-record'],
        monthlyTaskId: ids['monthly-visit'],
        createdAt: now.toISOString(),
        createdBy: principal.sub,
      };
      const created = await deps.careFiles.createPair(
        pair,
        auditEvent(
          principal,
          'pair.create',
          { type: child.kind, id: child.id, planId: input.planId },
          {
            before: null,
            after: {
              teacher: input.teacher.name,
              weeklyTaskId: pair.weeklyTaskId,
              monthlyTaskId: pair.monthlyTaskId,
            },
          },
          now,
        ),
      );
      const stored = created
        ? pair
        : ((await deps.careFiles.pairs(child)).find((p) => p.planId === input.planId) ?? pair);
      const { child: _child, ...shown } = stored;
      return { ...shown, created };
    },
  };
}
