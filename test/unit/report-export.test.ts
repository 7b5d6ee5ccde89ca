import { describe, expect, it } from 'vitest';
import { createWorkingCalendar } from '../../shared/domain/calendar/working-calendar.js';
import type { DutyFact } from '../../shared/domain/report/duty-at.js';
import { createReportBuilder } from '../../shared/domain/report/report-builder.js';
import { type ReportScope, reportView } from '../../shared/domain/report/report-view.js';
import { BOM, reportCsv } from '../../shared/export/report-csv.js';
import {
  attachmentDisposition,
  formatLocal,
  notesOf,
  reportFileName,
  wellFormed,
} from '../../shared/export/report-table.js';
import { reportXlsx } from '../../shared/export/report-xlsx.js';
import type { Report, ReportSummary } from '../../shared/schemas/reports.js';
import { dutyFact, parseCsv } from '../fixtures/report-facts.js';
import { expectPrintableSheets, INTERNAL_CODE, openWorkbook } from '../fixtures/workbook.js';

const DUE = '2025-09-30T09:00:00.000Z';
const ASOF = '2025-10-10T09:00:00.000Z';

const duty = (id: string, unitId: string, extra: Partial<DutyFact> = {}): DutyFact =>
  dutyFact({
    id,
    unitId,
    taskId: 'task-1',
    phaseKey: 'self-check',
    title: '摸排适龄儿童入学情况',
    dueAt: DUE,
    ...extra,
  });

const done = (id: string, unitId: string) =>
  duty(id, unitId, { status: 'accepted', submittedAt: DUE, acceptedAt: '2025-10-01T00:00:00.000Z' });

function sample(scope: ReportScope = { scope: 'all' }): Report {
  const builder = createReportBuilder({
    asOf: new Date(ASOF),
    timezone: 'Asia/Shanghai',
    phases: [
      { key: 'mobilize', name: '部署发动阶段', start: '2025-09-01', end: '2025-09-10' },
      { key: 'self-check', name: '自查补短阶段', start: '2025-09-11', end: '2025-10-31' },
    ],
    levels: ['remind', 'overdue', 'escalate', 'accountability'],
    calendar: createWorkingCalendar([]),
  });
  builder.addDuties([
    done('d1', 'town'),
    duty('d2', 'town', { title: '=HYPERLINK("http://x","点我")' }),
    done('d3', 'village'),
    done('d4', 'bureau'),
    duty('d5', 'bureau', { title: '核对"控辍保学"台账,逐户签字' }),
  ]);
  builder.addNotices([{ unitId: 'town', level: 'overdue' }]);
  const built = builder.finish(
    new Map([
      ['town', '城关镇'],
      ['village', '东街村'],
      ['bureau', '县教育体育局'],
    ]),
  );
  const summary: ReportSummary = {
    id: 'rpt-plan-x-2025-w41',
    planId: 'plan-x',
    planTitle: '控辍保学/劝返复学',
    timezone: 'Asia/Shanghai',
    period: 'week',
    periodKey: '2025-W41',
    periodLabel: '2025年第41周',
    asOf: ASOF,
    generatedAt: ASOF,
    generatedBy: 'office-1',
    trigger: 'manual',
    summary: { units: 3, duties: 5, accepted: 3, overdue: 2, completionRate: 0.6, onTimeRate: 0.6 },
    source: { method: 'replay', duties: built.dutiesRead, notices: built.noticesRead, cells: 0 },
    approximated: 0,
    calendarFallbackYears: [],
  };
  return reportView(summary, built.content, scope);
}

describe('notes', () => {
  it('name the period in words, with its days, never its code', () => {
    const notes = new Map(notesOf(sample()));
    expect(notes.get('期次')).toBe('2025年第41周(10月6日—10月12日)');
    expect(notesOf(sample()).flat().join(' ')).not.toMatch(/\d{4}-W\d/);
  });
});

