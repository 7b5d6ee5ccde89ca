import type { DutyRecord } from '../../schemas/duties.js';
import type { DutyStatus } from '../duty/duty-status.js';
import type { Receipt } from '../duty/receipt.js';

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
  /**
   * Approved extensions (延期): each starts a new round with a new due time but records no review,
   * so rounds are not 1 + returns. Absent (0) on facts that do not say.
   */
  extensions?: number;
  /** When the current round started (assignment, a return or an approved extension). */
  roundStartedAt?: string;
  /** The current 签收 (the plan requires it), for who had not signed by the cut-off and how fast. */
  receipt?: Receipt | null;
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
  const allReturned = d.reviews.filter((r) => r.decision === 'returned');
  const returned = allReturned.filter((r) => r.at <= asOf);
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
  // Rounds are counted here by the returns before them ("segments"), not by round number: an
  // approved extension starts a round too, without a review to place it in time.
  const extensions = d.extensions ?? 0;
  const last = returned.at(-1);
  const lastReturn = allReturned.at(-1);
  // The current round began with an extension (not with the last return) after the cut-off.
  const extendedAfter =
    d.roundStartedAt !== undefined &&
    d.roundStartedAt > asOf &&
    extensions > 0 &&
    (lastReturn === undefined || lastReturn.at < d.roundStartedAt);
  const inCurrentRound =
    returns === allReturned.length && (d.roundStartedAt === undefined || d.roundStartedAt <= asOf);
  let round = d.round;
  let dueAt = d.dueAt;
  let dueKnown = true;
  if (!inCurrentRound) {
    round = last === undefined ? 1 : last.round + 1;
    if (last?.newDueAt) dueAt = last.newDueAt;
    // The round's due time is the last return's deadline, unless an extension whose time the duty
    // does not keep moved it; the first round's is not kept once a return or extension replaced it.
    dueKnown = last?.newDueAt != null && extensions - (extendedAfter ? 1 : 0) === 0;
  }
  // The stored submission is the current round's, or, on an open duty, the one its last return sent back.
  const submissionSegment =
    d.submittedAt === null ? -1 : d.status === 'open' ? allReturned.length - 1 : allReturned.length;
  let submittedAt: string | null = null;
  let status: DutyStatus = 'open';
  let exact = true;
  if (returns === submissionSegment && d.submittedAt !== null && d.submittedAt <= asOf) {
    submittedAt = d.submittedAt;
    status = 'submitted';
  } else if (returns < submissionSegment) {
    status = 'submitted';
    exact = false;
  }
  // The due time matters to an open duty (overdue or not) and to a periodic report (due or not).
  if (!dueKnown && (status === 'open' || d.kind === 'report')) exact = false;
  return { status, round, dueAt, submittedAt, returns, exact };
}
