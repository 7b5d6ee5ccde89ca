import type { Report } from '../schemas/reports.js';
import {
  type Cell,
  type Column,
  phaseProgressTable,
  receiptTable,
  receiptWords,
  rectificationTable,
  scopeWords,
  scoreRulesLines,
  scoreTable,
  summaryTable,
  type Table,
} from './report-table.js';

/** Excel reads a CSV as the local ANSI code page unless it starts with a UTF-8 byte order mark. */
export const BOM = '\uFEFF';

/** Text that Excel would run as a formula when the file is opened (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

const TEXT: Column = { header: '', width: 0, kind: 'text' };

function field(value: Cell, column: Column): string {
  if (value === null) return '';
  if (typeof value === 'number') {
    return column.kind === 'percent' ? `${(value * 100).toFixed(1)}%` : String(value);
  }
  // A leading apostrophe makes Excel show the text as typed instead of evaluating it.
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const lines = (table: Table) => [
  table.columns.map((c) => field(c.header, c)).join(','),
  ...table.rows.map((row) => row.map((value, i) => field(value, table.columns[i] ?? TEXT)).join(',')),
];

/** Tables as one CSV for Excel (BOM, CRLF), each after the one before with an empty line and its title. */
export function tablesCsv(tables: readonly Table[]): string {
  const out: string[] = [];
  tables.forEach((table, i) => {
    if (i > 0) out.push('');
    if (table.heading !== undefined) out.push(field(table.heading, TEXT));
    else if (i > 0) out.push(field(table.title, TEXT));
    out.push(...lines(table));
  });
  return `${BOM}${out.join('\r\n')}\r\n`;
}

/**
 * The report's summary table (the ranking with each unit's figures) as CSV for Excel: UTF-8 with
 * a byte order mark, Chinese headers, CRLF line ends (RFC 4180), rates as percentages. Below it,
 * after an empty line and a title line, the rectification section (督查整改), one finding a row,
 * so the findings are never mixed into the ranking's rows; then 签收情况 (who had not signed by the
 * cut-off, and how fast each unit signs); then 量化考评 (the units by score, each
 * with its breakdown) and the scoring rules; last, each phase's planned against reported progress.
 */
export function reportCsv(report: Report): string {
  const out = lines(summaryTable(report));
  const rectification = rectificationTable(report);
  if (rectification !== null) {
    const section = report.rectifications;
    const title = `督查整改:问题 ${section?.findings ?? 0} 个,已销号 ${section?.closed ?? 0} 个`;
    out.push('', field(title, TEXT), ...lines(rectification));
  }
  // 签收情况: who had not signed by the cut-off, and how fast each unit signs.
  const receipts = receiptTable(report);
  if (receipts !== null && receipts.rows.length > 0) {
    out.push('', field(receiptWords(report), TEXT), ...lines(receipts));
  }
  // 量化考评 after that: the units by score, then the rules every score was given by.
  const scores = scoreTable(report);
  if (scores !== null) {
    out.push('', field('量化考评(按得分排名)', TEXT), ...lines(scores), '', field('考评规则', TEXT));
    for (const rule of scoreRulesLines(report)) out.push(field(rule, TEXT));
  }
  // Last, so the sections above keep their places: 序时进度 by phase, when the report counted it.
  if (report.phases.some((p) => p.plannedPercent !== undefined)) {
    out.push(
      '',
      field(`各阶段序时进度(待办任务)·${scopeWords(report)}`, TEXT),
      ...lines(phaseProgressTable(report)),
    );
  }
  return `${BOM}${out.join('\r\n')}\r\n`;
}

/** Any one table (a ledger) as CSV for Excel, the same way: BOM, Chinese headers, CRLF. */
export function tableCsv(table: Table): string {
  return `${BOM}${lines(table).join('\r\n')}\r\n`;
}
