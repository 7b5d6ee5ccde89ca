import { tableCsv } from './report-csv.js';
import { attachmentDisposition, type Table } from './report-table.js';
import { tableXlsx, XLSX_CONTENT_TYPE } from './report-xlsx.js';

/** One table as a download (a ledger): the CSV or workbook bytes and the headers that name the file. */
export async function tableFile(
  table: Table,
  fileName: string,
  format: 'csv' | 'xlsx',
  created: Date,
): Promise<{ body: Uint8Array<ArrayBuffer>; headers: Record<string, string> }> {
  const disposition = attachmentDisposition(`${fileName}.${format}`, `export.${format}`);
  if (format === 'csv') {
    return {
      body: new TextEncoder().encode(tableCsv(table)) as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': disposition },
    };
  }
  return {
    body: await tableXlsx(table, created),
    headers: { 'content-type': XLSX_CONTENT_TYPE, 'content-disposition': disposition },
  };
}
