import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import { decodeCsv, IMPORT_MAX_BYTES, parseCsv, readTable } from '../../shared/import/read-table.js';

async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  build(wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

async function refusal(bytes: Uint8Array): Promise<string> {
  try {
    await readTable(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).message;
  }
  throw new Error('expected a refusal');
}

describe('readTable: xlsx', () => {
  it('reads merged cells into every cell they cover, multi-line cells, formulas and dates', async () => {
    const bytes = await workbook((wb) => {
      const hidden = wb.addWorksheet('旧表');
      hidden.state = 'hidden';
      hidden.addRow(['不应读取']);
      const ws = wb.addWorksheet('任务分解');
      ws.addRow(['教育扶贫迎国检任务分解表']);
      ws.mergeCells('A1:D1');
      ws.addRow(['序号', '工作任务', '责任单位', '完成时限']);
      ws.addRow([1, '制定方案\n成立机构', '县教体局', '5月13日前']);
      ws.addRow([2, '召开动员大会', null, new Date(Date.UTC(2023, 4, 13))]);
      ws.mergeCells('C3:C4');
      ws.addRow([{ formula: 'A4+1', result: 3 }, '自查', '城关镇', '长期坚持']);
    });
    const t = await readTable(bytes);
    expect(t.format).toBe('xlsx');
    expect(t.sheetName).toBe('任务分解');
    expect(t.notices).toEqual(['已忽略隐藏的工作表:旧表']);
    expect(t.rows.map((r) => r.row)).toEqual([1, 2, 3, 4, 5]);
    expect(t.rows[2]?.cells).toEqual(['1', '制定方案\n成立机构', '县教体局', '5月13日前']);
    expect(t.rows[3]?.cells).toEqual(['2', '召开动员大会', '县教体局', '2023-05-13']);
    expect(t.rows[4]?.cells[0]).toBe('3');
  });

  it('refuses a corrupt workbook, an old or password-protected one, an empty or oversized file', async () => {
    const good = await workbook((wb) => wb.addWorksheet('a').addRow(['x']));
    expect(await refusal(good.slice(0, 200))).toContain('损坏');
    expect(await refusal(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).toContain('密码');
    expect(await refusal(new Uint8Array())).toBe('文件为空');
    expect(await refusal(new Uint8Array(IMPORT_MAX_BYTES + 1))).toContain('文件过大');
  });
});

describe('readTable: csv', () => {
  const text =
    '序号,工作任务,责任单位,完成时限\r\n1,"制定方案,成立机构","县教体局、县财政局",5月13日前\r\n2,"多行\n任务",县公安局,6月30日\r\n';

  it('reads UTF-8 with and without BOM, with quoted commas and line breaks', async () => {
    const plain = await readTable(new TextEncoder().encode(text));
    const bom = await readTable(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]));
    expect(plain.encoding).toBe('utf-8');
    expect(bom.rows).toEqual(plain.rows);
    expect(plain.rows[1]?.cells).toEqual(['1', '制定方案,成立机构', '县教体局、县财政局', '5月13日前']);
    expect(plain.rows[2]?.cells[1]).toBe('多行\n任务');
  });

  it('detects GBK, as Excel saves CSV on Chinese Windows', async () => {
    // 中文 in GBK is D6 D0 CE C4; Node's full ICU decodes it.
    expect(decodeCsv(new Uint8Array([0xd6, 0xd0, 0xce, 0xc4]))).toEqual({ text: '中文', encoding: 'gbk' });
  });

  it('parses quotes the RFC 4180 way', () => {
    expect(parseCsv('a,"b ""c""",d\n')).toEqual([['a', 'b "c"', 'd']]);
    expect(parseCsv('a,b')).toEqual([['a', 'b']]);
  });
});
