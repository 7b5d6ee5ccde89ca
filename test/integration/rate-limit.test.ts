/**
 * Per-caller request budget on /v1, counted in DynamoDB Local (one conditional UpdateItem per
 * request), with the limiter's own wall clock moved by the test.
 */

import { ThrottlingException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../shared/db/client.js';
import { rateLimiter } from '../../shared/services/rate-limiter.js';
import { LEADER, OFFICE, testApp, unitUser } from '../fixtures/app.js';

interface ErrorBody {
  error: { code: string; message: string; details?: { limit: number; retryAfterSeconds: number } };
}

describe('per-caller rate limit', () => {
  it('answers 429 with Retry-After once a caller spends its budget, and only that caller', async () => {
    let wall = new Date('2026-05-16T02:00:40Z');
    const api = await testApp({ rateLimit: { limit: 3, clock: () => wall } });
    for (let i = 0; i < 3; i++) expect((await api.call('GET', '/v1/units')).status).toBe(200);

    const refused = await api.call<ErrorBody>('GET', '/v1/units');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('20');
    expect(refused.body.error.code).toBe('rate_limited');
    expect(refused.body.error.message).toMatch(/每分钟最多 3 次.*20 秒后重试/);

    // A write refused for the budget writes nothing.
    const create = await api.call('POST', '/v1/units', {
      body: { id: 'late-unit', name: '迟到单位', kind: 'other' },
    });
    expect(create.status).toBe(429);

    // Other callers have budgets of their own.
    expect((await api.call('GET', '/v1/units', { as: LEADER })).status).toBe(200);

    // The next minute starts afresh; the unit refused above was never created.
    wall = new Date('2026-05-16T02:01:00Z');
    const unit = await api.call('GET', '/v1/units/late-unit');
    expect(unit.status).toBe(404);
  });

  it('counts requests the policy refuses, never requests without a valid token, and answers 401 before 429', async () => {
    const wall = new Date('2026-05-16T02:00:00Z');
    const api = await testApp({ rateLimit: { limit: 2, clock: () => wall } });
    const clerk = unitUser('some-unit');
    for (let i = 0; i < 5; i++) expect((await api.call('GET', '/v1/units', { as: null })).status).toBe(401);
    // A token for a unit that does not exist is refused (401, not 429), however often it is sent.
    for (let i = 0; i < 3; i++) expect((await api.call('GET', '/v1/units', { as: clerk })).status).toBe(401);
    // A leader may not create units: the refusal still spends one of its two requests.
    const refused = await api.call('POST', '/v1/units', {
      as: LEADER,
      body: { id: 'by-leader', name: '领导建的单位', kind: 'other' },
    });
    expect(refused.status).toBe(403);
    expect((await api.call('GET', '/v1/units', { as: LEADER })).status).toBe(200);
    expect((await api.call('GET', '/v1/units', { as: LEADER })).status).toBe(429);
    expect((await api.call('GET', '/v1/units', { as: OFFICE })).status).toBe(200);
  });

  it('shares one budget between concurrent requests exactly (conditional counter, no lost updates)', async () => {
    const wall = new Date('2026-05-16T02:00:00Z');
    const api = await testApp({ rateLimit: { limit: 10, clock: () => wall } });
    const statuses = await Promise.all(Array.from({ length: 25 }, () => api.call('GET', '/v1/units')));
    const counts = statuses.reduce<Record<number, number>>((acc, r) => {
      acc[r.status] = (acc[r.status] ?? 0) + 1;
      return acc;
    }, {});
    expect(counts).toEqual({ 200: 10, 429: 15 });
  });

  it('lets the request through when the counter cannot be written (the limiter must not be the outage)', async () => {
    const doc = createDocumentClient({ region: 'us-east-1' });
    const mock = mockClient(doc);
    mock.on(UpdateCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    const failures: unknown[] = [];
    const limiter = rateLimiter(
      { doc, tableName: 'rate' },
      { limit: 1, onStoreError: (e) => failures.push(e) },
    );
    await expect(limiter.take(OFFICE)).resolves.toBeUndefined();
    await expect(limiter.take(OFFICE)).resolves.toBeUndefined();
    expect(failures).toHaveLength(2);
    mock.restore();
  });

  it('documents 429 on every /v1 operation', async () => {
    const api = await testApp();
    const doc = await api.call<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>('GET', '/openapi.json', { as: null });
    const operations = Object.entries(doc.body.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([, item]) => Object.values(item));
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations)
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['429', '503']));
  });
});
