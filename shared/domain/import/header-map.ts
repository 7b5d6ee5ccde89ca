/** The columns an import reads, by what offices call them. */
export const IMPORT_COLUMNS = {
  seq: { label: '序号', names: ['序号', '编号'] },
  title: {
    label: '工作任务',
    names: ['工作任务', '任务内容', '重点工作', '工作内容', '任务名称', '具体任务'],
  },
  lead: { label: '责任单位', names: ['责任单位', '牵头单位', '主责单位', '牵头部门', '责任部门'] },
  co: { label: '配合单位', names: ['配合单位', '协办单位', '配合部门', '协助单位'] },
  due: { label: '完成时限', names: ['完成时限', '时间要求', '完成时间', '时限要求', '截止时间', '办结时限'] },
  phase: { label: '阶段', names: ['阶段', '工作步骤', '所属阶段'] },
  kind: { label: '类型', names: ['类型', '任务类型'] },
  note: { label: '备注', names: ['备注', '说明'] },
} as const;

export type ImportColumn = keyof typeof IMPORT_COLUMNS;

/** Columns without which a row is not a task. */
export const REQUIRED_COLUMNS: readonly ImportColumn[] = ['title', 'lead', 'due'];

/** How far down a sheet the header row is looked for (a title and a date line often come first). */
export const HEADER_SEARCH_ROWS = 10;

export type HeaderFind =
  | { ok: true; headerRow: number; columns: Partial<Record<ImportColumn, number>> }
  | { ok: false; message: string };

const normalizeHeader = (s: string) =>
  s
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/\(.*\)$/, '');

function columnOf(header: string): ImportColumn | undefined {
  const h = normalizeHeader(header);
  if (h === '') return undefined;
  for (const [key, spec] of Object.entries(IMPORT_COLUMNS) as [
    ImportColumn,
    (typeof IMPORT_COLUMNS)[ImportColumn],
  ][]) {
    if ((spec.names as readonly string[]).includes(h)) return key;
  }
  return undefined;
}

/** The spreadsheet letter of a zero-based column index (0 → A, 27 → AB). */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

/**
 * Finds the header row among the first rows of `rows` (the one naming most known columns, at
 * least the required ones) and where each known column is, in any order. Rows are zero-based
 * here; the message names spreadsheet rows (one-based) and columns (A, B …).
 */
export function findHeader(rows: readonly (readonly string[])[]): HeaderFind {
  let best: { row: number; columns: Partial<Record<ImportColumn, number>>; found: number } | undefined;
  let duplicate: string | undefined;
  for (let r = 0; r < Math.min(rows.length, HEADER_SEARCH_ROWS); r++) {
    const columns: Partial<Record<ImportColumn, number>> = {};
    let dup: string | undefined;
    (rows[r] ?? []).forEach((cell, c) => {
      const key = columnOf(cell);
      if (key === undefined) return;
      const seen = columns[key];
      if (seen !== undefined && seen !== c) {
        dup ??= `第 ${r + 1} 行的 ${columnLetter(seen)} 列和 ${columnLetter(c)} 列都是“${IMPORT_COLUMNS[key].label}”`;
        return;
      }
      columns[key] = c;
    });
    const found = Object.keys(columns).length;
    if (
      REQUIRED_COLUMNS.every((k) => columns[k] !== undefined) &&
      (best === undefined || found > best.found)
    ) {
      best = { row: r, columns, found };
      duplicate = dup;
    }
  }
  if (best === undefined) {
    return {
      ok: false,
      message: `前 ${HEADER_SEARCH_ROWS} 行中找不到表头:须有“${REQUIRED_COLUMNS.map((k) => IMPORT_COLUMNS[k].label).join('”“')}”列(也可写作 ${REQUIRED_COLUMNS.map((k) => IMPORT_COLUMNS[k].names.join('/')).join(';')})`,
    };
  }
  if (duplicate !== undefined) return { ok: false, message: `表头重复:${duplicate}` };
  return { ok: true, headerRow: best.row, columns: best.columns };
}
