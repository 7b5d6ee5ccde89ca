/**
 * 下级任务 (issue 17, "the township is a supervisor too"): a unit with units below it sees their
 * duties with lights, in the API and on its own page; a unit with nothing below has neither the
 * page nor the menu items (下级任务, 下级确认) and is refused.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../shared/auth/principal.js';
import { issueHs256Token } from '../../shared/auth/tokens.js';
import { unitDirectoryKeys, unitKey } from '../../shared/db/keys.js';
import type { BelowSummary } from '../../shared/schemas/below.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { SubmitDutySchema } from '../../shared/schemas/duties.js';
import { CreatePlanSchema } from '../../shared/schemas/plans.js';
import { CreateTaskSchema } from '../../shared/schemas/tasks.js';
import { CreateUnitSchema } from '../../shared/schemas/units.js';
import { TEST_SECRET } from '../fixtures/app.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2026-05-20T02:00:00Z');
const OFFICE: Principal = { sub: 'office-1', role: 'office' };
const LEADER: Principal = { sub: 'leader-1', role: 'leader' };
const unit = (unitId: string): Principal => ({ sub: `${unitId}-clerk`, role: 'unit', unitId });

type Web = Awaited<ReturnType<typeof webApp>>;

/** Rows of the page's per-unit list (`data-unit="…"`) in order. */
const rowsOf = (html: string) => [...html.matchAll(/<li data-unit="([^"]+)" data-light="([a-z]+)"/g)];