describe('CSV', () => {
  it('starts with the byte order mark and round-trips Chinese through UTF-8', () => {
    const csv = reportCsv(sample());
    const bytes = Buffer.from(csv, 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const back = bytes.toString('utf8');
    expect(back.startsWith(BOM)).toBe(true);
    const all = parseCsv(back.slice(1));
    // The ranking table, then an empty line and the rectification section.
    const rows = all.slice(
      0,
      all.findIndex((r) => r.length === 1 && r[0] === ''),
    );
    expect(all[rows.length + 1]).toEqual(['督查整改:问题 0 个,已销号 0 个']);
    expect(rows[0]?.slice(0, 4)).toEqual(['排名', '单位', '应办任务', '按时办结']);
    expect(rows[0]).toContain('督办通知');
    expect(rows[0]?.at(-1)).toBe('按时办结率');
    expect(rows.map((r) => r[1])).toEqual(['单位', '东街村', '城关镇', '县教育体育局']);
    expect(rows[1]).toEqual(expect.arrayContaining(['1', '东街村', '100.0%']));
    // Units by name only: no unit id, duty id or time zone code anywhere in the file.
    expect(reportCsv(sample())).not.toMatch(INTERNAL_CODE);
  });

  it('hides other units’ figures from a unit, keeping their rank, name and rates', () => {
    const rows = parseCsv(reportCsv(sample({ scope: 'unit', unitId: 'town' })).slice(1));
    const town = rows.find((r) => r[1] === '城关镇');
    const village = rows.find((r) => r[1] === '东街村');
    expect(town?.[2]).toBe('2');
    expect(village?.slice(0, 2)).toEqual(['1', '东街村']);
    expect(village?.slice(2, -2).every((cell) => cell === '')).toBe(true);
    expect(village?.slice(-2)).toEqual(['100.0%', '100.0%']);
  });

  it('names the file in Chinese per RFC 5987, with an ASCII fallback', () => {
    const report = sample();
    const name = reportFileName(report, 'csv');
    expect(name).toBe('控辍保学_劝返复学-2025年第41周督办通报.csv');
    const header = attachmentDisposition(name, `${report.id}.csv`);
    expect(header).toBe(
      `attachment; filename="rpt-plan-x-2025-w41.csv"; filename*=UTF-8''${encodeURIComponent(name)}`,
    );
    expect(decodeURIComponent(header.split("UTF-8''")[1] ?? '')).toBe(name);
    expect(attachmentDisposition("a'(b)*.csv", 'a.csv')).toContain("filename*=UTF-8''a%27%28b%29%2A.csv");
  });

  it('names the file even when the title carries a lone surrogate', () => {
    const header = attachmentDisposition('方案\ud83d-\udc00.csv', 'a.csv');
    expect(decodeURIComponent(header.split("UTF-8''")[1] ?? '')).toBe('方案\ufffd-\ufffd.csv');
    expect(wellFormed('好🙂')).toBe('好🙂');
  });

  it('formats due times on the plan’s wall clock', () => {
    expect(formatLocal(DUE, 'Asia/Shanghai')).toBe('2025-09-30 17:00');
  });
});

describe('Excel workbook', () => {
  const open = async (report: Report) => openWorkbook(await reportXlsx(report));

  it('prints every sheet A4 landscape one page wide, under a title row, with no internal code', async () => {
    for (const scope of [{ scope: 'all' as const }, { scope: 'unit' as const, unitId: 'town' }]) {
      const workbook = await open(sample(scope));
      expectPrintableSheets(workbook, ['office-1', 'plan-x', 'rpt-plan']);
      expect(workbook.getWorksheet('排名汇总')?.getRow(1).getCell(1).value).toBe(
        '控辍保学/劝返复学 2025年第41周督办通报 · 排名汇总',
      );
    }
    const all = await open(sample());
    expect(all.getWorksheet('阶段2-自查补短阶段')?.getRow(1).getCell(1).value).toContain(
      '自查补短阶段(全县)',
    );
    const notes = new Map<unknown, unknown>();
    all.getWorksheet('说明')?.eachRow((row) => notes.set(row.getCell(1).value, row.getCell(2).value));
    expect(notes.get('截止时间')).toBe('2025-10-10 17:00(北京时间)');
    expect(notes.get('生成方式')).toBe('手动生成');
    const mine = await open(sample({ scope: 'unit', unitId: 'town' }));
    expect(mine.getWorksheet('阶段2-自查补短阶段')?.getRow(1).getCell(1).value).toContain(
      '自查补短阶段(仅本单位:城关镇)',
    );
  });

  it('has the ranking, a sheet per phase, the overdue duties and the notes', async () => {
    const workbook = await open(sample());
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      '排名汇总',
      '阶段1-部署发动阶段',
      '阶段2-自查补短阶段',
      '逾期未办',
      '督查整改',
      '说明',
    ]);
    const summary = workbook.getWorksheet('排名汇总');
    expect(summary?.getRow(2).values).toEqual(
      expect.arrayContaining(['排名', '单位', '按时办结', '逾期未办', '按时办结率']),
    );
    expect(summary?.getRow(2).values).not.toContain('单位编号');
    const first = summary?.getRow(3);
    expect([first?.getCell(1).value, first?.getCell(2).value, first?.getCell(3).value]).toEqual([
      1,
      '东街村',
      1,
    ]);
    const rateCell = first?.getCell(summary?.columnCount ?? 0);
    expect(rateCell?.value).toBe(1);
    expect(rateCell?.numFmt).toBe('0.0%');
    expect(summary?.getRow(5).getCell(2).value).toBe('县教育体育局');
  });

  it('freezes the title and header rows, sets column widths and filters on every table sheet', async () => {
    const workbook = await open(sample());
    for (const [name, unitColumn] of [
      ['排名汇总', 2],
      ['阶段2-自查补短阶段', 1],
      ['逾期未办', 1],
    ] as const) {
      const sheet = workbook.getWorksheet(name);
      expect(sheet?.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
      expect(sheet?.getColumn(unitColumn).width).toBe(28);
      expect(sheet?.columns.every((c) => (c.width ?? 0) >= 6)).toBe(true);
      expect(sheet?.autoFilter).toBeTruthy();
    }
    const overdue = workbook.getWorksheet('逾期未办');
    expect(overdue?.getRow(2).values).toEqual(
      expect.arrayContaining(['单位', '任务', '截止时间', '逾期(工作日)']),
    );
    expect(overdue?.rowCount).toBe(4);
    // Text stays text: a title that looks like a formula is not one.
    const titles = [overdue?.getRow(3).getCell(2).value, overdue?.getRow(4).getCell(2).value];
    expect(titles).toContain('=HYPERLINK("http://x","点我")');
    expect(overdue?.getRow(3).getCell(4).value).toBe('2025-09-30 17:00');
    const phase = workbook.getWorksheet('阶段2-自查补短阶段');
    expect(phase?.getRow(phase.rowCount).getCell(1).value).toBe('合计');
  });

  it('shows a unit only its own rows beyond the ranking', async () => {
    const workbook = await open(sample({ scope: 'unit', unitId: 'town' }));
    const overdue = workbook.getWorksheet('逾期未办');
    expect(overdue?.rowCount).toBe(3);
    expect(overdue?.getRow(3).getCell(1).value).toBe('城关镇');
    const phase = workbook.getWorksheet('阶段2-自查补短阶段');
    expect(
      phase
        ?.getColumn(1)
        .values.filter((v) => typeof v === 'string')
        .slice(1),
    ).toEqual(['单位', '城关镇', '合计']);
    const notes = workbook.getWorksheet('说明');
    expect(notes?.getColumn(2).values).toEqual(
      expect.arrayContaining([expect.stringContaining('本单位视图')]),
    );
  });
});

describe('CSV text that looks like a formula', () => {
  it('is prefixed so Excel shows it instead of running it', () => {
    // The summary table has no free text but unit names; a name typed as a formula is neutralised.
    const report = sample();
    const tampered: Report = {
      ...report,
      ranking: report.ranking.map((r) => (r.unitId === 'town' ? { ...r, unitName: '=1+1' } : r)),
    };
    const rows = parseCsv(reportCsv(tampered).slice(1));
    expect(rows.some((r) => r[1] === "'=1+1")).toBe(true);
  });
});
