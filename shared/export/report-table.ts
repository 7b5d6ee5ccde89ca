import { periodOf } from '../domain/report/period.js';
import { phaseCompletionRate, UNASSESSED_LABEL } from '../domain/report/ranking.js';
import { dateRangeWords } from '../domain/time/date-words.js';
import type { Report, ReportPhase } from '../schemas/reports.js';

/** A cell as both exports write it: text, a whole number, a 0–1 rate, or empty. */
export type Cell = string | number | null;
/** `points`: a score to one decimal (88.5), never rounded to a whole number. */
export type ColumnKind = 'text' | 'int' | 'percent' | 'points';

export interface Column {
  header: string;
  /** Column width in characters (a Chinese character counts as about two). */
  width: number;
  kind: ColumnKind;
  /** Long text: wrapped in the workbook's cells, top-aligned. */
  wrap?: boolean;
}

/** One sheet's worth of a report: the CSV is the summary table; the workbook has them all. */
export interface Table {
  /** The sheet's name (and the CSV section's). */
  title: string;
  /** The title row printed above the headers; the title when absent. */
  heading?: string;
  columns: Column[];
  rows: Cell[][];
}

const col = (header: string, width: number, kind: ColumnKind = 'int'): Column => ({ header, width, kind });

// Building an Intl.DateTimeFormat is far slower than using one; overdue lists format thousands.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** `2026-05-26 23:59` on the wall clock of `timeZone`, as the office reads a due time. */
export function formatLocal(iso: string, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/**
 * The ranking with each unit's figures: one row per unit in rank order. Where the viewer may not
 * see a unit's details (a unit reading another unit's row), only rank, name and rates are filled.
 */
export function summaryTable(report: Report): Table {
  const detail = new Map(report.units.map((u) => [u.unitId, u]));
  const columns = [
    col('排名', 6),
    col('单位', 28, 'text'),
    col('应办任务', 10),
    col('按时办结', 10),
    col('逾期办结', 10),
    col('已提交待审核', 13),
    col('未到期', 8),
    col('逾期未办', 10),
    col('最长逾期(工作日)', 17),
    ...report.levels.map((l) => col(`${l.label}通知`, Math.max(10, l.label.length * 2 + 6))),
    col('退回整改', 10),
    col('定期报告应报', 13),
    col('定期报告已报', 13),
    col('延期申请', 10),
    col('其中本期申请', 13),
    col('批准延期', 10),
    col('驳回延期', 10),
    col('待审批延期', 11),
    col('整改任务', 10),
    col('整改已办结', 11),
    col('逾期未整改', 11),
    col('落后于序时进度', 15),
    col('平均滞后(百分点)', 17, 'points'),
    col('办结率', 10, 'percent'),
    col('按时办结率', 12, 'percent'),
  ];
  // Between the unit's name and its two rates.
  const countColumns = columns.length - 4;
  const rows = report.ranking.map((r): Cell[] => {
    const u = detail.get(r.unitId);
    const e = u?.extensions ?? null;
    const rect = u?.rectification ?? null;
    const counts: Cell[] =
      u === undefined
        ? Array.from({ length: countColumns }, () => null)
        : [
            u.assigned,
            u.doneOnTime,
            u.doneLate,
            u.submitted,
            u.openNotDue,
            u.overdue,
            u.worstWorkingDaysLate,
            ...report.levels.map((l) => u.notices[l.level] ?? 0),
            u.returns,
            u.reports.due,
            u.reports.filed,
            // A report frozen before these were counted leaves them empty, never a made-up 0.
            ...(e === null
              ? [null, null, null, null, null]
              : [e.requested, e.inPeriod, e.approved, e.refused, e.pending]),
            ...(rect === null ? [null, null, null] : [rect.assigned, rect.accepted, rect.overdue]),
            // Empty in a report frozen before 序时进度 was counted.
            u.behindPlan ?? null,
            u.averageLagPoints ?? null,
          ];
    // Ranked units first; those with nothing to judge follow, 本期无考核任务 in place of a rank.
    return [r.rank ?? UNASSESSED_LABEL, r.unitName, ...counts, r.completionRate, r.onTimeRate];
  });
  return { title: '排名汇总', columns, rows };
}

/** 序时进度 of a phase's open duties: planned against reported, on average (empty when none is open). */
const PROGRESS_COLUMNS = [col('平均序时进度(%)', 16, 'points'), col('平均已报进度(%)', 16, 'points')];
const progressCells = (p: { plannedPercent?: number | null; reportedPercent?: number | null }): Cell[] => [
  p.plannedPercent ?? null,
  p.reportedPercent ?? null,
];

/** Each phase's open duties: planned against reported progress (the CSV's section; the workbook has it per phase). */
export function phaseProgressTable(report: Report): Table {
  return {
    title: '各阶段序时进度',
    columns: [col('阶段', 24, 'text'), col('待办', 8), ...PROGRESS_COLUMNS],
    rows: report.phases.map((p) => [p.name, p.open, ...progressCells(p)]),
  };
}

/** One phase: its units' figures (the viewer's own only, for a unit) and a total row. */
export function phaseTable(phase: ReportPhase): Table {
  const columns = [
    col('单位', 28, 'text'),
    col('任务数', 8),
    col('已办结', 8),
    col('已提交待审核', 13),
    col('待办', 8),
    col('逾期未办', 10),
    col('办结率', 10, 'percent'),
    ...PROGRESS_COLUMNS,
  ];
  const rows: Cell[][] = phase.units.map((u) => [
    u.unitName,
    u.duties,
    u.accepted,
    u.submitted,
    u.open,
    u.overdue,
    phaseCompletionRate(u),
    ...progressCells(u),
  ]);
  rows.push([
    '合计',
    phase.duties,
    phase.accepted,
    phase.submitted,
    phase.open,
    phase.overdue,
    phase.completionRate,
    ...progressCells(phase),
  ]);
  return { title: phase.name, columns, rows };
}

/** The overdue duties stored with the report (the viewer's own only, for a unit), longest overdue first. */
export function overdueTable(report: Report): Table {
  const phaseNames = new Map(report.phases.map((p) => [p.key, p.name]));
  return {
    title: '逾期未办',
    columns: [
      col('单位', 28, 'text'),
      col('任务', 44, 'text'),
      col('阶段', 16, 'text'),
      col('截止时间', 18, 'text'),
      col('逾期(工作日)', 13),
      col('轮次', 6),
    ],
    rows: report.overdue.items.map((o) => [
      o.unitName,
      o.title,
      phaseNames.get(o.phaseKey) ?? o.phaseKey,
      formatLocal(o.dueAt, report.timezone),
      o.workingDaysLate,
      o.round,
    ]),
  };
}

const FINDING_STATUS: Record<'open' | 'submitted' | 'accepted', string> = {
  open: '整改中',
  submitted: '待审核',
  accepted: '已办结',
};

/**
 * The rectification section (督查整改): one row per supervision finding, open ones first, with its
 * units and how each stands (the viewer's own only, for a unit), and whether it is closed (销号).
 * Null for a report frozen before the section existed.
 */
export function rectificationTable(report: Report): Table | null {
  const section = report.rectifications;
  if (section === null) return null;
  const phaseNames = new Map(report.phases.map((p) => [p.key, p.name]));
  return {
    title: '督查整改',
    columns: [
      col('问题', 40, 'text'),
      col('来源', 14, 'text'),
      col('阶段', 16, 'text'),
      col('责任单位及整改情况', 48, 'text'),
      col('整改期限', 18, 'text'),
      col('整改任务', 10),
      col('已办结', 8),
      col('待审核', 8),
      col('逾期未整改', 11),
      col('销号', 8, 'text'),
      col('销号时间', 18, 'text'),
    ],
    rows: section.items.map((f) => [
      f.title,
      f.sourceLabel,
      phaseNames.get(f.phaseKey) ?? f.phaseKey,
      f.units.map((u) => `${u.unitName}(${u.overdue ? '逾期' : FINDING_STATUS[u.status]})`).join('、'),
      formatLocal(f.dueAt, report.timezone),
      f.duties,
      f.accepted,
      f.submitted,
      f.overdue,
      f.closed ? '已销号' : '未销号',
      f.closedAt === null ? null : formatLocal(f.closedAt, report.timezone),
    ]),
  };
}

/**
 * 签收情况: each unit with duties to sign for, most unsigned first — who had not signed by the
 * cut-off, who signed after the deadline, and how long a signature took on average (working
 * minutes, counted in office hours only). Null for a report frozen before the section existed.
 */
export function receiptTable(report: Report): Table | null {
  const section = report.receipts;
  if (section === null) return null;
  return {
    title: '签收情况',
    columns: [
      col('单位', 28, 'text'),
      col('未签收', 8),
      col('已签收', 8),
      col('超时签收', 10),
      col('平均签收用时(工作分钟)', 22),
    ],
    rows: section.units.map((u) => [u.unitName, u.unsigned, u.signed, u.signedLate, u.averageWorkingMinutes]),
  };
}

/** The 签收 section's one-line summary, printed above its table. */
export function receiptWords(report: Report): string {
  const all = report.receipts?.all;
  if (all === undefined) return '签收情况';
  const average = all.averageWorkingMinutes === null ? '' : `,平均用时 ${all.averageWorkingMinutes} 工作分钟`;
  return `签收情况:未签收 ${all.unsigned} 条,已签收 ${all.signed} 条(超时 ${all.signedLate} 条)${average}`;
}

/** A unit's breakdown in one cell: `按时办结 12 项 +12;逾期(工作日) 3 项 -1.5`. */
export function scoreLinesWords(lines: readonly { label: string; count: number; points: number }[]): string {
  return lines.map((l) => `${l.label} ${l.count} 项 ${l.points > 0 ? '+' : ''}${l.points}`).join(';');
}

/**
 * 量化考评: every unit in score order, with its total, veto, breakdown and its rank by on-time rate
 * beside; null for a report frozen before units were scored. A unit reading the report sees every
 * unit's score and only its own breakdown.
 */
export function scoreTable(report: Report): Table | null {
  const scoring = report.scoring;
  if (scoring === null) return null;
  const onTimeRank = new Map(report.ranking.map((r) => [r.unitId, r]));
  return {
    title: '量化考评',
    columns: [
      col('得分排名', 8),
      col('单位', 28, 'text'),
      col('总分', 8, 'points'),
      col('一票否决', 24, 'text'),
      col('得分明细', 70, 'text'),
      col('按时办结率排名', 10),
      col('按时办结率', 10, 'percent'),
    ],
    rows: scoring.units.map((u) => {
      const byRate = onTimeRank.get(u.unitId);
      return [
        u.rank,
        u.unitName,
        u.total,
        u.vetoed ? `否决${u.vetoReasons.length > 0 ? `:${u.vetoReasons.join('、')}未达标` : ''}` : '',
        scoreLinesWords(u.lines),
        byRate?.rank ?? null,
        byRate?.onTimeRate ?? null,
      ];
    }),
  };
}

/** The scoring rules and how indicator results were taken, as lines to print beside the scores. */
export function scoreRulesLines(report: Report): string[] {
  const scoring = report.scoring;
  if (scoring === null) return [];
  return [...scoring.rulesWords, `指标:${scoring.indicators.note}`];
}

/** The viewer's own unit by name (a unit's view), from the ranking every view carries. */
export function viewerUnitName(report: Report): string | null {
  if (report.viewerUnitId === null) return null;
  return report.ranking.find((r) => r.unitId === report.viewerUnitId)?.unitName ?? '本单位';
}

/**
 * Whose duties the totals, phases and overdue list count: 全县 for the office and leaders, the
 * viewer's own unit (by name) for a unit — a unit's phase table must never pass for the county's.
 */
export function scopeWords(report: Report): string {
  return report.scope === 'all' ? '全县' : `仅本单位:${viewerUnitName(report) ?? '本单位'}`;
}

/**
 * The time zone as people say it: (北京时间) for China's zone, never the code `Asia/Shanghai`;
 * another zone (a test plan, a plan abroad) is named by its offset.
 */
export function zoneWords(timeZone: string, at: string): string {
  if (timeZone === 'Asia/Shanghai' || timeZone === 'PRC') return '(北京时间)';
  const offset = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' })
    .formatToParts(new Date(at))
    .find((p) => p.type === 'timeZoneName')?.value;
  return offset === undefined ? '' : `(${offset.replace('GMT', 'UTC')})`;
}

/** What the report is and how it was computed, as label–text pairs. */
export function notesOf(report: Report): [string, string][] {
  // The period's days in words: a person reads 10月6日—10月12日, never the code 2025-W41.
  const span = periodOf(new Date(report.asOf), report.timezone, report.period);
  const notes: [string, string][] = [
    ['工作方案', report.planTitle],
    ['期次', `${report.periodLabel}(${dateRangeWords(span.start, span.end)})`],
    ['截止时间', `${formatLocal(report.asOf, report.timezone)}${zoneWords(report.timezone, report.asOf)}`],
    ['生成时间', formatLocal(report.generatedAt, report.timezone)],
    ['生成方式', report.trigger === 'schedule' ? '定时生成' : '手动生成'],
    [
      '视图',
      report.scope === 'all'
        ? '全部单位明细'
        : `本单位视图(${viewerUnitName(report) ?? '本单位'}):其他单位只显示排名;合计、各阶段和逾期清单只计本单位的任务`,
    ],
    ['办结', report.rules.done],
    ['按时', report.rules.onTime],
    ['逾期', report.rules.overdue],
    ['排名', report.rules.ranking],
    ['延期', report.rules.extensions],
    ['整改', report.rules.rectification],
    ...(report.rules.progress === undefined
      ? []
      : [['亮灯与序时进度', report.rules.progress] as [string, string]]),
    ['说明', '通报在截止时间生成后保存,不随之后任务的变化而改变'],
    ...scoreRulesLines(report).map((text): [string, string] => ['量化考评', text]),
  ];
  if (report.overdue.truncated) {
    notes.push([
      '逾期清单',
      `共 ${report.overdue.total} 条,只列出逾期最久的 ${report.overdue.items.length} 条`,
    ]);
  }
  if (report.rectifications === null) {
    notes.push(['未统计', '该通报生成于统计延期申请和单列督查整改之前:这些列为空,不是 0']);
  }
  if (report.approximated > 0) {
    notes.push(['近似', `${report.approximated} 条任务在截止后被退回,其截止时的状态按记录近似还原`]);
  }
  if (report.calendarFallbackYears.length > 0) {
    notes.push([
      '日历',
      `${report.calendarFallbackYears.join('、')} 年缺少官方节假日数据,按周一至周五计算工作日`,
    ]);
  }
  return notes;
}

/**
 * The download's file name, e.g. `控辍保学-2026年第48周督办通报.xlsx`: characters that file
 * systems refuse are replaced, the title is cut to keep the name short.
 */
export function reportFileName(report: Report, extension: 'csv' | 'xlsx'): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes.
  const title = [...report.planTitle.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim()].slice(0, 60).join('');
  return `${title}-${report.periodLabel}督办通报.${extension}`;
}

/**
 * The string with every lone surrogate replaced by U+FFFD. A title may carry one (JSON allows
 * `"\ud800"`, and the schemas store text as given), but encodeURIComponent throws on it — and a
 * header must never be the reason a download fails. (`String#toWellFormed` is ES2024; we target ES2023.)
 */
export function wellFormed(value: string): string {
  return value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

/**
 * A `content-disposition` for an attachment whose name may be Chinese: an ASCII `filename` for old
 * clients and the real name as `filename*` in RFC 5987 encoding (UTF-8, percent-encoded).
 */
export function attachmentDisposition(fileName: string, asciiFallback: string): string {
  const encoded = encodeURIComponent(wellFormed(fileName)).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const fallback = asciiFallback.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
