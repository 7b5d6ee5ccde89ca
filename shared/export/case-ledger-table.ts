/**
 * 疑似失学辍学人员台账 as the offices lay it out in Excel and CSV: Chinese headers, masked names, no
 * internal ids — one row per open case, then the counts per school with the special groups.
 */
import { type LedgerTotals, specialGroupWords } from '../domain/dropout/case-ledger.js';
import type { CaseLedger, CaseLedgerRow } from '../schemas/case-reports.js';
import { genderLabel } from '../schemas/cases.js';
import type { Cell, Column, Table } from './report-table.js';

const col = (header: string, width: number, kind: Column['kind'] = 'text'): Column => ({
  header,
  width,
  kind,
});

/**
 * The ledger as the offices lay it out: one row per open case, then the counts per school. With
 * `heading`, each table carries a title row above its header (the frozen snapshot's exports).
 */
export function ledgerTables(ledger: CaseLedger, heading?: string): Table[] {
  const caseRows: Cell[][] = [];
  const schoolRows: Cell[][] = [];
  const counts = (t: LedgerTotals): Cell[] => [
    t.open,
    t.suspected,
    t.dropout,
    t.late,
    t.returned,
    t.lights.red,
    t.lights.yellow,
    t.lights.blue,
    t.lights.green,
    t.groups.registeredPoor,
    t.groups.monitored,
    t.groups.disabled,
    t.groups.homeTeaching,
  ];
  for (const t of ledger.townships) {
    for (const s of t.schools) {
      schoolRows.push([t.townshipName, s.schoolName, ...counts(s.totals)]);
      for (const c of s.cases) caseRows.push(caseRow(t.townshipName, s.schoolName, c));
    }
  }
  schoolRows.push(['合计', '', ...counts(ledger.totals)]);
  const summaryTitle = `各校汇总(复学自 ${ledger.since})`;
  return [
    {
      title: '疑似失学辍学人员台账',
      ...(heading === undefined ? {} : { heading }),
      columns: [
        col('乡镇', 14),
        col('学校', 22),
        col('学生(脱敏)', 12),
        col('性别', 6),
        col('年级班级', 12),
        col('特殊群体', 18),
        col('缺课首日', 12),
        col('缺课工作日', 10, 'int'),
        col('阶段', 10),
        col('当前劝返步骤', 26),
        col('步骤期限', 12),
        col('是否逾期', 8),
        col('亮灯', 22),
      ],
      rows: caseRows,
    },
    {
      title: summaryTitle,
      ...(heading === undefined ? {} : { heading: `${heading} ${summaryTitle}` }),
      columns: [
        col('乡镇', 14),
        col('学校', 22),
        col('未复学', 8, 'int'),
        col('疑似辍学', 8, 'int'),
        col('辍学', 8, 'int'),
        col('劝返逾期', 8, 'int'),
        col('本学期复学', 10, 'int'),
        col('红灯', 6, 'int'),
        col('黄灯', 6, 'int'),
        col('蓝灯', 6, 'int'),
        col('绿灯', 6, 'int'),
        col('建档立卡', 8, 'int'),
        col('监测对象', 8, 'int'),
        col('残疾', 6, 'int'),
        col('送教上门', 8, 'int'),
      ],
      rows: schoolRows,
    },
  ];
}

function caseRow(township: string, school: string, c: CaseLedgerRow): Cell[] {
  return [
    township,
    school,
    c.childNameMasked,
    genderLabel(c.gender),
    `${c.grade}${c.className}`,
    specialGroupWords(c.groups).join('、'),
    c.firstDayAbsent,
    c.ageWorkingDays,
    c.stageLabel,
    c.step?.label ?? '',
    c.step?.dueOn ?? '',
    c.step === null ? '' : c.step.late ? '逾期' : '否',
    c.lightLabel,
  ];
}
