import { PassThrough } from 'node:stream';
import type { Style, stream } from 'exceljs';
import type { Report } from '../schemas/reports.js';
import {
  type Cell,
  type Column,
  notesOf,
  overdueTable,
  phaseTable,
  receiptTable,
  rectificationTable,
  scopeWords,
  scoreRulesLines,
  scoreTable,
  summaryTable,
  type Table,
} from './report-table.js';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Excel refuses sheet names over 31 characters or with any of these. */
const SHEET_NAME_FORBIDDEN = /[\\/?*[\]:]/g;
const SHEET_NAME_MAX = 31;

/**
 * exceljs is about 1 MB bundled: loaded only when a workbook is asked for (written here, or read
 * by an import), so the API's main bundle and every other request stay small (in AWS it is shipped
 * beside the bundle, see infra/cloud/bundling/lazy-modules.ts).
 */
export async function loadExcelJs() {
  const loaded = await import('exceljs');
  // A CommonJS module: its exports are the namespace's default under Node's ESM loader.
  return loaded.default ?? loaded;
}

function sheetName(wanted: string, taken: Set<string>): string {
  const base =
    [...wanted.replace(SHEET_NAME_FORBIDDEN, '_').trim()].slice(0, SHEET_NAME_MAX).join('') || '工作表';
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) {
    const suffix = `(${n})`;
    name = [...base].slice(0, SHEET_NAME_MAX - suffix.length).join('') + suffix;
  }
  taken.add(name.toLowerCase());
  return name;
}

type WorkbookWriter = stream.xlsx.WorkbookWriter;
type SheetWriter = ReturnType<WorkbookWriter['addWorksheet']>;

/**
 * How every sheet prints: A4 landscape, all columns on one page wide (as many pages down as the
 * rows need), centred. The office prints these for meetings; a table cut across two pages wide is
 * unreadable on paper.
 */
export const SHEET_PAGE_SETUP = {
  orientation: 'landscape',
  paperSize: 9,
  fitToPage: true,
  fitToWidth: 1,
  fitToHeight: 0,
  horizontalCentered: true,
} as const;

/** The title row above the headers, and the headers: the rows frozen at the top of every sheet. */
const HEAD_ROWS = 2;

function columnStyle(c: Column): Partial<Style> {
  const numFmt =
    c.kind === 'percent' ? '0.0%' : c.kind === 'int' ? '0' : c.kind === 'points' ? '0.0' : undefined;
  return {
    ...(numFmt === undefined ? {} : { numFmt }),
    ...(c.wrap === true ? { alignment: { wrapText: true, vertical: 'top' } } : {}),
  };
}

/**
 * Writes a table as a sheet — its heading (the title row, merged across the columns), the Chinese
 * headers (frozen, with a filter), then its rows — committing each row as it goes, so the
 * workbook is streamed, never held whole. Every sheet the product makes goes through here.
 */
function writeTable(workbook: WorkbookWriter, taken: Set<string>, table: Table): void {
  const sheet: SheetWriter = workbook.addWorksheet(sheetName(table.title, taken), {
    views: [{ state: 'frozen', xSplit: 0, ySplit: HEAD_ROWS }],
    pageSetup: SHEET_PAGE_SETUP,
  });
  const width = Math.max(1, table.columns.length);
  sheet.columns = table.columns.map((c) => ({ width: c.width, style: columnStyle(c) }));
  const title = sheet.addRow([table.heading ?? table.title]);
  title.height = 28;
  title.font = { bold: true, size: 14 };
  title.alignment = { vertical: 'middle', horizontal: 'center' };
  if (width > 1) sheet.mergeCells(1, 1, 1, width);
  title.commit();
  const header = sheet.addRow(table.columns.map((c) => c.header));
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
  header.commit();
  for (const row of table.rows) sheet.addRow(row).commit();
  if (table.columns.length > 0) {
    sheet.autoFilter = {
      from: { row: HEAD_ROWS, column: 1 },
      to: { row: HEAD_ROWS, column: table.columns.length },
    };
  }
  sheet.commit();
}

/**
 * The report as an Excel workbook: 排名汇总 (the ranking with every figure, extensions and
 * rectifications included), one sheet per phase, 逾期未办 (the overdue duties), 督查整改 (one row
 * per finding), 量化考评 (units by score, each breakdown, the scoring rules) and 说明 (cut-off, rules).
 * Each sheet has a title row naming the report, Chinese headers, column widths, an autofilter and
 * frozen head rows, and prints A4 landscape; units are named, never coded. What a unit may not see is absent.
 */
export async function reportXlsx(report: Report): Promise<Uint8Array<ArrayBuffer>> {
  const name = `${report.planTitle} ${report.periodLabel}督办通报`;
  const scope = scopeWords(report);
  const tables: Table[] = [
    { ...summaryTable(report), heading: `${name} · 排名汇总` },
    ...report.phases.map((p, i) => ({
      ...phaseTable(p),
      title: `阶段${i + 1}-${p.name}`,
      heading: `${name} · ${p.name}(${scope})`,
    })),
    { ...overdueTable(report), heading: `${name} · 逾期未办(${scope})` },
    ...[rectificationTable(report), receiptTable(report)]
      .filter((t): t is Table => t !== null && (t.title !== '签收情况' || t.rows.length > 0))
      .map((t) => ({ ...t, heading: `${name} · ${t.title}` })),
  ];
  // 量化考评: the units by score, then (after an empty row) the rules every score was given by.
  const scores = scoreTable(report);
  if (scores !== null) {
    const rules = scoreRulesLines(report).map((text): Cell[] => [null, text]);
    tables.push({
      ...scores,
      heading: `${name} · 量化考评`,
      rows: [...scores.rows, [], [null, '考评规则'], ...rules],
    });
  }
  tables.push({
    title: '说明',
    heading: `${name} · 说明`,
    columns: [
      { header: '项目', width: 14, kind: 'text' },
      { header: '内容', width: 100, kind: 'text', wrap: true },
    ],
    rows: notesOf(report),
  });
  return workbookBytes({ title: name, created: report.generatedAt }, tables);
}

/** Any one table (a ledger) as a workbook of one sheet: Chinese headers, frozen, with a filter. */
export function tableXlsx(table: Table, created: Date): Promise<Uint8Array<ArrayBuffer>> {
  return tablesXlsx([table], { title: table.title, created: created.toISOString() });
}

/** Tables as a workbook, one sheet each, every sheet laid out and printed the same way. */
export function tablesXlsx(
  tables: readonly Table[],
  meta: { title: string; created: string },
): Promise<Uint8Array<ArrayBuffer>> {
  return workbookBytes(meta, tables);
}

/** A streamed workbook's bytes, one sheet per table. */
async function workbookBytes(
  meta: { title: string; created: string },
  tables: readonly Table[],
): Promise<Uint8Array<ArrayBuffer>> {
  const ExcelJS = await loadExcelJs();
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  // The streaming writer holds no workbook model (a 9,000-row sheet took about a third less time
  // than building one), and inline strings spare it a shared-string table.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'duban 督办';
  workbook.created = new Date(meta.created);
  workbook.title = meta.title;
  const taken = new Set<string>();
  for (const table of tables) writeTable(workbook, taken, table);
  await workbook.commit();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}
