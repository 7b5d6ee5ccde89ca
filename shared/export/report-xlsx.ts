import { PassThrough } from 'node:stream';
import type { stream } from 'exceljs';
import type { Report } from '../schemas/reports.js';
import {
  type Cell,
  notesOf,
  overdueTable,
  phaseTable,
  receiptTable,
  rectificationTable,
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
 * exceljs is about 1 MB bundled: loaded only when a workbook is asked for, so the API's main bundle
 * and every other request stay small (in AWS it is shipped beside the bundle, see
 * infra/cloud/bundling/lazy-modules.ts).
 */
async function loadExcelJs() {
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

type SheetWriter = ReturnType<stream.xlsx.WorkbookWriter['addWorksheet']>;

/** Writes a table and commits each row as it goes: the workbook is streamed, never held whole. */
function writeTable(sheet: SheetWriter, table: Table): void {
  const heading = table.heading;
  sheet.columns = table.columns.map((c) => ({
    // Under a title row the header is written as the second row below, not by exceljs as the first.
    ...(heading === undefined ? { header: c.header } : {}),
    width: c.width,
    style:
      c.kind === 'percent'
        ? { numFmt: '0.0%' }
        : c.kind === 'int'
          ? { numFmt: '0' }
          : c.kind === 'points'
            ? { numFmt: '0.0' }
            : {},
  }));
  if (heading !== undefined) {
    const title = sheet.addRow([heading]);
    title.font = { bold: true, size: 14 };
    title.alignment = { vertical: 'middle', horizontal: 'center' };
    if (table.columns.length > 1) sheet.mergeCells(1, 1, 1, table.columns.length);
    title.commit();
    sheet.addRow(table.columns.map((c) => c.header));
  }
  const headerRow = heading === undefined ? 1 : 2;
  const header = sheet.getRow(headerRow);
  header.font = { bold: true };
  header.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } };
  header.commit();
  for (const row of table.rows) sheet.addRow(row).commit();
  if (table.columns.length > 0) {
    sheet.autoFilter = {
      from: { row: headerRow, column: 1 },
      to: { row: headerRow, column: table.columns.length },
    };
  }
  sheet.commit();
}

/** The header row frozen: the first row, or the second under a title row. */
const frozenAt = (table: Table): FrozenViews => [
  { state: 'frozen', xSplit: 0, ySplit: table.heading === undefined ? 1 : 2 },
];

/**
 * The report as an Excel workbook: 排名汇总 (the ranking with every figure, extensions and
 * rectifications included), one sheet per phase, 逾期未办 (the overdue duties), 督查整改 (one row
 * per finding), 量化考评 (units by score, each breakdown, the scoring rules) and 说明 (cut-off, rules). Each table sheet has Chinese headers,
 * column widths, an autofilter and a frozen header row. What a unit may not see is absent.
 */
export async function reportXlsx(report: Report): Promise<Uint8Array<ArrayBuffer>> {
  return workbookBytes(
    { title: `${report.planTitle} ${report.periodLabel}督办通报`, created: report.generatedAt },
    (workbook, taken, frozen) => {
      const tables = [
        summaryTable(report),
        ...report.phases.map((p, i) => ({ ...phaseTable(p), title: `阶段${i + 1}-${p.name}` })),
        overdueTable(report),
        ...[rectificationTable(report), receiptTable(report)].filter(
          (t): t is Table => t !== null && (t.title !== '签收情况' || t.rows.length > 0),
        ),
      ];
      for (const table of tables) {
        writeTable(workbook.addWorksheet(sheetName(table.title, taken), { views: frozen }), table);
      }

      // 量化考评: the units by score, then (after an empty row) the rules every score was given by.
      const scores = scoreTable(report);
      if (scores !== null) {
        const rules = scoreRulesLines(report).map((text): Cell[] => [null, text]);
        writeTable(workbook.addWorksheet(sheetName(scores.title, taken), { views: frozen }), {
          ...scores,
          rows: [...scores.rows, [], [null, '考评规则'], ...rules],
        });
      }

      const notes = workbook.addWorksheet(sheetName('说明', taken));
      notes.columns = [
        { header: '项目', width: 14 },
        { header: '内容', width: 100, style: { alignment: { wrapText: true, vertical: 'top' } } },
      ];
      notes.getRow(1).font = { bold: true };
      notes.getRow(1).commit();
      for (const [label, text] of notesOf(report)) notes.addRow([label, text]).commit();
      notes.commit();
    },
  );
}

/** Any one table (a ledger) as a workbook of one sheet: Chinese headers, frozen, with a filter. */
export function tableXlsx(table: Table, created: Date): Promise<Uint8Array<ArrayBuffer>> {
  return tablesXlsx([table], { title: table.title, created: created.toISOString() });
}

/** Tables as a workbook, one sheet each, with the same header style, autofilter and frozen header row. */
export function tablesXlsx(
  tables: readonly Table[],
  meta: { title: string; created: string },
): Promise<Uint8Array<ArrayBuffer>> {
  return workbookBytes(meta, (workbook, taken) => {
    for (const table of tables) {
      writeTable(workbook.addWorksheet(sheetName(table.title, taken), { views: frozenAt(table) }), table);
    }
  });
}

type WorkbookWriter = stream.xlsx.WorkbookWriter;
type FrozenViews = { state: 'frozen'; xSplit: number; ySplit: number }[];

/** A streamed workbook's bytes: `fill` adds the sheets (names taken so far in `taken`). */
async function workbookBytes(
  meta: { title: string; created: string },
  fill: (workbook: WorkbookWriter, taken: Set<string>, frozen: FrozenViews) => void,
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
  fill(workbook, new Set<string>(), [{ state: 'frozen', xSplit: 0, ySplit: 1 }]);
  await workbook.commit();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}
