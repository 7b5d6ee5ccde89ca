import { describe, expect, it } from 'vitest';
import { ClosePhaseSchema } from '../../shared/schemas/findings.js';

const fieldsOf = (body: unknown) => {
  const result = ClosePhaseSchema.safeParse(body);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('closing a phase with open duties named', () => {
  it('takes duty ids', () => {
    expect(fieldsOf({ override: { reason: '国检提前', openDutyIds: ['duty-01abc', 'duty-02def'] } })).toEqual(
      [],
    );
  });

  it('refuses anything that is not a duty id, naming the item', () => {
    expect(
      fieldsOf({ override: { reason: '国检提前', openDutyIds: ['duty-01abc', 'x'.repeat(65)] } }),
    ).toEqual(['override.openDutyIds.1']);
    expect(fieldsOf({ override: { reason: '国检提前', openDutyIds: ['<script>'] } })).toEqual([
      'override.openDutyIds.0',
    ]);
  });

  it('refuses a list too long to keep on the plan', () => {
    const ids = Array.from({ length: 1001 }, (_, i) => `duty-${i}`);
    expect(fieldsOf({ override: { reason: '国检提前', openDutyIds: ids } })).toEqual([
      'override.openDutyIds',
    ]);
    expect(fieldsOf({ override: { reason: '国检提前', openDutyIds: ids.slice(0, 1000) } })).toEqual([]);
  });
});
