import { endOfLocalDay } from '../time/zoned-time.js';
import { type Phase, phaseState } from './phases.js';

export interface PhaseClosure {
  closedAt: string;
  closedBy: string;
  /** Closed with work still open: the office named the open duties and why. */
  override: { reason: string; openDutyIds: string[] } | null;
}

export type PhaseGateState = 'upcoming' | 'active' | 'closed-on-time' | 'closed-late' | 'overdue';

export const PHASE_GATE_LABELS: Record<PhaseGateState, string> = {
  upcoming: '未开始',
  active: '进行中',
  'closed-on-time': '按期完成',
  'closed-late': '逾期完成',
  overdue: '逾期未完成',
};

/**
 * Where a phase stands: not started, running, closed (in its window or after it), or overdue —
 * its window has passed and it has not been closed.
 */
export function phaseGateState(
  phase: Phase,
  closure: PhaseClosure | undefined,
  now: Date,
  timeZone: string,
): PhaseGateState {
  if (closure !== undefined) {
    if (phase.end === undefined) return 'closed-on-time';
    return Date.parse(closure.closedAt) <= endOfLocalDay(phase.end, timeZone).getTime()
      ? 'closed-on-time'
      : 'closed-late';
  }
  const state = phaseState(phase, now, timeZone);
  return state === 'ended' ? 'overdue' : state;
}

/** The open duties named in an override must be exactly the ones open now. */
export function overrideMatches(named: readonly string[], open: readonly string[]): boolean {
  const a = new Set(named);
  return a.size === open.length && open.every((id) => a.has(id));
}
