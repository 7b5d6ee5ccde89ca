/**
 * 疑似失学辍学人员台账: the county's open cases by township and school, each with its age in working
 * days, its step and whether that step is late, and a light; returns this semester counted. Read
 * by key — the county's (K4) or one township's (K3) open cases, and those returned since the
 * semester began — never by scanning. Names masked; every export written to the audit trail.
 */
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { CaseRecord, CaseRepository, CaseScope } from '../db/case-repository.js';
import { CLOSED_CASE_PREFIX, OPEN_CASE_PREFIX } from '../db/keys.js';
import type { RosterRepository } from '../db/roster-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar } from '../domain/calendar/working-calendar.js';
import {
  CASE_LIGHT_LABELS,
  countInto,
  emptyTotals,
  type LedgerTotals,
  ledgerStanding,
  semesterStartOf,
  specialGroupWords,
} from '../domain/dropout/case-ledger.js';
import { DEFAULT_TIME_ZONE, localDateOf } from '../domain/time/zoned-time.js';
import { ForbiddenError } from '../errors.js';
import type { Cell, Column, Table } from '../export/report-table.js';
import { type FileDownload, tablesFile } from '../export/table-file.js';
import type { CaseLedger, CaseLedgerRow } from '../schemas/case-reports.js';
import { authorize } from './access.js';

export interface LedgerQuery {
  township?: string | undefined;
  since?: string | undefined;
}

export interface CaseLedgerService {
  /** The ledger the caller may read: the county (office, leaders) or its own township. */
  read(principal: Principal, query: LedgerQuery, now: Date): Promise<CaseLedger & { itemsRead: number }>;
  /** The ledger as tables for Excel and CSV (Chinese headers, masked names); the export is audited. */
  export(principal: Principal, query: LedgerQuery, format: 'csv' | 'xlsx', now: Date): Promise<Table[]>;
  /** The export as the file handed out (API and pages alike): bytes and the headers naming it. */
  download(
    principal: Principal,
    query: LedgerQuery,
    format: 'csv' | 'xlsx',
    now: Date,
  ): Promise<FileDownload>;
}