describe('下级任务: a township sees its villages and schools', () => {
  let web: Web;
  let planId = '';
  let lateDutyId = '';

  async function api<T>(as: Principal, path: string): Promise<{ status: number; body: T }> {
    const token = await issueHs256Token(TEST_SECRET, as);
    const res = await web.app.request(path, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as T };
  }

  const task = async (title: string, leadUnitId: string, dueAt: string) =>
    (
      await web.services.plans.createTask(
        OFFICE,
        planId,
        CreateTaskSchema.parse({ title, phaseKey: 'self-check', leadUnitId, dueAt }),
        NOW,
      )
    ).duties[0] as Duty;

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    for (const body of [
      { id: 'county', name: '县教育体育局', kind: 'bureau' },
      { id: 'town-a', name: '城关镇', kind: 'township', parentId: 'county' },
      { id: 'town-b', name: '河西乡', kind: 'township', parentId: 'county' },
      { id: 'a-east', name: '东街村', kind: 'village', parentId: 'town-a' },
      { id: 'a-west', name: '西街村', kind: 'village', parentId: 'town-a' },
      { id: 'a-school', name: '城关小学', kind: 'school', parentId: 'town-a' },
      { id: 'b-liuwan', name: '柳湾村', kind: 'village', parentId: 'town-b' },
    ]) {
      await web.services.units.create(OFFICE, CreateUnitSchema.parse(body), NOW);
    }
    planId = (
      await web.services.plans.create(
        OFFICE,
        CreatePlanSchema.parse({
          title: '迎国检',
          phases: [
            { key: 'mobilize', name: '部署发动', start: '2026-05-01', end: '2026-05-10' },
            { key: 'self-check', name: '自查补短', start: '2026-05-11', end: '2026-06-30' },
          ],
        }),
        NOW,
      )
    ).id;
    // 东街村: one overdue (red). 西街村: 60 on track, far off (green), for the pagination.
    // 城关小学: one submitted and one accepted. 柳湾村 (another township): one overdue.
    lateDutyId = (await task('入户走访', 'a-east', '2026-05-15')).id;
    for (let i = 1; i <= 60; i++) await task(`第${i}户信息核对`, 'a-west', '2026-06-28');
    const submitted = await task('校舍安全自查', 'a-school', '2026-06-20');
    await web.services.duties.submit(
      unit('a-school'),
      submitted.id,
      SubmitDutySchema.parse({ note: '已自查' }),
      NOW,
    );
    const accepted = await task('控辍保学摸排', 'a-school', '2026-06-20');
    await web.services.duties.submit(
      unit('a-school'),
      accepted.id,
      SubmitDutySchema.parse({ note: '已摸排' }),
      NOW,
    );
    await web.services.duties.accept(OFFICE, accepted.id, {}, NOW);
    await task('柳湾村走访', 'b-liuwan', '2026-05-15');
  }, 120_000);

  describe('the API', () => {
    it('gives a township its units below with counts from the counters and lights from open duties', async () => {
      const res = await api<BelowSummary>(unit('town-a'), `/v1/units/town-a/below/duties?planId=${planId}`);
      expect(res.status).toBe(200);
      const byId = new Map(res.body.units.map((u) => [u.unitId, u]));
      expect([...byId.keys()].sort()).toEqual(['a-east', 'a-school', 'a-west']);
      expect(res.body.units[0]?.unitId).toBe('a-east');
      expect(byId.get('a-east')).toMatchObject({
        name: '东街村',
        light: 'red',
        lights: { red: 1, yellow: 0, blue: 0, green: 0 },
        counts: { open: 1, overdue: 1, submitted: 0, accepted: 0, total: 1 },
      });
      expect(byId.get('a-west')).toMatchObject({ light: 'green', counts: { open: 60, total: 60 } });
      expect(byId.get('a-school')?.counts).toEqual({
        open: 0,
        overdue: 0,
        submitted: 1,
        accepted: 1,
        total: 2,
      });
      expect(res.body.all.counts).toEqual({ open: 61, overdue: 1, submitted: 1, accepted: 1, total: 63 });
      // What it read: the counter items that exist for 3 units × 2 phases, and the 61 open duties.
      expect(res.body.source).toEqual({ unitsBelow: 3, cells: 3, openDuties: 61 });
    });

    it('lets the office, leaders and the bureau above read it; never another township or a village', async () => {
      const path = `/v1/units/town-a/below/duties?planId=${planId}`;
      for (const who of [OFFICE, LEADER, unit('county')]) expect((await api(who, path)).status).toBe(200);
      for (const who of [unit('town-b'), unit('a-east'), unit('b-liuwan')]) {
        const res = await api<{ error: { code: string; message: string } }>(who, path);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    });

    it('refuses a unit with nothing below (403), an unknown unit (404), a missing or unknown plan', async () => {
      const leaf = await api<{ error: { message: string } }>(
        unit('a-east'),
        `/v1/units/a-east/below/duties?planId=${planId}`,
      );
      expect(leaf.status).toBe(403);
      expect(leaf.body.error.message).toContain('没有下级单位');
      expect((await api(OFFICE, `/v1/units/nobody/below/duties?planId=${planId}`)).status).toBe(404);
      const missing = await api<{ error: { details: { fields: { field: string }[] } } }>(
        unit('town-a'),
        '/v1/units/town-a/below/duties',
      );
      expect(missing.status).toBe(400);
      expect(missing.body.error.details.fields.map((d) => d.field)).toContain('planId');
      expect((await api(unit('town-a'), '/v1/units/town-a/below/duties?planId=no-such-plan')).status).toBe(
        404,
      );
    });

    it("pages one unit below's duties through the unit's own listing, for its township only", async () => {
      const path = `/v1/units/a-west/duties?planId=${planId}&limit=50`;
      const first = await api<{ items: Duty[]; nextCursor: string | null }>(unit('town-a'), path);
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(50);
      expect(first.body.nextCursor).not.toBeNull();
      expect((await api(unit('town-b'), path)).status).toBe(403);
    });
  });

  describe('the pages', () => {
    it('shows a township 下级任务 and 下级确认 in its menu, and its units below with lights and counts', async () => {
      const town = web.browser();
      await town.signIn('unit:town-a');
      const my = await town.get('/my');
      expect(my.html).toContain('href="/below"');
      expect(my.html).toContain('下级任务');
      expect(my.html).toContain('下级确认');
      const page = await town.get('/below');
      expect(page.status).toBe(200);
      const rows = rowsOf(page.html);
      expect(rows.map((r) => r[1])).toEqual(['a-east', 'a-school', 'a-west']);
      expect(rows[0]?.[2]).toBe('red');
      expect(page.html).not.toContain('b-liuwan');
      expect(page.html).not.toContain('柳湾村');
      expect(page.html).toContain('红灯 1 · 黄灯 0 · 蓝灯 0 · 绿灯 60');
      expect(page.html).toContain(`href="/below/a-east?plan=${planId}"`);
      expect(page.html).toContain('data-how');
    });

    it("opens a unit below's duties with their lights, 50 a page", async () => {
      const town = web.browser();
      await town.signIn('unit:town-a');
      const east = await town.get(`/below/a-east?plan=${planId}`);
      expect(east.status).toBe(200);
      expect(east.html).toContain(`data-duty="${lateDutyId}" data-light="red"`);
      expect(east.html).toContain(`href="/duties/${lateDutyId}"`);
      const first = await town.get(`/below/a-west?plan=${planId}`);
      expect(first.status).toBe(200);
      expect((first.html.match(/<tr data-duty=/g) ?? []).length).toBe(50);
      const next = first.html.match(/href="([^"]*cursor=[^"]*)">下一页/)?.[1];
      expect(next).toBeDefined();
      const second = await town.get((next ?? '').replaceAll('&amp;', '&'));
      expect(second.status).toBe(200);
      expect((second.html.match(/<tr data-duty=/g) ?? []).length).toBe(10);
      expect(second.html).not.toContain('下一页');
      const open = await town.get(`/below/a-school?plan=${planId}&status=accepted`);
      expect((open.html.match(/<tr data-duty=/g) ?? []).length).toBe(1);
    });

    it("refuses another township's units, and a village has neither menu item nor page", async () => {
      const other = web.browser();
      await other.signIn('unit:town-b');
      expect((await other.get(`/below/a-east?plan=${planId}`)).status).toBe(403);
      expect((await other.get('/below?unit=town-a')).status).toBe(403);
      const village = web.browser();
      await village.signIn('unit:a-east');
      const my = await village.get('/my');
      expect(my.status).toBe(200);
      expect(my.html).not.toContain('href="/below"');
      expect(my.html).not.toContain('下级任务');
      expect(my.html).not.toContain('href="/review"');
      expect(my.html).not.toContain('下级确认');
      expect((await village.get('/below')).status).toBe(403);
    });

    it('lets the office look at a township through ?unit=', async () => {
      const office = web.browser();
      await office.signIn('office');
      const page = await office.get(`/below?unit=town-a&plan=${planId}`);
      expect(page.status).toBe(200);
      expect(rowsOf(page.html).map((r) => r[1])).toEqual(['a-east', 'a-school', 'a-west']);
    });
  });
});

