/**
 * 师生结对帮扶 duties closed by the child's own records: a support record submits that week's
 * 帮扶记录 duty of each of the child's pairs, a home visit that month's 家访 — through the duty
 * service, so counters, the audit trail, the ladder and the office's review are those of any report
 * duty, and the teacher logs once. Once per period: a duty already submitted (or accepted) is left
 * as it is, and two records at once submit it once (the duty's conditional write lets one through,
 * the other finds it submitted). The duty's note names the record and the child masked only.
 */
import type { Principal } from '../auth/principal.js';
import type { PairRecord } from '../db/care-file-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import {
  CARE_RECORD_LABELS,
  type CareRecordKind,
  PAIR_DUTY_OF_RECORD,
  PAIR_PERIOD_STATE_LABELS,
  type PairDutyKind,
  pairPeriodKey,
  pairPeriodState,
} from '../domain/care/care-file.js';
import { DUTY_STATUS_LABELS } from '../domain/duty/duty-status.js';
import { AppError, ConflictError } from '../errors.js';
import type { CarePairDuty, CareRecordResult } from '../schemas/care-files.js';
import type { Duty, DutyRecord } from '../schemas/duties.js';
import { occurrenceDutyId } from './duty-factory.js';
import type { DutyService } from './duty-service.js';
import { toDutyView } from './duty-view.js';

/** What a record did to its pairs' duties: the first pair's duty (null when none) and in words. */
export type PairDutyOutcome = Pick<CareRecordResult, 'duty' | 'dutyMessage'>;

/** A record as the pair duties need it: nothing of what was done (that names the family). */
export interface PairRecordRef {
  id: string;
  kind: CareRecordKind;
  date: string;
  by: string;
}

export interface PairDutyLinks {
  /**
   * Submits, for each of the child's pairs, the duty of the record's kind whose period holds the
   * record's date, unless it is no longer open. A period without a duty (a date outside the plan)
   * submits nothing and says so.
   */
  submitFor(
    principal: Principal,
    child: { pairs: readonly PairRecord[]; schoolUnitId: string; childNameMasked: string },
    record: PairRecordRef,
    now: Date,
  ): Promise<PairDutyOutcome>;
  /** Each pair's duties of this week and this month (by plan id), in one batch read. */
  current(
    pairs: readonly PairRecord[],
    schoolUnitId: string,
    today: string,
    now: Date,
  ): Promise<Map<string, { thisWeek: CarePairDuty | null; thisMonth: CarePairDuty | null }>>;
}

/** What a concurrent writer causes: read again and retried (or found submitted). */
const RACES = new Set(['version_conflict', 'invalid_transition']);

const DUTY_WORDS: Record<PairDutyKind, string> = { 'weekly-record': '帮扶记录', 'monthly-visit': '家访' };

/** The id of a pair's duty of `kind` for one period: its task's occurrence for the child's school. */
const pairDutyId = (pair: PairRecord, kind: PairDutyKind, schoolUnitId: string, key: string) =>
  occurrenceDutyId(kind === 'weekly-record' ? pair.weeklyTaskId : pair.monthlyTaskId, schoolUnitId, key);

function pairDuty(planId: string, kind: PairDutyKind, duty: Duty): CarePairDuty {
  const state = pairPeriodState(duty);
  return {
    planId,
    kind,
    dutyId: duty.id,
    occurrenceKey: duty.occurrenceKey ?? '',
    periodLabel: duty.period?.label ?? duty.occurrenceKey ?? '',
    status: duty.status,
    state,
    stateLabel: PAIR_PERIOD_STATE_LABELS[state],
  };
}

