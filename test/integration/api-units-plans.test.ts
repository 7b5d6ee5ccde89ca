import { beforeAll, describe, expect, it } from 'vitest';
import type { Plan, PlanView } from '../../shared/schemas/plans.js';
import type { Unit } from '../../shared/schemas/units.js';
import { LEADER, SEED_PHASES, testApp, unitUser } from '../fixtures/app.js';

type Api = Awaited<ReturnType<typeof testApp>>;
interface ErrorBody {
  error: { code: string; message: string; details?: { fields?: { field: string; message: string }[] } };
}
const fieldsOf = (b: ErrorBody) => (b.error.details?.fields ?? []).map((f) => f.field);

describe('service endpoints', () => {
  let api: Api;
  beforeAll(async () => {
    api = await testApp();
  });

  it('answers /health without a token', async () => {
    const res = await api.call('GET', '/health', { as: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('describes every promised resource and verb in /openapi.json (3.1)', async () => {
    const res = await api.call<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/openapi.json',
      { as: null },
    );
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const promised: [string, string][] = [
      ['/v1/units', 'post'],
      ['/v1/units', 'get'],
      ['/v1/units/{unitId}', 'get'],
      ['/v1/units/{unitId}/duties', 'get'],
      ['/v1/plans', 'post'],
      ['/v1/plans', 'get'],
      ['/v1/plans/{planId}', 'get'],
      ['/v1/plans/{planId}/tasks', 'post'],
      ['/v1/plans/{planId}/tasks', 'get'],
      ['/v1/plans/{planId}/duties', 'get'],
      ['/v1/duties/{dutyId}', 'get'],
      ['/v1/duties/{dutyId}/submit', 'post'],
    ];
    for (const [path, verb] of promised) {
      expect(res.body.paths[path]?.[verb], `${verb.toUpperCase()} ${path}`).toBeDefined();
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await api.call('GET', '/docs', { as: null });
    expect(res.status).toBe(200);
    expect(res.text).toContain('/openapi.json');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await api.call<ErrorBody>('GET', '/v1/nowhere');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
  });
});

describe('authentication', () => {
  let api: Api;
  beforeAll(async () => {
    api = await testApp();
  });

  it.each([
    ['no token', null],
    ['garbage', 'not-a-jwt'],
    [
      'alg none',
      `${btoa('{"alg":"none","typ":"JWT"}')}.${btoa('{"sub":"x","role":"office","exp":9999999999}')}.`,
    ],
  ])('refuses %s with 401', async (_name, token) => {
    const res = await api.call<ErrorBody>('GET', '/v1/units', { as: token });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('refuses a token signed with another key, and an expired one', async () => {
    const { issueHs256Token } = await import('../../shared/auth/tokens.js');
    const forged = await issueHs256Token('another-secret-another-secret-another', {
      sub: 'x',
      role: 'office',
    });
    expect((await api.call('GET', '/v1/units', { as: forged })).status).toBe(401);
    const { TEST_SECRET } = await import('../fixtures/app.js');
    const expired = await issueHs256Token(
      TEST_SECRET,
      { sub: 'x', role: 'office' },
      {
        now: new Date(Date.now() - 3 * 3600_000),
        ttlSeconds: 3600,
      },
    );
    expect((await api.call('GET', '/v1/units', { as: expired })).status).toBe(401);
  });

  it('refuses a unit token without unitId', async () => {
    const { issueHs256Token } = await import('../../shared/auth/tokens.js');
    const { TEST_SECRET } = await import('../fixtures/app.js');
    const token = await issueHs256Token(TEST_SECRET, { sub: 'x', role: 'unit' });
    expect((await api.call('GET', '/v1/units', { as: token })).status).toBe(401);
  });

  it('refuses a signed token whose unitId or sub no unit could have (401, not a failed lookup)', async () => {
    const { issueHs256Token } = await import('../../shared/auth/tokens.js');
    const { TEST_SECRET } = await import('../fixtures/app.js');
    for (const principal of [
      { sub: 'x', role: 'unit' as const, unitId: 'a'.repeat(3000) },
      { sub: 'x', role: 'unit' as const, unitId: 'Unit#1' },
      { sub: 's'.repeat(257), role: 'office' as const },
    ]) {
      const res = await api.call<ErrorBody>('GET', '/v1/units', {
        as: await issueHs256Token(TEST_SECRET, principal),
      });
      expect(res.status).toBe(401);
      expect(res.body.error.message).toMatch(principal.role === 'unit' ? /unitId/ : /sub/);
    }
  });
});

describe('units', () => {
  let api: Api;
  beforeAll(async () => {
    api = await testApp();
  });

  it('creates a unit tree with client ids and lists it', async () => {
    const bureau = await api.call<Unit>('POST', '/v1/units', {
      body: { id: 'edu-bureau', name: '县教育体育局', kind: 'bureau' },
    });
    expect(bureau.status).toBe(201);
    expect(bureau.body).toMatchObject({ id: 'edu-bureau', name: '县教育体育局', parentId: null, version: 1 });
    const section = await api.call<Unit>('POST', '/v1/units', {
      body: { id: 'edu-section', name: '教育股', kind: 'section', parentId: 'edu-bureau' },
    });
    expect(section.status).toBe(201);
    expect(section.body.parentId).toBe('edu-bureau');

    const got = await api.call<Unit>('GET', '/v1/units/edu-section', { as: unitUser('edu-bureau') });
    expect(got.status).toBe(200);
    expect(got.body.name).toBe('教育股');
  });

  it('makes an id when none is given', async () => {
    const res = await api.call<Unit>('POST', '/v1/units', { body: { name: '城关镇', kind: 'township' } });
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^u-[a-z0-9]{20}$/);
  });

  it('refuses a second unit with the same id (409) and keeps the first', async () => {
    await api.call('POST', '/v1/units', { body: { id: 'dup', name: '第一个', kind: 'other' } });
    const again = await api.call<ErrorBody>('POST', '/v1/units', {
      body: { id: 'dup', name: '第二个', kind: 'other' },
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('unit_exists');
    const kept = await api.call<Unit>('GET', '/v1/units/dup');
    expect(kept.body.name).toBe('第一个');
  });

  it('names each bad field in a 400 and writes nothing', async () => {
    const res = await api.call<ErrorBody>('POST', '/v1/units', {
      body: { id: 'Bad Id', name: '', kind: 'ministry', extra: 1 },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(fieldsOf(res.body)).toEqual(expect.arrayContaining(['id', 'name', 'kind']));
    expect(res.body.error.message).toMatch(/有误/);
    const missingParent = await api.call<ErrorBody>('POST', '/v1/units', {
      body: { id: 'orphan', name: '孤儿单位', kind: 'village', parentId: 'no-such-unit' },
    });
    expect(missingParent.status).toBe(400);
    expect(fieldsOf(missingParent.body)).toEqual(['parentId']);
    expect((await api.call('GET', '/v1/units/orphan')).status).toBe(404);
  });

  it('accepts an id of exactly 63 characters and refuses 64', async () => {
    const ok = await api.call('POST', '/v1/units', {
      body: { id: 'a'.repeat(63), name: '长编号', kind: 'other' },
    });
    expect(ok.status).toBe(201);
    const tooLong = await api.call<ErrorBody>('POST', '/v1/units', {
      body: { id: 'b'.repeat(64), name: 'x', kind: 'other' },
    });
    expect(tooLong.status).toBe(400);
    expect(fieldsOf(tooLong.body)).toContain('id');
  });

  it('lets only the office create units', async () => {
    for (const as of [LEADER, unitUser('edu-bureau')]) {
      const res = await api.call<ErrorBody>('POST', '/v1/units', {
        as,
        body: { id: 'sneaky', name: 'x', kind: 'other' },
      });
      expect(res.status).toBe(403);
    }
    expect((await api.call('GET', '/v1/units/sneaky')).status).toBe(404);
  });

  it('pages through the directory with a cursor, and refuses a forged cursor', async () => {
    for (let i = 0; i < 5; i++) {
      await api.call('POST', '/v1/units', { body: { id: `page-${i}`, name: `分页${i}`, kind: 'school' } });
    }
    const seen = new Set<string>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : '?limit=3';
      const res = await api.call<{ items: Unit[]; nextCursor: string | null }>('GET', `/v1/units${q}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(3);
      for (const u of res.body.items) seen.add(u.id);
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect([...seen]).toEqual(expect.arrayContaining(['page-0', 'page-4', 'edu-bureau']));
    const forged = Buffer.from(
      JSON.stringify({ pk: 'DUTY#x', sk: 'DUTY', gsi2pk: 'OTHER', gsi2sk: 'x' }),
    ).toString('base64url');
    const bad = await api.call<ErrorBody>('GET', `/v1/units?cursor=${forged}`);
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body)).toEqual(['cursor']);
    const limit = await api.call<ErrorBody>('GET', '/v1/units?limit=1000');
    expect(limit.status).toBe(400);
    expect(fieldsOf(limit.body)).toEqual(['limit']);
  });
});

describe('plans', () => {
  let api: Api;
  beforeAll(async () => {
    // 2026-05-16 10:00 in Shanghai: the second phase of the seed's windows.
    api = await testApp({ now: new Date('2026-05-16T02:00:00Z') });
    await api.call('POST', '/v1/units', { body: { id: 'viewer', name: '县财政局', kind: 'bureau' } });
  });

  it('creates a plan with phases and the default timezone, and shows its current phase', async () => {
    const created = await api.call<Plan>('POST', '/v1/plans', {
      body: { title: '教育扶贫迎国检工作方案 🏫', phases: SEED_PHASES },
    });
    expect(created.status).toBe(201);
    expect(created.body.timezone).toBe('Asia/Shanghai');
    expect(created.body.title).toBe('教育扶贫迎国检工作方案 🏫');
    const view = await api.call<PlanView>('GET', `/v1/plans/${created.body.id}`, { as: unitUser('viewer') });
    expect(view.status).toBe(200);
    expect(view.body.currentPhase?.key).toBe('self-check');
    expect(Object.keys(view.body.counts.byPhase)).toEqual([
      'mobilize',
      'self-check',
      'improve',
      'consolidate',
    ]);
    expect(view.body.counts.all.total).toBe(0);

    // At 2026-05-26 23:59 local it is still self-check; a minute later, improve.
    api.setNow(new Date('2026-05-26T15:59:00Z'));
    expect((await api.call<PlanView>('GET', `/v1/plans/${created.body.id}`)).body.currentPhase?.key).toBe(
      'self-check',
    );
    api.setNow(new Date('2026-05-26T16:00:00Z'));
    expect((await api.call<PlanView>('GET', `/v1/plans/${created.body.id}`)).body.currentPhase?.key).toBe(
      'improve',
    );
    api.setNow(new Date('2027-01-01T00:00:00Z'));
    expect((await api.call<PlanView>('GET', `/v1/plans/${created.body.id}`)).body.currentPhase?.key).toBe(
      'consolidate',
    );
    api.setNow(new Date('2026-05-16T02:00:00Z'));
  });

  it('accepts overlapping windows and picks the latest-started', async () => {
    const res = await api.call<Plan>('POST', '/v1/plans', {
      body: {
        title: '控辍保学',
        phases: [
          { key: 'a', name: '九至十月', start: '2026-05-01', end: '2026-05-31' },
          { key: 'b', name: '十至十二月', start: '2026-05-15', end: '2026-06-30' },
        ],
      },
    });
    expect(res.status).toBe(201);
    const view = await api.call<PlanView>('GET', `/v1/plans/${res.body.id}`);
    expect(view.body.currentPhase?.key).toBe('b');
  });

  it('names each bad phase field and writes nothing', async () => {
    const before = await api.call<{ items: Plan[] }>('GET', '/v1/plans?limit=100');
    const res = await api.call<ErrorBody>('POST', '/v1/plans', {
      body: {
        title: '坏方案',
        timezone: 'Mars/Olympus',
        phases: [
          { key: 'one', name: '一', start: '2026-05-10' },
          { key: 'two', name: '二', start: '2026-05-01', end: '2026-04-01' },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(expect.arrayContaining(['timezone', 'phases.0.end', 'phases.1.end']));
    const tooMany = await api.call<ErrorBody>('POST', '/v1/plans', {
      body: {
        title: 'x',
        phases: Array.from({ length: 11 }, (_, i) => ({
          key: `p${i}`,
          name: `${i}`,
          start: '2026-05-01',
          end: '2026-05-02',
        })),
      },
    });
    expect(tooMany.status).toBe(400);
    expect(fieldsOf(tooMany.body)).toContain('phases');
    const empty = await api.call<ErrorBody>('POST', '/v1/plans', { body: { title: 'x', phases: [] } });
    expect(empty.status).toBe(400);
    const farFuture = await api.call<ErrorBody>('POST', '/v1/plans', {
      body: { title: 'x', phases: [{ key: 'one', name: '一', start: '9999-01-01', end: '9999-12-31' }] },
    });
    expect(farFuture.status).toBe(400);
    expect(fieldsOf(farFuture.body)).toEqual(expect.arrayContaining(['phases.0.start', 'phases.0.end']));
    const after = await api.call<{ items: Plan[] }>('GET', '/v1/plans?limit=100');
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it('lists plans newest first and 404s an unknown plan', async () => {
    const list = await api.call<{ items: Plan[] }>('GET', '/v1/plans', { as: LEADER });
    expect(list.status).toBe(200);
    const created = list.body.items.map((p) => p.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
    const missing = await api.call<ErrorBody>('GET', '/v1/plans/plan-nothing');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('refuses plan creation by a unit or a leader', async () => {
    for (const as of [LEADER, unitUser('viewer')]) {
      const res = await api.call('POST', '/v1/plans', { as, body: { title: 'x', phases: SEED_PHASES } });
      expect(res.status).toBe(403);
    }
  });
});

describe('deactivating a unit', () => {
  it('stops its tokens at once and keeps its duties and history', async () => {
    const api = await testApp();
    await api.call('POST', '/v1/units', { body: { id: 'old-school', name: '撤并小学', kind: 'school' } });
    const plan = (await api.call<Plan>('POST', '/v1/plans', { body: { title: '迎检', phases: SEED_PHASES } }))
      .body;
    await api.call('POST', `/v1/plans/${plan.id}/tasks`, {
      body: { title: '报送材料', phaseKey: 'self-check', leadUnitId: 'old-school', dueAt: '2026-05-20' },
    });
    expect(
      (await api.call('GET', '/v1/units/old-school/duties', { as: unitUser('old-school') })).status,
    ).toBe(200);

    expect((await api.call('POST', '/v1/units/old-school/deactivate', { as: LEADER })).status).toBe(403);
    const res = await api.call<Unit>('POST', '/v1/units/old-school/deactivate');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ active: false, version: 2 });

    const refused = await api.call<{ error: { code: string } }>('GET', '/v1/units/old-school/duties', {
      as: unitUser('old-school'),
    });
    expect(refused.status).toBe(401);
    const kept = await api.call<{ items: unknown[] }>('GET', '/v1/units/old-school/duties');
    expect(kept.body.items).toHaveLength(1);
    expect((await api.call('POST', '/v1/units/old-school/deactivate')).status).toBe(409);
    // A deactivated unit gets no new duties.
    const task = await api.call<{ error: { details: { fields: { field: string }[] } } }>(
      'POST',
      `/v1/plans/${plan.id}/tasks`,
      { body: { title: '新任务', phaseKey: 'self-check', leadUnitId: 'old-school', dueAt: '2026-05-20' } },
    );
    expect(task.status).toBe(400);
    // A token for a unit that never existed is refused too.
    expect((await api.call('GET', '/v1/plans', { as: unitUser('ghost-unit') })).status).toBe(401);
  });
});
