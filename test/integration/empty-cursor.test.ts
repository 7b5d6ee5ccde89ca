/**
 * A cursor whose key attributes are empty strings: DynamoDB refuses an empty key value, which once
 * came back as a 500. It is a 400 on the cursor field, like any other cursor that is not ours.
 */
import { describe, expect, it } from 'vitest';
import { encodeCursor } from '../../shared/db/pagination.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { testApp } from '../fixtures/app.js';

describe('an empty-key cursor', () => {
  it('is a 400 naming the cursor, not a 500', async () => {
    const api = await testApp();
    const plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: { title: '方案', phases: [{ key: 'work', name: '整改', start: '2026-05-01' }] },
      })
    ).body;
    const cursor = encodeCursor({ pk: '', sk: '', gsi2pk: `PLAN#${plan.id}#DUTIES`, gsi2sk: '' }) ?? '';
    const res = await api.call<{ error: { code: string; details: { fields: { field: string }[] } } }>(
      'GET',
      `/v1/plans/${plan.id}/duties?cursor=${cursor}`,
    );
    expect(res.status, res.text).toBe(400);
    expect(res.body.error.details.fields.map((f) => f.field)).toEqual(['cursor']);
  });
});
