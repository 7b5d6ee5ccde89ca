/**
 * The sweep's walk of 控辍保学 cases: only the cases whose next escalation day has come (K5, a
 * sparse key written with every change of the case), each read again consistently, its owed
 * notices (caseEscalations) written once by their fixed ids through the same writer as every
 * other notice, then its key moved to the next day anything can come due — or off the index.
 * Safe to run concurrently and after a crash: every write is idempotent or conditional.
 */
import type { Principal } from '../auth/principal.js';
import { auditEvent } from '../db/audit.js';
import type { CaseRecord, CaseRepository } from '../db/case-repository.js';
import type { TableRef } from '../db/client.js';
import { writeStandaloneNotice } from '../db/notice-level-writer.js';
import { withRetry } from '../db/retry.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import {
  type CaseEscalation,
  caseEscalations,
  nextEscalationOn,
  type StepDeadlines,
} from '../domain/dropout/case-ladder.js';
import { CASE_NOTICE_LEVELS, caseNoticeRecipients, caseNoticeText } from '../domain/dropout/case-notice.js';
import { lastReturnDateToErase } from '../domain/dropout/retention.js';
import { DEFAULT_TIME_ZONE, localDateOf, startOfLocalDay } from '../domain/time/zoned-time.js';
import type { Notice } from '../schemas/notices.js';

/** The audit event of a case notice, fixed by the notice, so it is written once too. */
export const caseEscalationEventIdFor = (noticeId: string) => `escalate-${noticeId}`;

/** Cases worked on at once (each a read, a few notices and one conditional update). */
const CASE_CONCURRENCY = 8;

export interface CaseSweepOutcome {
  examined: number;
  itemsRead: number;
  written: number;
  alreadyWritten: number;
  failed: number;
  /** Closed cases whose identifying fields this run erased (retention). */
  erased: number;
}

/** The audit event of an erasure, fixed by the case, so it is written once whichever run erases it. */
export const caseErasureEventIdFor = (caseId: string) => `erase-${caseId}`;

