import { tableCsv, tablesCsv } from './report-csv.js';
import { attachmentDisposition, type Table } from './report-table.js';
import { tablesXlsx, tableXlsx, XLSX_CONTENT_TYPE } from './report-xlsx.js';

export interface FileDownload {
  body: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

function download(
  format: 'csv' | 'xlsx',
  disposition: string,
  csv: () => string,
  xlsx: () => Promise<Uint8Array<ArrayBuffer>>,
) {
  return format === 'csv'
    ? {
        body: new TextEncoder().encode(csv()) as Uint8Array<ArrayBuffer>,
        headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': disposition },
      }
    : xlsx().then((body) => ({
        body,
        headers: { 'content-type': XLSX_CONTENT_TYPE, 'content-disposition': disposition },
      }));
}

/** One table as a download (a ledger): the CSV or workbook bytes and the headers that name the file. */
export async function tableFile(
  table: Table,
  fileName: string,
  format: 'csv' | 'xlsx',
  created: Date,
): Promise<FileDownload> {
  const disposition = attachmentDisposition(`${fileName}.${format}`, `export.${format}`);
  return download(
    format,
    disposition,
    () => tableCsv(table),
    () => tableXlsx(table, created),
  );
}

/** Several tables as one download: one CSV with each table titled, or one workbook with a sheet each. */
export async function tablesFile(
  tables: readonly Table[],
  file: { name: string; fallback: string; title: string },
  format: 'csv' | 'xlsx',
  created: Date,
): Promise<FileDownload> {
  const disposition = attachmentDisposition(`${file.name}.${format}`, `${file.fallback}.${format}`);
  return download(
    format,
    disposition,
    () => tablesCsv(tables),
    () => tablesXlsx(tables, { title: file.title, created: created.toISOString() }),
  );
}
