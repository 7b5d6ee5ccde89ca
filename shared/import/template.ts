import { IMPORT_COLUMNS, type ImportColumn } from '../domain/import/header-map.js';

const ORDER: ImportColumn[] = ['seq', 'title', 'lead', 'co', 'due', 'phase', 'kind', 'note'];

const EXAMPLES: string[][] = [
  ['1', '制定迎检工作方案,成立组织机构', '县教育体育局', '', '2023年5月13日前', '部署发动阶段', '任务', ''],
  [
    '2',
    '控辍保学回头看\n适龄儿童全覆盖摸排',
    '城关镇',
    '县公安局、县教体局',
    '5月26日',
    '自查补短阶段',
    '',
    '村支书、村长签字后报乡镇',
  ],
  ['3', '报送控辍保学周报表(零报告)', '城关中学', '', '每周五上午', '', '定期报告', '没有情况也要报'],
  ['4', '学生资助政策宣传', '县教体局', '', '长期坚持', '自查补短阶段', '', ''],
];

const NOTES = [
  '填写说明:',
  '1. 表头可任意顺序;必填列:工作任务(或 任务内容/重点工作)、责任单位(或 牵头单位)、完成时限(或 时间要求)。',
  '2. 责任单位、配合单位按单位名称或办公室登记的简称填写,多个单位用 、,; 分隔;责任单位中第一个为牵头单位。',
  '3. 完成时限可写:2023年5月13日前、5月底前、6月30日、5月中旬、每周五上午、每月25日前、长期坚持、立即。',
  '4. 阶段可不填:按完成时限所在的阶段归入;类型可写 任务、定期报告、自查报告。',
  '5. 先预览,无错误后再导入;同一文件重复导入不会重复建任务。',
];

async function loadExcelJs() {
  const loaded = await import('exceljs');
  return loaded.default ?? loaded;
}

/** The downloadable task-table template: the headers, four example rows and how to fill it in. */
export async function importTemplate(): Promise<Uint8Array> {
  const ExcelJS = await loadExcelJs();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('任务分解表');
  ws.addRow(ORDER.map((k) => IMPORT_COLUMNS[k].label)).font = { bold: true };
  for (const row of EXAMPLES) ws.addRow(row).alignment = { wrapText: true, vertical: 'top' };
  ws.columns.forEach((col, i) => {
    col.width = [6, 36, 18, 22, 16, 14, 10, 24][i] ?? 12;
  });
  const help = wb.addWorksheet('填写说明');
  for (const line of NOTES) help.addRow([line]);
  help.getColumn(1).width = 100;
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
