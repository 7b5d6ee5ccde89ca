import { createHash } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { ImportRepository } from '../db/import-repository.js';
import type { PlanRepository } from '../db/plan-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { buildImport, type ImportRow, type RowProblem } from '../domain/import/import-rows.js';
import type { NamedUnit } from '../domain/import/unit-match.js';
import { AppError, ConflictError, NotFoundError } from '../errors.js';
import { IMPORT_MAX_ROWS, readTable } from '../import/read-table.js';
import type { Plan } from '../schemas/plans.js';
import { authorize } from './access.js';
import type { PlanService } from './plan-service.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A task id fixed by its source: the same row of the same file in the same plan is the same task. */
export function fixedTaskId(...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('|')).digest();
  let id = '';
  for (let i = 0; i < 20; i++) id += ALPHABET.charAt((digest[i] ?? 0) % 32);
  return `task-${id}`;
}

export interface ImportPreview {
  planId: string;
  sha256: string;
  format: 'xlsx' | 'csv';
  sheetName: string | null;
  encoding: string | null;
  notices: string[];
  headerRow: number | null;
  columns: Record<string, string>;
  rows: (Omit<ImportRow, 'task'> & { taskId: string })[];
  skipped: { row: number; text: string }[];
  problems: RowProblem[];
  /** True when the file was committed to this plan before (committing again creates nothing). */
  committedBefore: boolean;
}

export interface ImportResult extends ImportPreview {
  created: number;
  existing: number;
  tasks: { row: number; taskId: string; created: boolean }[];
}

/** Committing a file with any problem: 400, nothing written, every problem listed. */
export class ImportProblemsError extends AppError {
  constructor(problems: RowProblem[]) {
    super(
      400,
      'import_has_errors',
      `导入文件有 ${problems.length} 处错误,未导入任何任务:${problems[0]?.message ?? ''}`,
      {
        fields: problems.map((p) => ({
          field: p.column === null ? `rows.${p.row}` : `rows.${p.row}.${p.field}`,
          message: p.message,
        })),
        problems,
      },
    );
  }
}

export interface ImportService {
  /** Reads and checks the file against the plan and the unit directory; writes nothing. */
  preview(principal: Principal, planId: string, file: Uint8Array, now: Date): Promise<ImportPreview>;
  /**
   * Creates every row's task and duties (each task its own transaction, its id fixed by plan, file
   * and row): a repeat or a retry after a crash creates each task once. Any problem: nothing written.
   */
  commit(
    principal: Principal,
    planId: string,
    file: Uint8Array,
    now: Date,
    fileName?: string | null,
  ): Promise<ImportResult>;
}

export function importService(deps: {
  plans: PlanRepository;
  units: UnitRepository;
  imports: ImportRepository;
  planService: PlanService;
}): ImportService {
  const { plans, units, imports, planService } = deps;

  async function directory(): Promise<NamedUnit[]> {
    const all: NamedUnit[] = [];
    let cursor: string | undefined;
    do {
      const page = await units.list({ limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      all.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return all;
  }

  async function check(principal: Principal, planId: string, file: Uint8Array, now: Date) {
    authorize(principal, 'task.create');
    const plan: Plan | undefined = await plans.get(planId);
    if (plan === undefined) throw new NotFoundError('工作方案', planId);
    const sha256 = createHash('sha256').update(file).digest('hex');
    const [table, unitList, before] = await Promise.all([
      readTable(file),
      directory(),
      imports.get(planId, sha256),
    ]);
    const built = buildImport(table.rows, { plan, units: unitList, now, maxRows: IMPORT_MAX_ROWS });
    for (const r of built.rows) {
      if (r.phase.key === null || plan.phaseClosures[r.phase.key] === undefined) continue;
      r.problems.push({
        row: r.row,
        column: built.columns.phase ?? null,
        field: 'phase',
        message: `第 ${r.row} 行:阶段“${r.phase.name ?? r.phase.key}”已关闭,不能再新增任务(须办公室重新开放)`,
      });
      r.task = null;
    }
    const problems = [...built.fileProblems, ...built.rows.flatMap((r) => r.problems)];
    const taskIdOf = (row: number) => fixedTaskId('import', planId, sha256, String(row));
    const preview: ImportPreview = {
      planId,
      sha256,
      format: table.format,
      sheetName: table.sheetName,
      encoding: table.encoding,
      notices: table.notices,
      headerRow: built.headerRow,
      columns: built.columns as Record<string, string>,
      rows: built.rows.map(({ task: _task, ...r }) => ({ ...r, taskId: taskIdOf(r.row) })),
      skipped: built.skipped,
      problems,
      committedBefore: before !== undefined,
    };
    return { plan, preview, built, taskIdOf };
  }

  return {
    async preview(principal, planId, file, now) {
      return (await check(principal, planId, file, now)).preview;
    },

    async commit(principal, planId, file, now, fileName = null) {
      const { preview, built, taskIdOf } = await check(principal, planId, file, now);
      if (preview.problems.length > 0) throw new ImportProblemsError(preview.problems);
      const rows = built.rows.flatMap((r) => (r.task === null ? [] : [{ row: r.row, task: r.task }]));
      // The import is recorded (and audited with the file's SHA-256) once, before its tasks: a
      // retry after a crash finds it and goes on creating the tasks still missing.
      await imports.record(
        {
          planId,
          sha256: preview.sha256,
          fileName,
          rows: rows.length,
          taskIds: rows.map((r) => taskIdOf(r.row)),
          committedAt: now.toISOString(),
          committedBy: principal.sub,
        },
        auditEvent(
          principal,
          'plan.import',
          { type: 'plan', id: planId, planId },
          {
            before: null,
            after: { sha256: preview.sha256, fileName, format: preview.format, rows: rows.length },
          },
          now,
        ),
      );
      const tasks: ImportResult['tasks'] = [];
      // A repeat or a resumed import skips, read together, the tasks already there.
      const existing = preview.committedBefore
        ? await imports.existingTasks(
            planId,
            rows.map((r) => taskIdOf(r.row)),
          )
        : new Set<string>();
      for (const { row, task } of rows) {
        const taskId = taskIdOf(row);
        if (existing.has(taskId)) {
          tasks.push({ row, taskId, created: false });
          continue;
        }
        try {
          await planService.createTask(
            principal,
            planId,
            {
              title: task.title,
              ...(task.description === '' ? {} : { description: task.description }),
              phaseKey: task.phaseKey,
              leadUnitId: task.leadUnitId,
              coUnitIds: task.coUnitIds,
              kind: task.kind,
              signOffLevels: 0,
              ...(task.dueAt === undefined ? {} : { dueAt: task.dueAt }),
              ...(task.recurrence === undefined ? {} : { recurrence: task.recurrence }),
            },
            now,
            { taskId },
          );
          tasks.push({ row, taskId, created: true });
        } catch (err) {
          if (err instanceof ConflictError && err.code === 'task_exists') {
            tasks.push({ row, taskId, created: false });
            continue;
          }
          throw err;
        }
      }
      const created = tasks.filter((t) => t.created).length;
      return { ...preview, created, existing: tasks.length - created, tasks };
    },
  };
}