export function pairDutyLinks(deps: { duties: DutyRepository; dutyService: DutyService }): PairDutyLinks {
  const { duties, dutyService } = deps;

  /**
   * Submits one open duty; a lost race (another record, a sweep moving the ladder) is read again.
   * A refusal is said in words, never thrown: the record is kept whatever the duty does.
   */
  async function submitOnce(
    principal: Principal,
    found: DutyRecord,
    note: string,
    now: Date,
  ): Promise<{ duty: Duty; submittedNow: boolean; refusal: string | null }> {
    let duty = found;
    for (let attempt = 0; attempt < 3 && duty.status === 'open'; attempt++) {
      try {
        const submitted = await dutyService.submit(
          principal,
          duty.id,
          { note, evidence: [], nothingToReport: false },
          now,
        );
        return { duty: submitted, submittedNow: true, refusal: null };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        const current = await duties.get(duty.id);
        if (current === undefined) throw err;
        // Still open and not a lost race: the duty's own answer. The record stands; the refusal is told.
        const raced = err instanceof ConflictError && RACES.has(err.code);
        if (current.status === 'open' && !raced) {
          return { duty: toDutyView(current, now), submittedNow: false, refusal: err.message };
        }
        duty = current;
      }
    }
    const busy = duty.status === 'open' ? '任务正被同时修改,请稍后在任务页提交' : null;
    return { duty: toDutyView(duty, now), submittedNow: false, refusal: busy };
  }

  return {
    async submitFor(principal, child, record, now) {
      if (child.pairs.length === 0) return { duty: null, dutyMessage: null };
      const kind = PAIR_DUTY_OF_RECORD[record.kind];
      const label = CARE_RECORD_LABELS[record.kind];
      if (kind === null) {
        return {
          duty: null,
          dutyMessage: `${label}不对应结对任务(结对任务为每周帮扶记录、每月家访),已保存记录`,
        };
      }
      const key = pairPeriodKey(kind, record.date);
      const ids = child.pairs.map((p) => pairDutyId(p, kind, child.schoolUnitId, key));
      const found = await duties.getMany(ids);
      const note = `${child.childNameMasked} ${label}:${record.date},帮扶人 ${record.by}(记录 ${record.id})`;
      const outcomes = [];
      for (const [i, pair] of child.pairs.entries()) {
        const duty = found.get(ids[i] ?? '');
        if (duty === undefined) continue;
        const done = await submitOnce(principal, duty, note, now);
        outcomes.push({
          ...done,
          linked: { ...pairDuty(pair.planId, kind, done.duty), submittedNow: done.submittedNow },
        });
      }
      const first = outcomes[0];
      if (first === undefined) {
        return {
          duty: null,
          dutyMessage: `记录已保存;${record.date} 所在期次没有结对${DUTY_WORDS[kind]}任务(不在工作方案期限内),未提交任务`,
        };
      }
      const period = first.linked.periodLabel;
      const dutyMessage =
        first.refusal !== null
          ? `记录已保存;结对${DUTY_WORDS[kind]}任务(${period})未能提交:${first.refusal}`
          : first.submittedNow
            ? `已同时提交结对${DUTY_WORDS[kind]}任务(${period})`
            : `结对${DUTY_WORDS[kind]}任务(${period})${DUTY_STATUS_LABELS[first.duty.status]},不再重复提交;记录已保存`;
      return { duty: first.linked, dutyMessage };
    },

    async current(pairs, schoolUnitId, today, now) {
      const week = pairPeriodKey('weekly-record', today);
      const month = pairPeriodKey('monthly-visit', today);
      const idsOf = (p: PairRecord) => ({
        week: pairDutyId(p, 'weekly-record', schoolUnitId, week),
        month: pairDutyId(p, 'monthly-visit', schoolUnitId, month),
      });
      const found =
        pairs.length === 0 ? new Map() : await duties.getMany(pairs.flatMap((p) => Object.values(idsOf(p))));
      const shown = (p: PairRecord, kind: PairDutyKind, id: string) => {
        const d = found.get(id);
        return d === undefined ? null : pairDuty(p.planId, kind, toDutyView(d, now));
      };
      return new Map(
        pairs.map((p) => {
          const ids = idsOf(p);
          return [
            p.planId,
            {
              thisWeek: shown(p, 'weekly-record', ids.week),
              thisMonth: shown(p, 'monthly-visit', ids.month),
            },
          ];
        }),
      );
    },
  };
}
