/**
 * Faults a real DynamoDB Local will not produce on demand (throttling, partial batches, an
 * unexpected exception), injected with aws-sdk-client-mock at the document client.
 */
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../functions/http/app.js';
import { hs256Verifier, issueHs256Token } from '../../shared/auth/tokens.js';
import { createDocumentClient } from '../../shared/db/client.js';
import { unitKey } from '../../shared/db/keys.js';
import { unitRepository } from '../../shared/db/unit-repository.js';
import { createServices } from '../../shared/services/index.js';
import { OFFICE, TEST_SECRET } from '../fixtures/app.js';
import { testEvidence } from '../fixtures/evidence.js';

const TABLE = 'faults';
const unitItem = (id: string) => ({
  ...unitKey(id),
  id,
  name: `单位${id}`,
  kind: 'other',
  parentId: null,
  active: true,
  createdAt: '2026-05-01T00:00:00.000Z',
  createdBy: 'office-1',
  version: 1,
});

function appOn(doc: ReturnType<typeof createDocumentClient>) {
  const logged: Record<string, unknown>[] = [];
  const clock = () => new Date('2026-05-16T02:00:00Z');
  const app = createApp({
    ...createServices({ doc, tableName: TABLE }),
    evidence: testEvidence({ doc, tableName: TABLE }, { clock }).service,
    verifyToken: hs256Verifier(TEST_SECRET),
    clock,
    logError: (e) => logged.push(e),
  });
  return { app, logged };
}

describe('storage faults', () => {
  it('answers 503 "retry later" when the table stays throttled', async () => {
    const doc = createDocumentClient({ region: 'us-east-1' });
    const mock = mockClient(doc);
    mock
      .on(GetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} }));
    const { app, logged } = appOn(doc);
    const token = await issueHs256Token(TEST_SECRET, OFFICE);
    const res = await app.request('/v1/duties/duty-1', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: 'unavailable', message: expect.stringMatching(/稍后重试/) },
    });
    expect(logged).toEqual([]);
    mock.restore();
  });

  it('answers an unexpected error with a generic 500, logging it but never leaking it', async () => {
    const doc = createDocumentClient({ region: 'us-east-1' });
    const mock = mockClient(doc);
    mock.on(GetCommand).rejects(new Error('socket hang up at 10.1.2.3 table arn:secret'));
    const { app, logged } = appOn(doc);
    const token = await issueHs256Token(TEST_SECRET, OFFICE);
    const res = await app.request('/v1/units/edu-bureau', { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('10.1.2.3');
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: expect.any(String) } });
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged[0])).toContain('socket hang up');
    mock.restore();
  });

  it('asks again for the keys a BatchGet left unprocessed, losing none', async () => {
    const doc = createDocumentClient({ region: 'us-east-1' });
    const mock = mockClient(doc);
    mock
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { [TABLE]: [unitItem('a')] },
        UnprocessedKeys: { [TABLE]: { Keys: [unitKey('b'), unitKey('c')] } },
      })
      .resolvesOnce({
        Responses: { [TABLE]: [unitItem('b')] },
        UnprocessedKeys: { [TABLE]: { Keys: [unitKey('c')] } },
      })
      .resolvesOnce({ Responses: { [TABLE]: [unitItem('c')] } });
    const found = await unitRepository({ doc, tableName: TABLE }).getMany(['a', 'b', 'c']);
    expect([...found.keys()].sort()).toEqual(['a', 'b', 'c']);
    const calls = mock.commandCalls(BatchGetCommand);
    expect(calls).toHaveLength(3);
    expect(calls[2]?.args[0].input.RequestItems?.[TABLE]?.Keys).toEqual([unitKey('c')]);
    mock.restore();
  });
});

describe('sweep faults', () => {
  it('retries throttled notice writes and ladder steps and loses nothing', async () => {
    const { testApp } = await import('../fixtures/app.js');
    const api = await testApp({ now: new Date('2025-09-01T02:00:00Z') });
    await api.call('POST', '/v1/units', { body: { id: 'village', name: '东街村', kind: 'village' } });
    const plan = (
      await api.call<{ id: string }>('POST', '/v1/plans', {
        body: { title: '控辍保学', phases: [{ key: 'work', name: '整改', start: '2025-09-01' }] },
      })
    ).body;
    for (let i = 0; i < 3; i++) {
      await api.call('POST', `/v1/plans/${plan.id}/tasks`, {
        body: {
          title: `任务${i}`,
          phaseKey: 'work',
          leadUnitId: 'village',
          dueAt: '2025-09-26T17:00:00+08:00',
        },
      });
    }

    // The real table behind a client whose notice writes and ladder steps are throttled twice
    // each first (a whole duty's writes are then tried again: each of them is idempotent).
    const doc = createDocumentClient(api.table.client);
    const real = doc.send.bind(doc);
    const mock = mockClient(doc);
    const throttle = new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
    mock.on(PutCommand).callsFake((input) => real(new PutCommand(input)));
    mock
      .on(PutCommand, { Item: { entity: 'Notice' } })
      .rejectsOnce(throttle)
      .rejectsOnce(throttle)
      .callsFake((input) => real(new PutCommand(input)));
    mock
      .on(UpdateCommand)
      .rejectsOnce(throttle)
      .rejectsOnce(throttle)
      .callsFake((input) => real(new UpdateCommand(input)));
    mock.on(QueryCommand).callsFake((input) => real(new QueryCommand(input)));
    mock.on(GetCommand).callsFake((input) => real(new GetCommand(input)));
    mock.on(BatchGetCommand).callsFake((input) => real(new BatchGetCommand(input)));
    const services = createServices({ doc, tableName: api.table.tableName });

    const result = await services.sweeps.sweep(OFFICE, { planId: plan.id }, new Date('2025-10-10T09:00:00Z'));
    expect(result).toMatchObject({ examined: 3, written: 12, failed: 0 });
    const noticePuts = mock.commandCalls(PutCommand).filter((c) => c.args[0].input.Item?.entity === 'Notice');
    expect(noticePuts.length).toBeGreaterThan(12);
    mock.restore();
    const notices = await api.call<{ items: { id: string }[] }>(
      'GET',
      `/v1/notices?planId=${plan.id}&limit=100`,
    );
    expect(notices.body.items).toHaveLength(12);
    const audit = await api.call<{ items: { action: string; after: { noticeId: string } }[] }>(
      'GET',
      `/v1/audit?planId=${plan.id}&limit=100`,
    );
    const escalations = audit.body.items.filter((e) => e.action === 'duty.escalate');
    expect(escalations.map((e) => e.after.noticeId).sort()).toEqual(
      notices.body.items.map((n) => n.id).sort(),
    );
  });
});
