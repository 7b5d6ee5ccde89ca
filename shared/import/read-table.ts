import { ValidationError } from '../errors.js';
import { loadExcelJs } from '../export/report-xlsx.js';

/**
 * The largest file an import takes. Behind API Gateway a binary body reaches Lambda base64-encoded
 * (4/3 larger) under Lambda's 6 MB request limit, so 4 MiB is what fits, not the 5 MB one might hope.
 */
export const IMPORT_MAX_BYTES = 4 * 1024 * 1024;
/** The most task rows one import takes (the header and the lines above it not counted). */
export const IMPORT_MAX_ROWS = 2000;

/** The routes that take a table (a task table, a school's rosters): they get the import's body limit. */
export const isImportPath = (path: string) =>
  /^(\/v1)?\/plans\/[^/]+\/imports$/.test(path) || /^(\/v1)?\/rosters\/imports$/.test(path);

/** A sheet as text: rows of cells, one-based row numbers as the spreadsheet shows them. */
export interface ReadTable {
  format: 'xlsx' | 'csv';
  sheetName: string | null;
  /** Encoding of a CSV ('utf-8' or 'gbk'). */
  encoding: string | null;
  rows: { row: number; cells: string[] }[];
  /** Said to the office: hidden sheets skipped, other sheets not read. */
  notices: string[];
}

const fileError = (message: string) => new ValidationError(message, [{ field: 'file', message }]);

const XLSX_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];

const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/**
 * Reads an uploaded task table: `.xlsx` (the first visible sheet; merged cells give every cell
 * they cover the merged value; formulas give their cached result) or `.csv` (UTF-8 with or without
 * BOM, or GBK as Excel saves it on Chinese Windows). Anything else is a 400 on `file`.
 */
export async function readTable(bytes: Uint8Array): Promise<ReadTable> {
  if (bytes.length === 0) throw fileError('文件为空');
  if (bytes.length > IMPORT_MAX_BYTES) {
    throw fileError(
      `文件过大:${(bytes.length / 1024 / 1024).toFixed(1)} MB,上限为 ${IMPORT_MAX_BYTES / 1024 / 1024} MB`,
    );
  }
  if (startsWith(bytes, OLE_MAGIC)) {
    throw fileError('文件是旧版 .xls 或设有打开密码的工作簿:请去掉密码,另存为 .xlsx 后再导入');
  }
  const table = startsWith(bytes, XLSX_MAGIC) ? await readXlsx(bytes) : readCsv(bytes);
  const last = table.rows.at(-1)?.row ?? 0;
  if (last > IMPORT_MAX_ROWS + 20) throw fileError(`行数过多:${last} 行,上限为 ${IMPORT_MAX_ROWS} 行任务`);
  return table;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // Excel's dates carry no zone: exceljs gives the wall-clock reading as UTC.
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
  }
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText))
      return v.richText.map((r: { text?: unknown }) => String(r.text ?? '')).join('');
    if ('result' in v) return cellText(v.result);
    if ('formula' in v || 'sharedFormula' in v) return '';
    if ('text' in v) return cellText(v.text);
    if ('error' in v) return '';
    return '';
  }
  return String(value);
}

async function readXlsx(bytes: Uint8Array): Promise<ReadTable> {
  const ExcelJS = await loadExcelJs();
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as never);
  } catch {
    throw fileError('无法读取该工作簿:文件已损坏,或不是 .xlsx 格式');
  }
  const notices: string[] = [];
  const visible = workbook.worksheets.filter((ws) => ws.state === 'visible' || ws.state === undefined);
  const hidden = workbook.worksheets.filter((ws) => !visible.includes(ws));
  if (hidden.length > 0) notices.push(`已忽略隐藏的工作表:${hidden.map((ws) => ws.name).join('、')}`);
  const sheet = visible[0];
  if (sheet === undefined) throw fileError('工作簿中没有可见的工作表');
  if (visible.length > 1) {
    notices.push(
      `只读取第一个工作表“${sheet.name}”,其余未读取:${visible
        .slice(1)
        .map((ws) => ws.name)
        .join('、')}`,
    );
  }
  if (sheet.rowCount > IMPORT_MAX_ROWS + 20) {
    throw fileError(`行数过多:${sheet.rowCount} 行,上限为 ${IMPORT_MAX_ROWS} 行任务`);
  }
  const rows: ReadTable['rows'] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) {
      // A merged cell's every part reads the merged value (exceljs answers the master's).
      cells.push(cellText(row.getCell(c).value).replace(/\r\n?/g, '\n').trim());
    }
    if (cells.some((c) => c !== '')) rows.push({ row: rowNumber, cells });
  });
  return { format: 'xlsx', sheetName: sheet.name, encoding: null, rows, notices };
}

/** UTF-8 when the bytes are valid UTF-8 (with or without BOM), else GBK (Excel's CSV on Chinese Windows). */
export function decodeCsv(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'gbk' } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), encoding: 'utf-8' };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    try {
      return { text: new TextDecoder('gbk', { fatal: true }).decode(bytes), encoding: 'gbk' };
    } catch {
      throw fileError('无法识别文件的编码:CSV 须为 UTF-8 或 GBK');
    }
  }
}

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"') {
        if (text.charAt(i + 1) === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text.charAt(i + 1) === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function readCsv(bytes: Uint8Array): ReadTable {
  const { text, encoding } = decodeCsv(bytes);
  if (text.includes('\u0000')) throw fileError('无法读取该文件:须为 .xlsx 工作簿或 .csv 文本');
  const rows: ReadTable['rows'] = [];
  parseCsv(text).forEach((cells, i) => {
    const trimmed = cells.map((c) => c.replace(/\r\n?/g, '\n').trim());
    if (trimmed.some((c) => c !== '')) rows.push({ row: i + 1, cells: trimmed });
  });
  return { format: 'csv', sheetName: null, encoding, rows, notices: [] };
}
