import type { Recurrence } from '../../schemas/recurrence.js';
import { localDateOf } from '../time/zoned-time.js';
import { parseDeadlineText } from './deadline-text.js';
import { columnLetter, findHeader, IMPORT_COLUMNS, type ImportColumn } from './header-map.js';
import { createUnitMatcher, type NamedUnit, splitUnitCell } from './unit-match.js';

/** One problem of one cell: the row and column as the spreadsheet shows them, and what is wrong. */
export interface RowProblem {
  row: number;
  column: string | null;
  field: ImportColumn | 'row';
  message: string;
  /** For an unknown or ambiguous unit: the closest units in the directory. */
  closest?: { id: string; name: string }[];
}

export type ImportKind = 'task' | 'report' | 'self-check';

/** What one row becomes when it has no problem: the input of one task. */
export interface RowTask {
  title: string;
  description: string;
  phaseKey: string;
  leadUnitId: string;
  coUnitIds: string[];
  kind: ImportKind;
  dueAt?: string;
  recurrence?: Recurrence;
}

export interface ImportRow {
  row: number;
  seq: string;
  title: string;
  lead: { text: string; units: { id: string; name: string }[] };
  co: { text: string; units: { id: string; name: string }[] };
  deadline: { text: string; reading: string | null };
  phase: { text: string; key: string | null; name: string | null };
  kind: ImportKind;
  note: string;
  problems: RowProblem[];
  task: RowTask | null;
}

export interface ImportPlanContext {
  timezone: string;
  phases: readonly { key: string; name: string; start: string; end?: string | undefined }[];
}

export interface BuiltImport {
  headerRow: number | null;
  columns: Partial<Record<ImportColumn, string>>;
  rows: ImportRow[];
  /** Problems of the whole file (no header, too many rows). */
  fileProblems: RowProblem[];
  /** Rows read as group headings (一、部署发动阶段) and skipped. */
  skipped: { row: number; text: string }[];
}

const TITLE_MAX = 200;
const MAX_CO_UNITS = 96;

const KINDS: Record<string, ImportKind> = {
  任务: 'task',
  一般任务: 'task',
  工作任务: 'task',
  报告: 'report',
  定期报告: 'report',
  报表: 'report',
  周报: 'report',
  月报: 'report',
  自查: 'self-check',
  自查报告: 'self-check',
};

const normalize = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

/** A phase by its name, its key, or its name without 阶段 ("自查补短" for 自查补短阶段). */
function phaseOf(text: string, phases: ImportPlanContext['phases']) {
  const t = normalize(text).replace(/^第[一二三四五六七八九十\d]+阶段[::]?/, '');
  if (t === '') return undefined;
  return phases.find((p) => {
    const name = normalize(p.name);
    return name === t || p.key === t || name.replace(/阶段$/, '') === t.replace(/阶段$/, '');
  });
}

/** The phase whose window holds `date`; before the first, the first; after the last, the last. */
function phaseOfDate(date: string, phases: ImportPlanContext['phases']) {
  const found = phases.find((p) => p.start <= date && (p.end === undefined || date <= p.end));
  if (found !== undefined) return found;
  const first = phases[0];
  return first !== undefined && date < first.start ? first : phases.at(-1);
}

/**
 * Reads the rows of an office's task table into task inputs, finding every problem of every cell
 * (never stopping at the first): the header by its Chinese names, units by name or alias,
 * deadlines in words, the phase by name (a group heading row above sets it for the rows below, else
 * the deadline's date picks it). Pure: the units, plan and moment are parameters.
 */
