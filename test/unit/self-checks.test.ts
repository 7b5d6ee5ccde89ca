import { describe, expect, it } from 'vitest';
import type { DutyStatus } from '../../shared/domain/duty/duty-status.js';
import { applyDeltas, contributionOf } from '../../shared/domain/plan/counters.js';
import { createSelfCheckTally } from '../../shared/domain/plan/self-checks.js';
import type { DutyRecord } from '../../shared/schemas/duties.js';

interface SelfCheckTally {
  unitId: string;
  phaseKey: string;
  status: DutyStatus;
  dueAt: string;
  kind?: DutyRecord['kind'] | undefined;
}

/**
 * Feeds duties to the tally the way the plan view does: their counter cells, and those open and
 * past due at `now` as the open-by-due index lists them.
 */
function add(t: ReturnType<typeof createSelfCheckTally>, duties: SelfCheckTally[], now = NOW) {
  const counted = duties.map((d) => ({
    ...d,
    kind: d.kind ?? 'task',
    returns: 0,
    submission: null,
    acceptedAt: null,
  }));
  const cells = applyDeltas(new Map(), counted.map(contributionOf));
  for (const [key, cell] of cells) {
    const late = counted
      .filter(
        (d) => `${d.unitId}\u0000${d.phaseKey}` === key && d.status === 'open' && d.dueAt < now.toISOString(),
      )
      .filter((d) => d.kind === 'self-check')
      .map((d) => d.dueAt);
    t.addCell(cell, late);
  }
}

const NOW = new Date('2025-09-22T02:00:00.000Z');
const DUE = '2025-09-19T15:59:59.999Z';
const PHASES = [
  { key: 'mobilize', name: '部署发动阶段' },
  { key: 'self-check', name: '自查补短阶段' },
];
const NAMES = new Map([
  ['town', '城关镇'],
  ['village', '东街村'],
  ['school', '城关小学'],
]);

const d = (
  unitId: string,
  status: SelfCheckTally['status'],
  extra: Partial<SelfCheckTally> = {},
): SelfCheckTally => ({
  unitId,
  phaseKey: 'self-check',
  status,
  dueAt: DUE,
  kind: 'self-check',
  ...extra,
});

describe('who has filed the self-check report', () => {
  it('reads only self-check duties, and lists only phases that have them', () => {
    const t = createSelfCheckTally();
    add(t, [
      d('town', 'accepted'),
      d('school', 'open', { kind: 'task' }),
      d('village', 'open', { kind: undefined }),
    ]);
    const phases = t.finish(PHASES, NAMES, NOW);
    expect(phases.map((p) => p.phaseKey)).toEqual(['self-check']);
    expect(phases[0]?.units.map((u) => u.unitId)).toEqual(['town']);
  });

  it('has a unit filed only when none of its self-check duties in the phase is open', () => {
    const t = createSelfCheckTally();
    add(t, [
      d('town', 'accepted'),
      d('town', 'submitted'),
      d('village', 'accepted'),
      d('village', 'open', { dueAt: '2025-09-30T15:59:59.999Z' }),
      d('school', 'open'),
    ]);
    const [phase] = t.finish(PHASES, NAMES, NOW);
    expect(phase?.units.map((u) => [u.unitId, u.state, u.overdue, u.dueAt])).toEqual([
      ['school', 'not-filed', true, DUE],
      ['village', 'not-filed', false, '2025-09-30T15:59:59.999Z'],
      ['town', 'submitted', false, DUE],
    ]);
    expect(phase).toMatchObject({ filed: 1, accepted: 0, submitted: 1, notFiled: 2, overdue: 1 });
  });

  it('is not overdue at the exact due instant', () => {
    const t = createSelfCheckTally();
    add(t, [d('school', 'open')], new Date(DUE));
    expect(t.finish(PHASES, NAMES, new Date(DUE))[0]?.units[0]?.overdue).toBe(false);
  });

  it('keeps the plan’s phase order, unknown phases after, and falls back to ids for unknown names', () => {
    const t = createSelfCheckTally();
    add(t, [d('ghost', 'open', { phaseKey: 'zzz' }), d('town', 'open', { phaseKey: 'mobilize' })]);
    expect(t.unitIds().sort()).toEqual(['ghost', 'town']);
    const phases = t.finish(PHASES, NAMES, NOW);
    expect(phases.map((p) => [p.phaseKey, p.phaseName])).toEqual([
      ['mobilize', '部署发动阶段'],
      ['zzz', 'zzz'],
    ]);
    expect(phases[1]?.units[0]?.unitName).toBe('ghost');
  });
});