export function caseSweeper(deps: {
  cases: CaseRepository;
  table: TableRef;
  deadlines?: StepDeadlines;
  timeZone?: string;
}) {
  const { cases, table } = deps;
  const timeZone = deps.timeZone ?? DEFAULT_TIME_ZONE;

  function noticeOf(c: CaseRecord, e: CaseEscalation, now: Date, cal: WorkingCalendar): Notice {
    const { level, label } = CASE_NOTICE_LEVELS[e.kind];
    const at = startOfLocalDay(e.on, timeZone).toISOString();
    return {
      id: e.id,
      planId: '',
      taskId: '',
      dutyId: '',
      caseId: c.id,
      unitId: c.schoolUnitId,
      dutyTitle: caseNoticeText(e, {
        schoolUnitId: c.schoolUnitId,
        townshipUnitId: c.townshipUnitId,
        grade: c.grade,
        className: c.className,
        childNameMasked: c.masked.childName,
        firstDayAbsent: c.firstDayAbsent,
        teacherName: c.teacher.name,
        leaderName: c.leader.name,
      }),
      round: 0,
      level,
      levelLabel: label,
      offsetWorkingDays: e.kind === 'suspected' ? 0 : 1,
      addressees:
        e.escalateTo === 'school-leader'
          ? ['unit']
          : e.escalateTo === 'township'
            ? ['unit', 'parent']
            : ['unit', 'parent', 'office'],
      recipients: caseNoticeRecipients(e.escalateTo, c),
      dueAt: at,
      scheduledAt: at,
      createdAt: now.toISOString(),
      workingDaysLate: 0,
      calendarFallback: cal.fallbackYearsUsed().length > 0,
      acks: {},
    };
  }

  /** One case: its owed notices, then its K5 day moved on. */
  async function sweepCase(
    principal: Principal,
    indexed: CaseRecord,
    today: string,
    now: Date,
    cal: WorkingCalendar,
    deadlines: StepDeadlines,
    out: CaseSweepOutcome,
  ) {
    // The index is read eventually consistent: a return (or a step) just written must count.
    const c = (await withRetry(() => cases.get(indexed.id))) ?? null;
    if (c === null || c.nextEscalationOn === undefined || c.nextEscalationOn === null) return;
    const dates = { firstDayAbsent: c.firstDayAbsent, returnedOn: c.returnedOn, stepsDone: c.stepsDone };
    for (const e of caseEscalations(c.id, dates, today, cal, deadlines)) {
      const notice = noticeOf(c, e, now, cal);
      // The trail says what was owed and to whom, never whom it is about.
      const audit = auditEvent(
        principal,
        'case.escalate',
        { type: 'case', id: c.id },
        {
          before: null,
          after: { noticeId: notice.id, kind: e.kind, step: e.step, on: e.on, recipients: notice.recipients },
        },
        now,
        { id: caseEscalationEventIdFor(notice.id) },
      );
      if (await writeStandaloneNotice(table, notice, audit)) out.written++;
      else out.alreadyWritten++;
    }
    await cases.moveEscalationDay(
      c.id,
      c.version,
      c.nextEscalationOn,
      nextEscalationOn(dates, today, cal, deadlines),
    );
  }

  /**
   * Erases one closed case's identifying fields, keeping what the counts need (school, township,
   * grade, gender, groups, dates). Read again consistently; a case erased already (or changed
   * meanwhile: the next run) is left alone.
   */
  async function eraseCase(principal: Principal, caseId: string, today: string, now: Date): Promise<boolean> {
    const c = await withRetry(() => cases.get(caseId));
    if (c === undefined || c.returnedOn === null || (c.erasedOn ?? null) !== null) return false;
    const next: CaseRecord = {
      ...c,
      sealed: null,
      masked: { childName: '*', guardianPhone: '****', registryNumber: null },
      returnEvidence: null,
      erasedOn: today,
      version: c.version + 1,
    };
    const audit = auditEvent(
      principal,
      'case.erase',
      { type: 'case', id: c.id },
      { before: null, after: { returnedOn: c.returnedOn, erasedOn: today, schoolUnitId: c.schoolUnitId } },
      now,
      { id: caseErasureEventIdFor(c.id) },
    );
    return cases.erase(next, c.version, audit);
  }

  return {
    /** Every case whose escalation day has come by `now`; one case's failure leaves it for the next run. */
    async sweep(
      principal: Principal,
      now: Date,
      calendar: WorkingCalendar,
      onItemError: (err: unknown, itemId: string) => void,
    ): Promise<CaseSweepOutcome> {
      const today = localDateOf(now, timeZone);
      const out: CaseSweepOutcome = {
        examined: 0,
        itemsRead: 0,
        written: 0,
        alreadyWritten: 0,
        failed: 0,
        erased: 0,
      };
      // The office's deadlines and retention (K6) as they stand at this run.
      const settings = await cases.settings();
      const deadlines = deps.deadlines ?? settings.stepDeadlines;
      for await (const page of cases.dueForSweep(today)) {
        out.itemsRead += page.length;
        let next = 0;
        const worker = async () => {
          while (next < page.length) {
            const c = page[next++] as CaseRecord;
            out.examined++;
            try {
              await sweepCase(principal, c, today, now, calendar.view(), deadlines, out);
            } catch (err) {
              // Its key is still due: the next run takes it up again (every write is idempotent).
              out.failed++;
              onItemError(err, c.id);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(CASE_CONCURRENCY, page.length) }, worker));
      }
      // Retention (K7): only the closed cases past it are read, and erasing takes each off the index.
      const lastDue = lastReturnDateToErase(today, settings.retentionSchoolYears);
      for await (const page of cases.dueForErasure(lastDue)) {
        out.itemsRead += page.length;
        for (const c of page) {
          try {
            if (await eraseCase(principal, c.id, today, now)) out.erased++;
          } catch (err) {
            out.failed++;
            onItemError(err, c.id);
          }
        }
      }
      return out;
    },
  };
}

export type CaseSweeper = ReturnType<typeof caseSweeper>;