export function caseLedgerService(deps: {
  cases: CaseRepository;
  units: UnitRepository;
  calendars: CalendarRepository;
  /** The semesters the office set (学期); the latest begun gives the default "since". */
  semesters?: Pick<RosterRepository, 'listSemesters'>;
  timeZone?: string;
}): CaseLedgerService {
  const { cases, units, calendars, semesters } = deps;
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;

  /** The start date of the latest semester begun by `today` (newest first), else 1 Sep / 1 Feb. */
  async function defaultSince(today: string): Promise<string> {
    let cursor: string | undefined;
    do {
      const page = await semesters?.listSemesters({ limit: 10, cursor });
      const begun = page?.items.find((s) => s.startDate <= today);
      if (begun !== undefined) return begun.startDate;
      cursor = page?.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return semesterStartOf(today);
  }

  /** Which listing the caller reads: the county, or one township (its own, for a township user). */
  async function scopeOf(principal: Principal, query: LedgerQuery): Promise<CaseScope> {
    if (principal.role === 'unit') {
      const own = await units.get(principal.unitId ?? '');
      if (own?.kind !== 'township') throw new ForbiddenError('只有教体局、领导和乡镇可以查看控辍保学台账');
    }
    const township = query.township ?? (principal.role === 'unit' ? principal.unitId : undefined);
    authorize(principal, 'case.ledger', township === undefined ? {} : { ownerUnitId: township });
    return township === undefined ? { by: 'county' } : { by: 'township', unitId: township };
  }

  async function read(principal: Principal, query: LedgerQuery, now: Date) {
    const scope = await scopeOf(principal, query);
    const today = localDateOf(now, timeZone);
    const since = query.since ?? (await defaultSince(today));
    const [open, returned, overrides, settings] = await Promise.all([
      cases.listAll(scope, { prefix: OPEN_CASE_PREFIX }),
      cases.listAll(scope, { between: [`${CLOSED_CASE_PREFIX}${since}`, `${CLOSED_CASE_PREFIX}~`] }),
      calendars.list(),
      cases.settings(),
    ]);
    const cal = createWorkingCalendar(overrides);
    const names = await units.getMany([
      ...new Set([...open, ...returned].flatMap((c) => [c.townshipUnitId, c.schoolUnitId])),
    ]);
    const name = (id: string) => names.get(id)?.name ?? id;

    const totals = emptyTotals();
    const townships = new Map<string, CaseLedger['townships'][number]>();
    const schoolOf = (c: CaseRecord) => {
      let t = townships.get(c.townshipUnitId);
      if (t === undefined) {
        t = {
          townshipUnitId: c.townshipUnitId,
          townshipName: name(c.townshipUnitId),
          totals: emptyTotals(),
          schools: [],
        };
        townships.set(c.townshipUnitId, t);
      }
      let s = t.schools.find((x) => x.schoolUnitId === c.schoolUnitId);
      if (s === undefined) {
        s = {
          schoolUnitId: c.schoolUnitId,
          schoolName: name(c.schoolUnitId),
          totals: emptyTotals(),
          cases: [],
        };
        t.schools.push(s);
      }
      return { t: t.totals, s };
    };
    for (const c of open) {
      const standing = ledgerStanding(
        { firstDayAbsent: c.firstDayAbsent, returnedOn: c.returnedOn, stepsDone: c.stepsDone },
        today,
        cal,
        settings.stepDeadlines,
      );
      const { t, s } = schoolOf(c);
      countInto(standing, totals, t, s.totals);
      s.cases.push({
        id: c.id,
        childNameMasked: c.masked.childName,
        gender: c.gender,
        grade: c.grade,
        className: c.className,
        groups: c.groups,
        firstDayAbsent: c.firstDayAbsent,
        ...standing,
        lightLabel: CASE_LIGHT_LABELS[standing.light],
      });
    }
    for (const c of returned) {
      const { t, s } = schoolOf(c);
      countInto(null, totals, t, s.totals);
    }
    const byName =
      <T>(key: (x: T) => string) =>
      (a: T, b: T) =>
        key(a).localeCompare(key(b), 'zh-CN');
    const sorted = [...townships.values()].sort(byName((t) => t.townshipName));
    for (const t of sorted) t.schools.sort(byName((s) => s.schoolName));
    return { asOf: today, since, totals, townships: sorted, itemsRead: open.length + returned.length };
  }

  async function exportTables(principal: Principal, query: LedgerQuery, format: 'csv' | 'xlsx', now: Date) {
    const ledger = await read(principal, query, now);
    // Who took the (masked) list away, and how much of it: written before the file is made.
    await cases.recordView(
      auditEvent(
        principal,
        'case.export',
        { type: 'case', id: 'ledger' },
        {
          before: null,
          after: {
            format,
            township: query.township ?? null,
            since: ledger.since,
            rows: ledger.totals.open,
          },
        },
        now,
      ),
    );
    return ledgerTables(ledger);
  }

  return {
    read,
    export: exportTables,
    async download(principal, query, format, now) {
      const tables = await exportTables(principal, query, format, now);
      return tablesFile(
        tables,
        {
          name: `控辍保学台账-${now.toISOString().slice(0, 10)}`,
          fallback: 'case-ledger',
          title: '疑似失学辍学人员台账',
        },
        format,
        now,
      );
    },
  };
}

const col = (header: string, width: number, kind: Column['kind'] = 'text'): Column => ({
  header,
  width,
  kind,
});

/** The ledger as the offices lay it out: one row per open case, then the counts per school. */
export function ledgerTables(ledger: CaseLedger): Table[] {
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
  ];
  for (const t of ledger.townships) {
    for (const s of t.schools) {
      schoolRows.push([t.townshipName, s.schoolName, ...counts(s.totals)]);
      for (const c of s.cases) caseRows.push(caseRow(t.townshipName, s.schoolName, c));
    }
  }
  schoolRows.push(['合计', '', ...counts(ledger.totals)]);
  return [
    {
      title: '疑似失学辍学人员台账',
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
      title: `各校汇总(复学自 ${ledger.since})`,
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
    c.gender === 'male' ? '男' : '女',
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
