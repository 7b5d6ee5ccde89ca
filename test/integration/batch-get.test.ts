import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { planItem, planRepository } from '../../shared/db/plan-repository.js';
import { DEFAULT_ESCALATION_POLICY } from '../../shared/domain/escalation/ladder.js';
import type { Plan } from '../../shared/schemas/plans.js';
import { freshTable } from '../fixtures/dynamo.js';

const plan = (i: number): Plan => ({
  id: `plan-${String(i).padStart(3, '0')}`,
  title: `方案${i}`,
  timezone: 'Asia/Shanghai',
  phases: [{ key: 'work', name: '整改', start: '2025-09-01' }],
  escalation: DEFAULT_ESCALATION_POLICY,
  phaseClosures: {},
  createdAt: '2025-09-01T00:00:00.000Z',
  createdBy: 'test',
  version: 1,
});

/**
 * The shared BatchGetItem reader on the real engine: more ids than one call takes (100), some
 * repeated (BatchGetItem refuses a request that names a key twice), some missing. The retry of
 * unprocessed keys, which DynamoDB Local never returns on demand, is in faults.test.ts.
 */
describe('reading many items by id in batches', () => {
  it('reads the 120 stored of 250 asked-for plans in three calls, repeats read once, missing ones left out', async () => {
    const table = await freshTable();
    const items = Array.from({ length: 120 }, (_, i) => planItem(plan(i)));
    const chunks = Array.from({ length: items.length / 24 }, (_, i) => items.slice(i * 24, i * 24 + 24));
    for (const chunk of chunks) {
      await table.doc.send(
        new BatchWriteCommand({
          RequestItems: {
            [table.tableName]: chunk.map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
    const calls: string[] = [];
    table.client.middlewareStack.add(
      (next, context) => async (args) => {
        calls.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'countBatchGets' },
    );
    const ids = [
      ...Array.from({ length: 250 }, (_, i) => plan(i).id),
      plan(0).id,
      plan(119).id,
      plan(249).id,
    ];
    const found = await planRepository({ doc: table.doc, tableName: table.tableName }).getMany(ids);
    expect(found.size).toBe(120);
    expect(found.get(plan(119).id)?.title).toBe('方案119');
    expect(found.has(plan(120).id)).toBe(false);
    expect(calls).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand', 'BatchGetItemCommand']);
  });
});
