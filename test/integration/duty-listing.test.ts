import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dutyRepository } from '../../shared/db/duty-repository.js';
import { dutyItem } from '../../shared/db/plan-repository.js';
import type { Duty } from '../../shared/schemas/duties.js';
import type { Plan } from '../../shared/schemas/plans.js';
import type { Task } from '../../shared/schemas/tasks.js';
import { testApp } from '../fixtures/app.js';

type TaskWithDuties = Task & { duties: Duty[] };

/** DynamoDB stops a Query page at 1 MB: four of these fill more than one page. */
const PADDING = 'x'.repeat(300_000);

describe('a task’s duties', () => {
  it('are all found when the unit has more duties in the plan than one page holds', async () => {
    const api = await testApp({ now: new Date('2026-05-16T02:00:00Z') });
    expect(
      (await api.call('POST', '/v1/units', { body: { id: 'school', name: '实验小学', kind: 'school' } }))
        .status,
    ).toBe(201);
    const plan = (
      await api.call<Plan>('POST', '/v1/plans', {
        body: {
          title: '迎国检',
          phases: [{ key: 'work', name: '自查补短', start: '2026-05-01', end: '2026-07-31' }],
        },
      })
    ).body;
    const create = async (dueAt: string) => {
      const res = await api.call<TaskWithDuties>('POST', `/v1/plans/${plan.id}/tasks`, {
        body: { title: '整理档案', phaseKey: 'work', leadUnitId: 'school', dueAt },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    const wanted = await create('2026-06-01T17:00:00+08:00');
    const ref = { doc: api.doc, tableName: api.table.tableName };
    const first = wanted.duties[0] as Duty;
    const stored = (await dutyRepository(ref).get(first.id)) ?? expect.fail('duty not stored');
    // More duties of the same task for the same unit (as a recurring task's occurrences are), large
    // ones, so that they fill more than one page of the unit's listing.
    const ids = [first.id];
    for (let i = 2; i <= 6; i++) {
      const more = {
        ...stored,
        id: `${first.id}-o${i}`,
        occurrenceKey: `2026-W2${i}`,
        dueAt: `2026-06-0${i}T09:00:00.000Z`,
      };
      ids.push(more.id);
      await api.doc.send(
        new PutCommand({ TableName: api.table.tableName, Item: { ...dutyItem(more), padding: PADDING } }),
      );
    }

    const found = await dutyRepository(ref).listByTask(
      { id: wanted.id, planId: plan.id, leadUnitId: 'school', coUnitIds: [] },
      { limit: 10 },
    );
    expect(found.map((d) => d.id)).toEqual(ids);
  });
});
