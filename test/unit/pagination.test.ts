import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../../shared/db/pagination.js';
import { ValidationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { SLUG_PATTERN } from '../../shared/schemas/common.js';

const expectShape = {
  attributes: ['pk', 'sk', 'gsi1pk', 'gsi1sk'],
  partition: { gsi1pk: 'UNIT#a' },
} as const;

describe('cursors', () => {
  it('round-trips a key', () => {
    const key = { pk: 'DUTY#1', sk: 'DUTY', gsi1pk: 'UNIT#a', gsi1sk: 'PLAN#p#STATUS#open#x' };
    expect(decodeCursor(encodeCursor(key) ?? undefined, expectShape)).toEqual(key);
    expect(encodeCursor(undefined)).toBeNull();
    expect(decodeCursor(undefined, expectShape)).toBeUndefined();
  });

  it.each([
    ['not base64 json', 'zzz'],
    ['an array', Buffer.from('[1]').toString('base64url')],
    ['another partition', encodeCursor({ pk: 'x', sk: 'y', gsi1pk: 'UNIT#b', gsi1sk: 'z' }) ?? ''],
    [
      'an extra attribute',
      encodeCursor({ pk: 'x', sk: 'y', gsi1pk: 'UNIT#a', gsi1sk: 'z', other: 'q' }) ?? '',
    ],
    ['a number value', encodeCursor({ pk: 1, sk: 'y', gsi1pk: 'UNIT#a', gsi1sk: 'z' }) ?? ''],
    ['an empty key value', encodeCursor({ pk: 'x', sk: '', gsi1pk: 'UNIT#a', gsi1sk: 'z' }) ?? ''],
    ['empty key values', encodeCursor({ pk: '', sk: '', gsi1pk: 'UNIT#a', gsi1sk: '' }) ?? ''],
  ])('refuses %s as a 400 on the cursor field', (_name, cursor) => {
    try {
      decodeCursor(cursor, expectShape);
      expect.unreachable('decodeCursor accepted a bad cursor');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).details).toEqual({
        fields: [{ field: 'cursor', message: expect.any(String) }],
      });
    }
  });
});

describe('ids', () => {
  it('are valid slugs that sort by creation time', () => {
    const a = newId('duty', new Date('2026-05-01T00:00:00Z'));
    const b = newId('duty', new Date('2026-05-01T00:00:01Z'));
    expect(a).toMatch(SLUG_PATTERN);
    expect(a < b).toBe(true);
    expect(newId('x')).not.toBe(newId('x'));
  });
});
