import { describe, expect, it } from 'vitest';
import {
  dutyIndexKeys,
  type SignOffInput,
  signOffKeys,
  signOffOfficePk,
  signOffPk,
  signOffQueries,
  signOffSkPrefix,
} from '../../shared/db/keys.js';
import type { DutyStatus } from '../../shared/domain/duty/duty-status.js';

/** bureau → county-town → town → village, and a sibling whose id begins like another's. */
const PARENT: Record<string, string | null> = {
  bureau: null,
  'county-town': 'bureau',
  town: 'county-town',
  village: 'town',
  'town-2': 'county-town',
  'village-2': 'town-2',
};
const UNITS = Object.keys(PARENT);

function ancestors(unitId: string, levels: number): string[] {
  const chain: string[] = [];
  let current = PARENT[unitId] ?? null;
  while (current !== null && chain.length < levels) {
    chain.push(current);
    current = PARENT[current] ?? null;
  }
  return chain;
}

const duty = (over: Partial<SignOffInput> = {}): SignOffInput => ({
  id: 'duty-1',
  status: 'submitted',
  awaitingConfirmationFrom: null,
  confirmations: [],
  submission: { submittedAt: '2025-09-01T02:00:00.000Z' },
  ...over,
});

/** What a unit's queue reads of one duty: whether a Query of its own names the duty's keys. */
function seenBy(unitId: string, keys: { gsi3pk: string; gsi3sk: string } | null) {
  const q = signOffQueries(unitId, ancestors(unitId, 2));
  return {
    waiting: keys !== null && keys.gsi3pk === q.waiting.pk,
    passedOn:
      keys !== null && q.passedOn.some((p) => p.pk === keys.gsi3pk && keys.gsi3sk.startsWith(p.prefix)),
  };
}

describe('sign-off keys (D6)', () => {
  it('places a chain duty with whoever confirms next, the confirmers top-down before the submission time', () => {
    expect(signOffKeys(duty({ awaitingConfirmationFrom: 'town' }))).toEqual({
      gsi3pk: 'SIGNOFF#town',
      gsi3sk: '@2025-09-01T02:00:00.000Z#duty-1',
    });
    const confirmations = [{ unitId: 'town' }, { unitId: 'county-town' }];
    expect(signOffKeys(duty({ confirmations, awaitingConfirmationFrom: 'bureau' }))).toEqual({
      gsi3pk: 'SIGNOFF#bureau',
      gsi3sk: 'county-town#town#@2025-09-01T02:00:00.000Z#duty-1',
    });
    // Waiting for the office: in the partition of the chain's top confirmer.
    expect(signOffKeys(duty({ confirmations }))).toEqual({
      gsi3pk: 'SIGNOFF#county-town#@office',
      gsi3sk: 'county-town#town#@2025-09-01T02:00:00.000Z#duty-1',
    });
  });

  it('leaves out every duty that is not submitted in a chain, and a duty stored before chains', () => {
    for (const status of ['open', 'accepted'] as DutyStatus[]) {
      expect(signOffKeys(duty({ status, awaitingConfirmationFrom: 'town' }))).toBeNull();
    }
    expect(signOffKeys(duty())).toBeNull();
    expect(signOffKeys({ id: 'old', status: 'submitted' })).toBeNull();
  });

  it('keeps the open-by-due keys for an open duty and the sign-off keys for a submitted one', () => {
    const base = {
      id: 'd',
      planId: 'p',
      unitId: 'village',
      dueAt: '2025-09-20T15:59:59.999Z',
      nextActionAt: null,
    };
    expect(dutyIndexKeys({ ...base, status: 'open', awaitingConfirmationFrom: 'town' })).toMatchObject({
      gsi3pk: 'OPEN#p',
    });
    expect(
      dutyIndexKeys({ ...base, status: 'submitted', awaitingConfirmationFrom: 'town', submission: null }),
    ).toMatchObject({ gsi3pk: signOffPk('town') });
    expect(dutyIndexKeys({ ...base, status: 'submitted' })).not.toHaveProperty('gsi3pk');
  });

  it('ends each id of a prefix with #, so one unit’s path never matches another’s that begins alike', () => {
    expect(signOffSkPrefix(['town'])).toBe('town#');
    expect('town-2#@2025#d'.startsWith(signOffSkPrefix(['town']))).toBe(false);
    expect(signOffOfficePk('town')).not.toBe(signOffOfficePk('town-2'));
  });

  it('asks one partition for what waits, and one per level above (the office’s by each top) for what was passed on', () => {
    expect(signOffQueries('village', ['town', 'county-town'])).toEqual({
      waiting: { pk: 'SIGNOFF#village' },
      passedOn: [
        { pk: 'SIGNOFF#town', prefix: 'village#' },
        { pk: 'SIGNOFF#county-town', prefix: 'town#village#' },
        { pk: 'SIGNOFF#village#@office', prefix: 'village#' },
        { pk: 'SIGNOFF#town#@office', prefix: 'town#village#' },
        { pk: 'SIGNOFF#county-town#@office', prefix: 'county-town#town#village#' },
      ],
    });
    expect(signOffQueries('bureau', []).passedOn).toEqual([
      { pk: 'SIGNOFF#bureau#@office', prefix: 'bureau#' },
    ]);
  });

  it('shows every step of every chain to exactly the unit it waits for and the units that confirmed it', () => {
    for (const owner of UNITS) {
      for (let levels = 1; levels <= 3; levels++) {
        const chain = ancestors(owner, levels);
        if (chain.length === 0) continue;
        // Step k: the first k of the chain have confirmed; the (k+1)th or, after all, the office is next.
        for (let k = 0; k <= chain.length; k++) {
          const keys = signOffKeys(
            duty({
              confirmations: chain.slice(0, k).map((unitId) => ({ unitId })),
              awaitingConfirmationFrom: chain[k] ?? null,
            }),
          );
          for (const unit of UNITS) {
            const where = `${owner} levels=${levels} step=${k} seen by ${unit}`;
            expect(seenBy(unit, keys), where).toEqual({
              waiting: chain[k] === unit,
              passedOn: chain.slice(0, k).includes(unit),
            });
          }
        }
      }
    }
  });
});
