import type { DutyRecord } from '../../schemas/duties.js';
import type { DutyStatus } from '../duty/duty-status.js';

/** What a report needs of a duty; everything else it stores is left unread. */
export interface DutyFact {
  id: string;
  taskId: string;
  unitId: string;
  phaseKey: string;
  title: string;
  /** `report` duties are the periodic reports of the zero-report rule. */
  kind: DutyRecord['kind'];
  status: DutyStatus;
  /** The current round's due time. */
  dueAt: string;
  round: number;
  returns: number;
  reviews: readonly {
    decision: 'accepted' | 'returned';
    round: number;
    at: string;
    newDueAt: string | null;
  }[];
  /** The latest submission's time: the current round's, or, on a returned duty, the round before's. */
  submittedAt: string | null;
  acceptedAt: string | null;
  createdAt: string;
}

/** A duty as it stood at a cut-off. */
export interface DutyAt {
  status: DutyStatus;
  round: number;
  /** The due time of the round it was in. */
  dueAt: string;
  /** When that round was submitted, if it was by the cut-off (null if not, or not known). */
  submittedAt: string | null;
  returns: number;
  /**
   * False when the duty's record no longer says exactly: a return after the cut-off replaced the
   * round's submission time, or (for the first round) its due time. See `dutyAt`.
   */
  exact: boolean;
}

/**
 * Replays a duty back to `asOf` (an ISO instant) from what it records: created, returned for
 * rework (each return's time and new deadline), submitted, accepted. A report made at its cut-off
 * (the schedule) reads duties as they are; one made later for an earlier cut-off sees each duty as
 * it was then. Undefined if the duty did not exist yet.
 *
 * Two things a duty does not keep: the submission of a round that was later returned (a
 * resubmission replaces it) and the first round's due time once a return set a new one. When a
 * return after the cut-off hid them, the round counts as submitted (it was, before the office
 * returned it) and the current due time stands in for the first one; `exact` is then false.
 */
export function dutyAt(d: DutyFact, asOf: string): DutyAt | undefined {
  // ISO-8601 UTC instants compare as strings.
  if (d.createdAt > asOf) return undefined;
  const returned = d.reviews.filter((r) => r.decision === 'returned' && r.at <= asOf);
  const returns = returned.length;
  if (d.status === 'accepted' && d.acceptedAt !== null && d.acceptedAt <= asOf) {
    // Accepted is final: the round, due time and submission on record are the accepted round's.
    return {
      status: 'accepted',
      round: d.round,
      dueAt: d.dueAt,
      submittedAt: d.submittedAt ?? d.acceptedAt,
      returns,
      exact: true,
    };
  }
  const round = Math.min(1 + returns, d.round);
  let dueKnown = true;
  let dueAt = d.dueAt;
  if (round < d.round) {
    const last = returned.at(-1);
    if (last?.newDueAt) dueAt = last.newDueAt;
    else dueKnown = false;
  }
  // The stored submission belongs to the current round unless the duty was returned after it.
  const submissionRound = d.submittedAt === null ? 0 : d.status === 'open' ? d.round - 1 : d.round;
  let submittedAt: string | null = null;
  let status: DutyStatus = 'open';
  let exact = true;
  if (round === submissionRound && d.submittedAt !== null && d.submittedAt <= asOf) {
    submittedAt = d.submittedAt;
    status = 'submitted';
  } else if (round < submissionRound) {
    status = 'submitted';
    exact = false;
  }
  // The due time matters to an open duty (overdue or not) and to a periodic report (due or not).
  if (!dueKnown && (status === 'open' || d.kind === 'report')) exact = false;
  return { status, round, dueAt, submittedAt, returns, exact };
}
