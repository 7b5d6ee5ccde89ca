import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { Page, PageRequest } from '../db/pagination.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { RosterRepository, SemesterRecord } from '../db/roster-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { addDays, endOfLocalDay } from '../domain/time/zoned-time.js';
import { ConflictError, type FieldProblem, NotFoundError, ValidationError } from '../errors.js';
import type { CreateSemesterInput, Semester, SemesterCreated } from '../schemas/rosters.js';
import { authorize } from './access.js';
import { fixedTaskId } from './import-service.js';
import type { PlanService } from './plan-service.js';

/** "Within two weeks after school starts" (seed 001): the rosters are due 14 days after the start. */
export const ROSTER_FILING_DAYS = 14;

/** The filing duty's task of one school and semester: fixed, so a repeat creates it once. */
export const rosterTaskId = (semesterId: string, schoolUnitId: string) =>
  fixedTaskId('semester-rosters', semesterId, schoolUnitId);

export interface SemesterService {
  /**
   * The office sets a semester; each school gets one 报送三类花名册 duty due two weeks after the
   * start, on the plan's ladder. Setting the same semester again (a retry) creates only the duties
   * still missing; the same id with other dates is a 409.
   */
  create(
    principal: Principal,
    input: CreateSemesterInput,
    now: Date,
  ): Promise<SemesterCreated & { fresh: boolean }>;
  get(principal: Principal, semesterId: string): Promise<Semester>;
  list(principal: Principal, page: PageRequest): Promise<Page<Semester>>;
}

export function semesterService(deps: {
  rosters: RosterRepository;
  plans: PlanRepository;
  units: UnitRepository;
  planService: PlanService;
}): SemesterService {
  const { rosters, plans, units, planService } = deps;

  /** Every active unit of the school kind, from the directory (U2), a page at a time. */
  async function allSchools(): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await units.list({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      ids.push(...page.items.filter((u) => u.kind === 'school' && u.active).map((u) => u.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return ids;
  }

  async function resolve(input: CreateSemesterInput): Promise<SemesterRecord> {
    const problems: FieldProblem[] = [];
    const plan = await plans.get(input.planId);
    if (plan === undefined) throw new NotFoundError('工作方案', input.planId);
    const inPhase = plan.phases.find(
      (p) =>
        p.start <= input.startDate && (p.end === undefined || p.end === null || p.end >= input.startDate),
    );
    const phaseKey = input.phaseKey ?? inPhase?.key ?? plan.phases[0]?.key ?? '';
    if (!plan.phases.some((p) => p.key === phaseKey)) {
      problems.push({ field: 'phaseKey', message: `工作方案中没有此阶段:${phaseKey}` });
    }
    let schoolUnitIds = input.schoolUnitIds ?? [];
    if (input.schoolUnitIds === undefined) {
      schoolUnitIds = await allSchools();
      if (schoolUnitIds.length === 0) {
        problems.push({ field: 'schoolUnitIds', message: '单位目录中没有学校,请列出报送花名册的学校' });
      }
    } else {
      const found = await units.getMany(schoolUnitIds);
      schoolUnitIds.forEach((id, i) => {
        const unit = found.get(id);
        if (unit === undefined) problems.push({ field: `schoolUnitIds.${i}`, message: `单位不存在:${id}` });
        else if (!unit.active) problems.push({ field: `schoolUnitIds.${i}`, message: `单位已停用:${id}` });
      });
      if (schoolUnitIds.length === 0)
        problems.push({ field: 'schoolUnitIds', message: '请至少列出一所学校' });
    }
    if (problems.length > 0) throw new ValidationError('学期信息有误', problems);
    return {
      id: input.id,
      name: input.name,
      startDate: input.startDate,
      endDate: input.endDate ?? null,
      planId: plan.id,
      phaseKey,
      rosterDueAt: endOfLocalDay(addDays(input.startDate, ROSTER_FILING_DAYS), plan.timezone).toISOString(),
      schoolUnitIds,
      createdAt: '',
      createdBy: '',
    };
  }

  const view = ({ ...s }: SemesterRecord): Semester => s;

  return {
    async create(principal, input, now) {
      authorize(principal, 'task.create');
      let semester = await rosters.getSemester(input.id);
      let fresh = false;
      if (semester === undefined) {
        const record = { ...(await resolve(input)), createdAt: now.toISOString(), createdBy: principal.sub };
        fresh = await rosters.createSemester(
          record,
          auditEvent(
            principal,
            'semester.create',
            { type: 'semester', id: record.id, planId: record.planId },
            { before: null, after: { ...record } },
            now,
          ),
        );
        semester = fresh ? record : await rosters.getSemester(input.id);
      }
      if (semester === undefined) throw new NotFoundError('学期', input.id);
      if (
        semester.startDate !== input.startDate ||
        semester.planId !== input.planId ||
        semester.name !== input.name
      ) {
        throw new ConflictError(
          'semester_exists',
          `学期编号已被使用:${input.id}(${semester.name},${semester.startDate} 开学)`,
        );
      }
      // One duty per school; the task id is fixed by semester and school, so a repeat (or a retry
      // after a crash half-way) creates only those still missing.
      const duties: SemesterCreated['duties'] = [];
      for (const unitId of semester.schoolUnitIds) {
        const taskId = rosterTaskId(semester.id, unitId);
        try {
          await planService.createTask(
            principal,
            semester.planId,
            {
              title: `报送三类花名册(${semester.name})`,
              description:
                '开学后两周内报送无学籍人员、人在籍不在、籍在人不在三类花名册(已核实在外就读的不计入),在“花名册”中导入即为报送。',
              phaseKey: semester.phaseKey,
              leadUnitId: unitId,
              coUnitIds: [],
              kind: 'report',
              signOffLevels: 0,
              dueAt: semester.rosterDueAt,
            },
            now,
            { taskId },
          );
          duties.push({ unitId, taskId, created: true });
        } catch (err) {
          if (!(err instanceof ConflictError && err.code === 'task_exists')) throw err;
          duties.push({ unitId, taskId, created: false });
        }
      }
      return { ...view(semester), duties, fresh };
    },

    async get(principal, semesterId) {
      authorize(principal, 'plan.read');
      const found = await rosters.getSemester(semesterId);
      if (found === undefined) throw new NotFoundError('学期', semesterId);
      return view(found);
    },

    async list(principal, page) {
      authorize(principal, 'plan.read');
      const found = await rosters.listSemesters(page);
      return { items: found.items.map(view), nextCursor: found.nextCursor };
    },
  };
}
