import { describe, expect, it } from 'vitest';
import { parseSweepEvent } from '../../functions/sweep/sweep.js';

describe('the sweep event', () => {
  it('sweeps every plan only when the event says so', () => {
    expect(parseSweepEvent({ allPlans: true })).toEqual({});
  });

  it('sweeps one plan when it names one', () => {
    expect(parseSweepEvent({ planId: 'plan-1' })).toEqual({ planId: 'plan-1' });
  });

  it.each([
    ['no event', undefined],
    ['null', null],
    ['an empty object', {}],
    ['a misspelt plan id', { planID: 'plan-1' }],
    ['a plan id that is not a string', { planId: 42 }],
    ['an empty plan id', { planId: '' }],
    ['both a plan and all plans', { planId: 'plan-1', allPlans: true }],
    ['allPlans false', { allPlans: false }],
    ['a string', 'all'],
  ])('refuses %s instead of sweeping every plan', (_name, event) => {
    expect(() => parseSweepEvent(event)).toThrow(/Invalid sweep event/);
  });
});
