import { IMPORT_COLUMNS, type ImportColumn } from '../domain/import/header-map.js';
import type { Table } from '../export/report-table.js';
import { tablesXlsx } from '../export/report-xlsx.js';

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

const WIDTHS = [6, 36, 18, 22, 16, 14, 10, 24];

/**
 * The downloadable task-table template: a title row, the headers, four example rows, and how to
 * fill it in on a second sheet — written (and printed) like every other workbook the product makes.
 * The importer looks for the header row below a title, so the template reads back as it is.
 */
export function importTemplate(): Promise<Uint8Array> {
  const tables: Table[] = [
    {
      title: '任务分解表',
      heading: '任务分解表(填写后在督办系统中导入)',
      columns: ORDER.map((k, i) => ({
        header: IMPORT_COLUMNS[k].label,
        width: WIDTHS[i] ?? 12,
        kind: 'text',
        wrap: true,
      })),
      rows: EXAMPLES,
    },
    {
      title: '填写说明',
      columns: [{ header: NOTES[0] ?? '填写说明', width: 100, kind: 'text', wrap: true }],
      rows: NOTES.slice(1).map((line) => [line]),
    },
  ];
  return tablesXlsx(tables, { title: '任务分解表', created: TEMPLATE_CREATED });
}

/** A fixed creation time: the template is the same file whoever downloads it, whenever. */
const TEMPLATE_CREATED = '2026-01-01T00:00:00.000Z';
