/**
 * 台账快照: the office freezes the county ledger (疑似失学辍学人员台账) as it stood at the end of a
 * cut-off date — made once per date (a second request for the date, or a concurrent one, gets the
 * stored snapshot), never changed after, masked names only. Downloads as CSV and Excel in the
 * offices' layout (a title row, Chinese headers, no internal ids); every download audited.
 */
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CaseLedgerReportRepository } from '../db/case-ledger-report-repository.js';
import type { Page, PageRequest } from '../db/pagination.js';
import { DEFAULT_TIME_ZONE, localDateOf } from '../domain/time/zoned-time.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { ledgerTables } from '../export/case-ledger-table.js';
import { type FileDownload, tablesFile } from '../export/table-file.js';
import type { CreateLedgerReportInput, LedgerReport, LedgerReportSummary } from '../schemas/case-reports.js';
import { authorize } from './access.js';
import type { CaseLedgerService } from './case-ledger.js';

/** A snapshot's id, fixed by its cut-off date: one per date. */
export const ledgerReportId = (asOf: string) => `ledger-${asOf}`;
/** What a snapshot's id looks like (path parameters and page addresses are checked against it). */
export const LEDGER_REPORT_ID = /^ledger-\d{4}-\d{2}-\d{2}$/;

export interface CaseLedgerReportService {
  /** The snapshot of `asOf` (default today): made and frozen the first time (`created`), else the stored one. */
  create(
    principal: Principal,
    input: CreateLedgerReportInput,
    now: Date,
  ): Promise<{ report: LedgerReport; created: boolean }>;
  /** The snapshots, newest cut-off first (heads only). */
  list(principal: Principal, page: PageRequest): Promise<Page<LedgerReportSummary>>;
  get(principal: Principal, id: string): Promise<LedgerReport>;
  /** A snapshot as CSV or Excel; the download is written to the audit trail before it is made. */
  download(principal: Principal, id: string, format: 'csv' | 'xlsx', now: Date): Promise<FileDownload>;
}

export function caseLedgerReportService(deps: {
  reports: CaseLedgerReportRepository;
  ledger: CaseLedgerService;
  /** Where the audit events of downloads go (the case repository's). */
  recordView: (event: ReturnType<typeof auditEvent>) => Promise<void>;
  timeZone?: string;
}): CaseLedgerReportService {
  const { reports, ledger } = deps;
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;

  /** The county's snapshots: the office and leaders (a township reads its own part live). */
  const mayRead = (principal: Principal) => authorize(principal, 'case.ledger');

  async function mustGet(principal: Principal, id: string): Promise<LedgerReport> {
    mayRead(principal);
    const stored = await reports.get(id);
    if (stored === undefined) throw new NotFoundError('台账快照', id);
    return { ...stored.summary, ledger: stored.ledger };
  }

  return {
    async create(principal, input, now) {
      authorize(principal, 'report.create');
      const today = localDateOf(now, timeZone);
      const asOf = input.asOf ?? today;
      if (asOf > today) {
        throw new ValidationError('截止日期不能晚于今天', [
          { field: 'asOf', message: `截止日期 ${asOf} 晚于今天(${today})` },
        ]);
      }
      const id = ledgerReportId(asOf);
      // The common repeat (a second click) costs one read.
      const existing = await reports.get(id);
      if (existing !== undefined)
        return { report: { ...existing.summary, ledger: existing.ledger }, created: false };

      const { itemsRead: _read, ...content } = await ledger.read(principal, { asOf }, now);
      const summary: LedgerReportSummary = {
        id,
        asOf,
        since: content.since,
        generatedAt: now.toISOString(),
        generatedBy: principal.sub,
        townships: content.townships.length,
        schools: content.townships.reduce((n, t) => n + t.schools.length, 0),
        totals: content.totals,
      };
      // Made and audited in one transaction: a date that has its snapshot writes neither again.
      const audit = auditEvent(
        principal,
        'case.ledger-report',
        { type: 'report', id },
        { before: null, after: { asOf, since: summary.since, totals: summary.totals } },
        now,
      );
      if ((await reports.create(summary, content, audit)) === 'created') {
        return { report: { ...summary, ledger: content }, created: true };
      }
      // Someone else froze this date while we computed ours: theirs is the snapshot.
      const winner = await reports.get(id);
      if (winner === undefined)
        throw new Error(`Ledger report ${id} was reported to exist but cannot be read`);
      return { report: { ...winner.summary, ledger: winner.ledger }, created: false };
    },

    async list(principal, page) {
      mayRead(principal);
      return reports.list(page);
    },

    get: mustGet,

    async download(principal, id, format, now) {
      const report = await mustGet(principal, id);
      await deps.recordView(
        auditEvent(
          principal,
          'case.export',
          { type: 'report', id },
          { before: null, after: { format, reportId: id, asOf: report.asOf, rows: report.totals.open } },
          now,
        ),
      );
      const heading = `疑似失学辍学人员台账(截至 ${report.asOf})`;
      return tablesFile(
        ledgerTables(report.ledger, heading),
        { name: `控辍保学台账-截至${report.asOf}`, fallback: id, title: heading },
        format,
        new Date(report.generatedAt),
      );
    },
  };
}
