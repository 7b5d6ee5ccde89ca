import { describe, expect, it } from 'vitest';
import { addToProgress, emptyProgress, type Tally } from '../../shared/domain/plan/progress.js';

const due = '2026-05-20T15:59:59.999Z';
const d = (unitId: string, phaseKey: string, status: Tally['status'], dueAt = due): Tally => ({
  unitId,
  phaseKey,
  status,
  dueAt,
});

describe('plan progress', () => {
  it('lists every phase even with no duties', () => {
    const p = emptyProgress(['a', 'b']);
    expect(Object.keys(p.byPhase)).toEqual(['a', 'b']);
    expect(p.all.total).toBe(0);
  });

  it('counts by status overall, per phase and per unit, across batches', () => {
    const p = emptyProgress(['mobilize', 'self-check']);
    const now = new Date('2026-05-21T00:00:00Z');
    addToProgress(p, [d('x', 'mobilize', 'open'), d('x', 'mobilize', 'submitted')], now);
    addToProgress(
      p,
      [d('y', 'self-check', 'accepted'), d('y', 'self-check', 'open', '2026-06-01T00:00:00Z')],
      now,
    );
    expect(p.all).toEqual({ open: 2, submitted: 1, accepted: 1, overdue: 1, total: 4 });
    expect(p.byPhase.mobilize).toEqual({ open: 1, submitted: 1, accepted: 0, overdue: 1, total: 2 });
    expect(p.byUnit.y).toEqual({ open: 1, submitted: 0, accepted: 1, overdue: 0, total: 2 });
  });

  it('is not overdue at the exact due instant, and is one millisecond later', () => {
    const at = emptyProgress([]);
    addToProgress(at, [d('x', 'p', 'open')], new Date(due));
    expect(at.all.overdue).toBe(0);
    const after = emptyProgress([]);
    addToProgress(after, [d('x', 'p', 'open')], new Date(Date.parse(due) + 1));
    expect(after.all.overdue).toBe(1);
  });

  it('never counts a submitted duty as overdue', () => {
    const p = emptyProgress([]);
    addToProgress(p, [d('x', 'p', 'submitted', '2020-01-01T00:00:00Z')], new Date('2026-01-01T00:00:00Z'));
    expect(p.all.overdue).toBe(0);
  });
});
