/** 台账快照: the county ledger frozen at a cut-off (R1's items, listed by K8). */
import {
  type CaseLedger,
  CaseLedgerSchema,
  type LedgerReportSummary,
  LedgerReportSummarySchema,
} from '../schemas/case-reports.js';
import type { AuditEvent } from './audit.js';
import type { TableRef } from './client.js';
import { type CreateOutcome, getFrozen, putFrozen } from './frozen-store.js';
import { CASE_LEDGER_REPORTS_PK, caseLedgerReportKeys } from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { parentPage } from './query.js';

export interface CaseLedgerReportRepository {
  /**
   * R1 and K8: the head, the ledger as content parts and the audit event of its making in one
   * transaction, unless a snapshot with this id exists ('exists': nothing written).
   */
  create(summary: LedgerReportSummary, ledger: CaseLedger, audit: AuditEvent): Promise<CreateOutcome>;
  /** R1: head and ledger, checked against its SHA-256. */
  get(id: string): Promise<{ summary: LedgerReportSummary; ledger: CaseLedger } | undefined>;
  /** K8: the snapshots, newest cut-off first. */
  list(page: PageRequest): Promise<Page<LedgerReportSummary>>;
}

export function caseLedgerReportRepository(ref: TableRef): CaseLedgerReportRepository {
  return {
    create(summary, ledger, audit) {
      const head = {
        ...caseLedgerReportKeys(summary.asOf, summary.id),
        entity: 'CaseLedgerReport',
        ...summary,
      };
      return putFrozen(ref, summary.id, head, ledger, audit);
    },
    async get(id) {
      const found = await getFrozen(ref, id);
      if (found === undefined) return undefined;
      return {
        summary: LedgerReportSummarySchema.parse(found.head),
        ledger: CaseLedgerSchema.parse(found.content),
      };
    },
    list(page) {
      return parentPage(ref, CASE_LEDGER_REPORTS_PK, page, (i) => LedgerReportSummarySchema.parse(i), {
        newestFirst: true,
      });
    },
  };
}
