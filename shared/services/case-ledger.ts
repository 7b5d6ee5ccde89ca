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
import type { Page, PageRequest } from '../db/pagination.js';
import type { RosterRepository } from '../db/roster-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar } from '../domain/calendar/working-calendar.js';
import type { CaseDates } from '../domain/dropout/case-ladder.js';
import {
  CASE_LIGHT_LABELS,
  countInto,
  datesAsOf,
  emptyTotals,
  type LedgerStanding,
  ledgerStanding,
  semesterStartOf,
} from '../domain/dropout/case-ledger.js';
import { DEFAULT_TIME_ZONE, localDateOf } from '../domain/time/zoned-time.js';
import { ForbiddenError } from '../errors.js';
import { ledgerTables } from '../export/case-ledger-table.js';
import type { Table } from '../export/report-table.js';
import { type FileDownload, tablesFile } from '../export/table-file.js';
import type { CaseLedger, CaseLedgerRow } from '../schemas/case-reports.js';
import { authorize } from './access.js';
import { rangeOf } from './case-service.js';

export interface LedgerQuery {
  township?: string | undefined;
  since?: string | undefined;
  /** The cut-off, a local date (default today): the cases as they stood at the end of that day. */
  asOf?: string | undefined;
}

/** The ledger page's filters: one township, one school, one stage of open cases, late steps only. */
export interface LedgerPageQuery {
  township?: string | undefined;
  school?: string | undefined;
  stage?: 'absent' | 'suspected' | 'dropout' | undefined;
  lateOnly?: boolean | undefined;
}

export type LedgerPageRow = CaseLedgerRow & {
  townshipUnitId: string;
  townshipName: string;
  schoolUnitId: string;
  schoolName: string;
};

export interface CaseLedgerService {
  /** The ledger the caller may read: the county (office, leaders) or its own township. */
  read(principal: Principal, query: LedgerQuery, now: Date): Promise<CaseLedger & { itemsRead: number }>;
  /**
   * One page of the ledger's open cases in its order (first day absent), filtered: one Query of
   * the county's, a township's or a school's listing (K4, K3, K2), the stage as a key range; a
   * township user's school filter and "late only" are filters on what the page read, so a page may
   * hold fewer than `limit` rows — follow `nextCursor`.
   */
  page(
    principal: Principal,
    query: LedgerPageQuery,
    page: PageRequest,
    now: Date,
  ): Promise<Page<LedgerPageRow> & { asOf: string; itemsRead: number }>;
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

/** A case's row in the ledger: masked, with its standing on the ledger's day. */
function ledgerRow(c: CaseRecord, standing: LedgerStanding): CaseLedgerRow {
  return {
    id: c.id,
    childNameMasked: c.masked.childName,
    gender: c.gender,
    grade: c.grade,
    className: c.className,
    groups: c.groups,
    firstDayAbsent: c.firstDayAbsent,
    ...standing,
    lightLabel: CASE_LIGHT_LABELS[standing.light],
  };
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

  /** The calendar with the office's overrides and the step deadlines as they stand. */
  async function ladder() {
    const [overrides, settings] = await Promise.all([calendars.list(), cases.settings()]);
    return { cal: createWorkingCalendar(overrides), deadlines: settings.stepDeadlines };
  }

  async function read(principal: Principal, query: LedgerQuery, now: Date) {
    const scope = await scopeOf(principal, query);
    const asOf = query.asOf ?? localDateOf(now, timeZone);
    const since = query.since ?? (await defaultSince(asOf));
    // Open at the cut-off: first absent by then (one key range), or returned after it (in the
    // returned range, since the semester began on or before the cut-off).
    const [openNow, returnedSince, { cal, deadlines }] = await Promise.all([
      cases.listAll(scope, { between: [OPEN_CASE_PREFIX, `${OPEN_CASE_PREFIX}${asOf}#~`] }),
      cases.listAll(scope, { between: [`${CLOSED_CASE_PREFIX}${since}`, `${CLOSED_CASE_PREFIX}~`] }),
      ladder(),
    ]);
    const open: { c: CaseRecord; dates: CaseDates }[] = [];
    const returned: CaseRecord[] = [];
    for (const c of [...openNow, ...returnedSince]) {
      const dates = datesAsOf(c, asOf);
      if (dates === null) continue;
      if (dates.returnedOn === null) open.push({ c, dates });
      else returned.push(c);
    }
    const names = await units.getMany([
      ...new Set([...openNow, ...returnedSince].flatMap((c) => [c.townshipUnitId, c.schoolUnitId])),
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
    for (const { c, dates } of open) {
      const standing = ledgerStanding(dates, asOf, cal, deadlines);
      const { t, s } = schoolOf(c);
      countInto({ standing, groups: c.groups }, totals, t, s.totals);
      s.cases.push(ledgerRow(c, standing));
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
    const itemsRead = openNow.length + returnedSince.length;
    return { asOf, since, totals, townships: sorted, itemsRead };
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

  async function page(principal: Principal, query: LedgerPageQuery, request: PageRequest, now: Date) {
    const township = await scopeOf(principal, { township: query.township });
    const asOf = localDateOf(now, timeZone);
    const { cal, deadlines } = await ladder();
    const range = rangeOf(query.stage, asOf, cal);
    if (range === 'empty') return { items: [], nextCursor: null, asOf, itemsRead: 0 };
    const scope: CaseScope = query.school === undefined ? township : { by: 'school', unitId: query.school };
    const found = await cases.list(
      scope,
      range ?? { prefix: OPEN_CASE_PREFIX },
      { townshipUnitId: township.by === 'township' && scope.by === 'school' ? township.unitId : undefined },
      request,
    );
    const names = await units.getMany([
      ...new Set(found.items.flatMap((c) => [c.townshipUnitId, c.schoolUnitId])),
    ]);
    const name = (id: string) => names.get(id)?.name ?? id;
    const items: LedgerPageRow[] = [];
    for (const c of found.items) {
      const standing = ledgerStanding(c, asOf, cal, deadlines);
      if (query.lateOnly === true && standing.step?.late !== true) continue;
      items.push({
        ...ledgerRow(c, standing),
        townshipUnitId: c.townshipUnitId,
        townshipName: name(c.townshipUnitId),
        schoolUnitId: c.schoolUnitId,
        schoolName: name(c.schoolUnitId),
      });
    }
    return { items, nextCursor: found.nextCursor, asOf, itemsRead: found.items.length };
  }

  return {
    read,
    page,
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