export function buildImport(
  table: readonly { row: number; cells: readonly string[] }[],
  ctx: { plan: ImportPlanContext; units: readonly NamedUnit[]; now: Date; maxRows: number },
): BuiltImport {
  const header = findHeader(table.map((r) => r.cells));
  if (!header.ok) {
    return {
      headerRow: null,
      columns: {},
      rows: [],
      fileProblems: [{ row: table[0]?.row ?? 1, column: null, field: 'row', message: header.message }],
      skipped: [],
    };
  }
  const { plan, now } = ctx;
  const year = Number((plan.phases[0]?.start ?? localDateOf(now, plan.timezone)).slice(0, 4));
  const matcher = createUnitMatcher(ctx.units);
  const columns = header.columns;
  const letters = Object.fromEntries(
    Object.entries(columns).map(([k, c]) => [k, columnLetter(c as number)]),
  ) as Partial<Record<ImportColumn, string>>;
  const body = table.slice(header.headerRow + 1);
  const headerRowNumber = table[header.headerRow]?.row ?? header.headerRow + 1;
  if (body.length > ctx.maxRows) {
    return {
      headerRow: headerRowNumber,
      columns: letters,
      rows: [],
      fileProblems: [
        {
          row: headerRowNumber,
          column: null,
          field: 'row',
          message: `任务行过多:${body.length} 行,上限为 ${ctx.maxRows} 行`,
        },
      ],
      skipped: [],
    };
  }

  const rows: ImportRow[] = [];
  const skipped: BuiltImport['skipped'] = [];
  let headingPhase: ImportPlanContext['phases'][number] | undefined;
  for (const { row, cells } of body) {
    const cell = (k: ImportColumn) => {
      const c = columns[k];
      return c === undefined ? '' : (cells[c] ?? '').trim();
    };
    const filled = cells.map((c) => c.trim()).filter((c) => c !== '');
    // A heading merged across the table ("一、部署发动阶段(5月9日至5月13日)"): every cell the same.
    if (
      filled.length > 0 &&
      filled.every((c) => c === filled[0]) &&
      (filled.length > 1 || cell('title') === '')
    ) {
      const text = filled[0] ?? '';
      const named = plan.phases.find((p) => normalize(text).includes(normalize(p.name)));
      if (named !== undefined) headingPhase = named;
      skipped.push({ row, text });
      continue;
    }
    const problems: RowProblem[] = [];
    const problem = (field: ImportColumn, message: string, closest?: RowProblem['closest']) =>
      problems.push({
        row,
        column: letters[field] ?? null,
        field,
        message: `第 ${row} 行 ${letters[field] ?? ''} 列(${IMPORT_COLUMNS[field].label}):${message}`,
        ...(closest === undefined ? {} : { closest }),
      });

    // Title: the cell's first line; the whole multi-line cell goes into the description.
    const titleText = cell('title');
    const lines = titleText
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    const title = lines[0] ?? '';
    if (title === '') problem('title', '工作任务为空');
    else if ([...title].length > TITLE_MAX) problem('title', `任务名称过长(首行最多 ${TITLE_MAX} 字)`);

    // Units: the first named in 责任单位 leads; the others there and in 配合单位 assist.
    const leadText = cell('lead');
    const coText = cell('co');
    const leadUnits: { id: string; name: string }[] = [];
    const coUnits: { id: string; name: string }[] = [];
    if (splitUnitCell(leadText).length === 0) problem('lead', '责任单位为空');
    for (const [field, text, into] of [
      ['lead', leadText, leadUnits],
      ['co', coText, coUnits],
    ] as const) {
      for (const m of matcher.matchCell(text)) {
        if (m.ok) {
          if (!leadUnits.some((u) => u.id === m.unitId) && !coUnits.some((u) => u.id === m.unitId))
            into.push({ id: m.unitId, name: m.name });
        } else problem(field, m.message, m.closest);
      }
    }
    const [leadUnit, ...moreLeads] = leadUnits;
    const coUnitIds = [...moreLeads, ...coUnits].map((u) => u.id);
    if (coUnitIds.length > MAX_CO_UNITS)
      problem('co', `配合单位过多:${coUnitIds.length} 个,最多 ${MAX_CO_UNITS} 个`);

    // Deadline, in the plan's zone and year.
    const dueText = cell('due');
    const reading = parseDeadlineText(dueText, { year, timeZone: plan.timezone, now });
    if (!reading.ok) problem('due', reading.message);

    // Phase: the cell, else the heading above, else the deadline's date, else the current one.
    const phaseText = cell('phase');
    let phase = phaseText === '' ? headingPhase : phaseOf(phaseText, plan.phases);
    if (phaseText !== '' && phase === undefined) {
      problem('phase', `工作方案中没有阶段“${phaseText}”(有:${plan.phases.map((p) => p.name).join('、')})`);
    }
    if (phase === undefined && phaseText === '' && reading.ok) {
      const date = localDateOf(reading.kind === 'due' ? new Date(reading.dueAt) : now, plan.timezone);
      phase = phaseOfDate(date, plan.phases);
    }

    // Kind: the cell, else a report when the deadline repeats.
    const kindText = normalize(cell('kind'));
    let kind: ImportKind = reading.ok && reading.kind === 'recurring' ? 'report' : 'task';
    if (kindText !== '') {
      const k = KINDS[kindText];
      if (k === undefined) problem('kind', `无法识别的类型“${cell('kind')}”(可写:任务、定期报告、自查报告)`);
      else kind = k;
    }

    // A standing duty (长期坚持) runs to the end of its phase.
    let dueAt: string | undefined;
    let readingText: string | null = reading.ok ? reading.label : null;
    if (reading.ok && reading.kind === 'due') dueAt = reading.dueAt;
    if (reading.ok && reading.kind === 'standing' && phase !== undefined) {
      if (phase.end === undefined) {
        problem('due', `长期坚持的任务没有截止时间,而“${phase.name}”没有结束日期:请写明完成时限`);
      } else {
        dueAt = `${phase.end}`;
        readingText = `长期坚持:随“${phase.name}”于 ${phase.end} 结束`;
      }
    }

    // Left to right, as the office reads its row.
    problems.sort(
      (a, b) => (columns[a.field as ImportColumn] ?? 0) - (columns[b.field as ImportColumn] ?? 0),
    );
    const note = cell('note');
    const description = [lines.length > 1 ? titleText : '', note === '' ? '' : `备注:${note}`]
      .filter((s) => s !== '')
      .join('\n');
    const task: RowTask | null =
      problems.length === 0 && leadUnit !== undefined && phase !== undefined && reading.ok
        ? {
            title,
            description,
            phaseKey: phase.key,
            leadUnitId: leadUnit.id,
            coUnitIds,
            kind,
            ...(reading.kind === 'recurring' ? { recurrence: reading.recurrence } : {}),
            ...(dueAt === undefined ? {} : { dueAt }),
          }
        : null;
    rows.push({
      row,
      seq: cell('seq'),
      title,
      lead: { text: leadText, units: leadUnit === undefined ? [] : [leadUnit] },
      co: { text: coText, units: [...moreLeads, ...coUnits] },
      deadline: { text: dueText, reading: readingText },
      phase: { text: phaseText, key: phase?.key ?? null, name: phase?.name ?? null },
      kind,
      note,
      problems,
      task,
    });
  }
  const fileProblems: RowProblem[] =
    rows.length === 0
      ? [
          {
            row: headerRowNumber,
            column: null,
            field: 'row',
            message: `第 ${headerRowNumber} 行表头之下没有任务行`,
          },
        ]
      : [];
  return { headerRow: headerRowNumber, columns: letters, rows, fileProblems, skipped };
}
