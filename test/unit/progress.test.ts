import { describe, expect, it } from 'vitest';
import type { DutyStatus } from '../../shared/domain/duty/duty-status.js';
import { applyDeltas, contributionOf } from '../../shared/domain/plan/counters.js';
import { emptyProgress, progressFromCounts } from '../../shared/domain/plan/progress.js';

const due = '2026-05-20T15:59:59.999Z';
interface D {
  unitId: string;
  phaseKey: string;
  status: DutyStatus;
  dueAt: string;
}
const d = (unitId: string, phaseKey: string, status: DutyStatus, dueAt = due): D => ({
  unitId,
  phaseKey,
  status,
  dueAt,
});

/** Progress as the plan view builds it: the duties' counter cells plus those open and past due. */
function progressOf(phaseKeys: string[], duties: D[], now: Date) {
  const cells = applyDeltas(
    new Map(),
    duties.map((x) => contributionOf({ ...x, kind: 'task', returns: 0, submission: null, acceptedAt: null })),
  );
  const late = duties.filter((x) => x.status === 'open' && x.dueAt < now.toISOString());
  return progressFromCounts(phaseKeys, cells.values(), late);
}

describe('plan progress', () => {
  it('lists every phase even with no duties', () => {
    const p = emptyProgress(['a', 'b']);
    expect(Object.keys(p.byPhase)).toEqual(['a', 'b']);
    expect(p.all.total).toBe(0);
  });

  it('counts by status overall, per phase and per unit', () => {
    const now = new Date('2026-05-21T00:00:00Z');
    const p = progressOf(
      ['mobilize', 'self-check'],
      [
        d('x', 'mobilize', 'open'),
        d('x', 'mobilize', 'submitted'),
        d('y', 'self-check', 'accepted'),
        d('y', 'self-check', 'open', '2026-06-01T00:00:00Z'),
      ],
      now,
    );
    expect(p.all).toEqual({ open: 2, submitted: 1, accepted: 1, overdue: 1, total: 4 });
    expect(p.byPhase.mobilize).toEqual({ open: 1, submitted: 1, accepted: 0, overdue: 1, total: 2 });
    expect(p.byUnit.y).toEqual({ open: 1, submitted: 0, accepted: 1, overdue: 0, total: 2 });
  });

  it('is not overdue at the exact due instant, and is one millisecond later', () => {
    expect(progressOf([], [d('x', 'p', 'open')], new Date(due)).all.overdue).toBe(0);
    expect(progressOf([], [d('x', 'p', 'open')], new Date(Date.parse(due) + 1)).all.overdue).toBe(1);
  });

  it('never counts more overdue in a cell than it has open (the due-time index may lag a submit)', () => {
    const cells = applyDeltas(new Map(), [
      contributionOf({
        ...d('x', 'p', 'submitted', '2020-01-01T00:00:00Z'),
        kind: 'task',
        returns: 0,
        submission: null,
        acceptedAt: null,
      }),
    ]);
    const stillListed = [d('x', 'p', 'open', '2020-01-01T00:00:00Z')];
    const p = progressFromCounts([], cells.values(), stillListed);
    expect(p.all).toEqual({ open: 0, submitted: 1, accepted: 0, overdue: 0, total: 1 });
  });

  it('leaves out a cell whose duties add up to none', () => {
    const cells = applyDeltas(new Map(), [{ unitId: 'x', phaseKey: 'p', add: {} }]);
    expect(progressFromCounts(['p'], cells.values(), []).byUnit).toEqual({});
  });
});
