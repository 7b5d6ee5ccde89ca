import { describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { type Action, decide } from '../../shared/domain/access/policy.js';

const office: Principal = { sub: 'o', role: 'office' };
const leader: Principal = { sub: 'l', role: 'leader' };
const unit: Principal = { sub: 'u', role: 'unit', unitId: 'edu-bureau' };

const ACTIONS: Action[] = [
  'unit.create',
  'unit.read',
  'plan.create',
  'plan.read',
  'task.create',
  'task.read',
  'duty.read',
  'duty.submit',
];

describe('access policy', () => {
  it('lets the office do everything', () => {
    for (const action of ACTIONS) expect(decide(office, action, 'any-unit').allowed).toBe(true);
  });

  it('lets a leader read everything and write nothing', () => {
    const allowed = ACTIONS.filter((a) => decide(leader, a, 'edu-bureau').allowed);
    expect(allowed).toEqual(['unit.read', 'plan.read', 'task.read', 'duty.read']);
  });

  it('lets a unit read the directory, plans and tasks, and only its own duties', () => {
    expect(decide(unit, 'unit.read').allowed).toBe(true);
    expect(decide(unit, 'plan.read').allowed).toBe(true);
    expect(decide(unit, 'task.read').allowed).toBe(true);
    expect(decide(unit, 'duty.read', 'edu-bureau').allowed).toBe(true);
    expect(decide(unit, 'duty.submit', 'edu-bureau').allowed).toBe(true);
    expect(decide(unit, 'duty.read', 'police').allowed).toBe(false);
    expect(decide(unit, 'duty.submit', 'police').allowed).toBe(false);
    // No owner named means no way to show it is the unit's own.
    expect(decide(unit, 'duty.read').allowed).toBe(false);
  });

  it('refuses units every office action, with a Chinese reason', () => {
    for (const action of ['unit.create', 'plan.create', 'task.create'] as const) {
      const d = decide(unit, action);
      expect(d).toEqual({ allowed: false, message: expect.stringMatching(/办公室/) });
    }
  });
});