describe('units stored before the units-below keys (U3)', () => {
  it('are found below their parent after the first sweep of every plan, which re-keys them once', async () => {
    const web = await webApp({ now: NOW });
    await web.services.units.create(
      OFFICE,
      CreateUnitSchema.parse({ id: 'old-town', name: '老镇', kind: 'township' }),
      NOW,
    );
    // A village written as the repository wrote units before U3: directory keys, no gsi1*.
    const village = {
      id: 'old-village',
      name: '老村',
      kind: 'village',
      parentId: 'old-town',
      aliases: [],
      active: true,
      deactivatedAt: null,
      createdAt: NOW.toISOString(),
      createdBy: 'office-1',
      version: 1,
    };
    await web.tableRef.doc.send(
      new PutCommand({
        TableName: web.tableRef.tableName,
        Item: { ...unitKey(village.id), ...unitDirectoryKeys(village.id), entity: 'Unit', ...village },
      }),
    );
    expect((await web.services.units.get(OFFICE, 'old-town')).hasUnitsBelow).toBeUndefined();
    await web.services.sweeps.sweep(OFFICE, {}, NOW);
    expect((await web.services.units.get(OFFICE, 'old-town')).hasUnitsBelow).toBe(true);
    expect((await web.services.below.unitsBelow(unit('old-town'), 'old-town')).map((u) => u.id)).toEqual([
      'old-village',
    ]);
    // Later sweeps find the marker and write nothing.
    expect((await web.services.sweeps.sweep(OFFICE, {}, NOW)).failed).toBe(0);
  });
});
