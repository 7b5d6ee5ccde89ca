import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../infra/local/demo-seed.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Duty } from '../../shared/schemas/duties.js';
import { webApp } from './web-harness.js';

const NOW = new Date('2026-11-25T10:00:00+08:00');
const OFFICE: Principal = { sub: 'test-office', role: 'office' };

type Web = Awaited<ReturnType<typeof webApp>>;

describe('pages: sign-in, session cookie, CSRF and the policy', () => {
  let web: Web;
  let planId: string;
  let duties: Duty[];
  const dutyOf = (unitId: string, status = 'open') => {
    const d = duties.find((x) => x.unitId === unitId && x.status === status && x.kind === 'task');
    if (d === undefined) throw new Error(`no ${status} duty for ${unitId}`);
    return d;
  };

  beforeAll(async () => {
    web = await webApp({ now: NOW });
    planId = (await seedDemo(web.services, NOW)).planId;
    duties = (await web.services.duties.listForPlan(OFFICE, planId, {}, { limit: 100 }, NOW)).items;
  });

  it('lists the demo users: the office, a leader and every unit', async () => {
    const res = await web.browser().get('/signin');
    expect(res.status).toBe(200);
    expect(res.html).toContain('<html lang="zh-CN">');
    expect(res.html).toContain('value="office"');
    expect(res.html).toContain('value="leader"');
    expect(res.html).toContain('value="unit:chengguan-town"');
    expect(res.html).toContain('城关镇');
  });

  it('signs in with an HttpOnly, SameSite=Lax session cookie (Secure only over https)', async () => {
    const page = web.browser();
    const res = await page.signIn('office');
    expect(res.location).toBe('/');
    expect(res.setCookie).toMatch(/duban_session=[\w-]+\.[\w-]+\.[\w-]+/);
    expect(res.setCookie).toMatch(/HttpOnly/i);
    expect(res.setCookie).toMatch(/SameSite=Lax/i);
    expect(res.setCookie).not.toMatch(/Secure/i);

    const https = await web.app.request('https://duban.example/signin', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://duban.example' },
      body: 'user=office&next=%2F',
    });
    expect(https.status).toBe(303);
    expect(https.headers.get('set-cookie')).toMatch(/Secure/);

    const home = await page.get('/');
    expect(home.status).toBe(303);
    expect(home.location).toBe(`/plans/${planId}`);
  });

  it('sends a browser without a valid session to the sign-in page and back', async () => {
    const page = web.browser();
    const res = await page.get('/my?x=1');
    expect(res.status).toBe(303);
    expect(res.location).toBe('/signin?next=%2Fmy%3Fx%3D1');
    page.setCookie('forged.token.value');
    const forged = await page.get(`/plans/${planId}`);
    expect(forged.location).toMatch(/^\/signin/);
    expect(forged.setCookie).toMatch(/duban_session=;/);
    // After signing in, `next` leads back; a foreign `next` is ignored.
    const signIn = await page.post('/signin', { user: 'leader', next: '/my?x=1' }, { csrf: null });
    expect(signIn.location).toBe('/my?x=1');
    const foreign = await page.post('/signin', { user: 'leader', next: '//evil.example/' }, { csrf: null });
    expect(foreign.location).toBe('/');
  });

  it('returns only to a path on this site, whatever `next` hides (tabs, newlines, backslashes, dot segments)', async () => {
    const page = web.browser();
    for (const next of [
      '/\t/evil.example',
      '/\r\n/evil.example',
      '/\n/evil.example',
      '/\\evil.example',
      '/.//evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
    ]) {
      const res = await page.post('/signin', { user: 'leader', next }, { csrf: null });
      expect(res.status, JSON.stringify(next)).toBe(303);
      expect(res.location, JSON.stringify(next)).toBe('/');
    }
    // What the form carries after a refused sign-in is the cleaned path too.
    const refused = await page.post('/signin', { user: 'nobody', next: '/\t/evil.example' }, { csrf: null });
    expect(refused.html).toContain('name="next" value="/"');
    const shown = await page.get(`/signin?next=${encodeURIComponent('/my\t?x=1')}`);
    expect(shown.html).toContain('name="next" value="/my?x=1"');
  });

  it('refuses a sign-in for anyone not on the list, and a cross-site sign-in', async () => {
    const page = web.browser();
    const unknown = await page.post('/signin', { user: 'unit:nowhere' }, { csrf: null });
    expect(unknown.status).toBe(400);
    expect(unknown.html).toContain('请选择一个身份登录');
    expect(unknown.setCookie).toBeNull();
    const crossSite = await page.post(
      '/signin',
      { user: 'office' },
      { csrf: null, origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    expect(page.cookie()).toBeUndefined();
  });

  it('checks the anti-forgery token and the origin on every form', async () => {
    const page = web.browser();
    await page.signIn('unit:yjb');
    const duty = dutyOf('yjb');
    const missing = await page.post(
      `/duties/${duty.id}/submit`,
      { note: '已完成', back: 'duty' },
      { csrf: null },
    );
    expect(missing.status).toBe(403);
    expect(missing.html).toContain('表单已过期或来源无法确认');
    const wrong = await page.post(`/duties/${duty.id}/submit`, { note: '已完成' }, { csrf: 'x'.repeat(43) });
    expect(wrong.status).toBe(403);
    // Another session's token is no good either.
    const other = web.browser();
    await other.signIn('unit:dongjie-village');
    const foreignToken = await page.post(
      `/duties/${duty.id}/submit`,
      { note: '已完成' },
      { csrf: await other.csrf() },
    );
    expect(foreignToken.status).toBe(403);
    const crossSite = await page.post(
      `/duties/${duty.id}/submit`,
      { note: '已完成' },
      { origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    const stored = await web.services.duties.get(OFFICE, duty.id, NOW);
    expect(stored.status).toBe('open');
  });

  it('lets a unit neither see nor act on another unit’s duties', async () => {
    const page = web.browser();
    await page.signIn('unit:dongjie-village');
    const foreign = dutyOf('staffing-office');
    const view = await page.get(`/duties/${foreign.id}`);
    expect(view.status).toBe(403);
    expect(view.html).toContain('只能查看本单位');
    const submit = await page.post(`/duties/${foreign.id}/submit`, { note: '代为提交', back: 'duty' });
    expect(submit.status).toBe(403);
    expect((await web.services.duties.get(OFFICE, foreign.id, NOW)).status).toBe('open');

    const mine = await page.get('/my');
    expect(mine.status).toBe(200);
    expect(mine.html).toContain(dutyOf('dongjie-village').id);
    expect(mine.html).not.toContain(foreign.id);

    // The office's pages answer a unit with 403, and a unit cannot review, not even its own duty.
    expect((await page.get(`/plans/${planId}`)).status).toBe(403);
    expect((await page.get(`/plans/${planId}/review`)).status).toBe(403);
    expect((await page.get(`/plans/${planId}/tasks/new`)).status).toBe(403);
    const submitted = dutyOf('public-security-bureau', 'submitted');
    const cop = web.browser();
    await cop.signIn('unit:public-security-bureau');
    expect((await cop.post(`/duties/${submitted.id}/accept`, {})).status).toBe(403);
    expect((await web.services.duties.get(OFFICE, submitted.id, NOW)).status).toBe('submitted');
  });

  it('shows a leader the overview and the queue, but no review buttons; a leader’s accept is refused', async () => {
    const page = web.browser();
    await page.signIn('leader');
    const overview = await page.get(`/plans/${planId}`);
    expect(overview.status).toBe(200);
    // Query values that name Object's own properties are no sort order and no message.
    const odd = await page.get(`/plans/${planId}?sort=constructor&ok=toString`);
    expect(odd.status).toBe(200);
    expect(odd.html).toContain('<strong>按逾期</strong>');
    expect(odd.html).not.toContain('class="flash');
    const queue = await page.get(`/plans/${planId}/review`);
    expect(queue.status).toBe(200);
    const submitted = dutyOf('public-security-bureau', 'submitted');
    expect(queue.html).toContain(submitted.title);
    expect(queue.html).not.toContain(`/duties/${submitted.id}/accept`);
    expect(overview.html).not.toContain('任务录入');
    const accept = await page.post(`/duties/${submitted.id}/accept`, {});
    expect(accept.status).toBe(403);
    expect(accept.html).toContain('只有领导小组办公室可以执行此操作');
  });

  it('sends every page with headers against framing, foreign scripts and caching', async () => {
    const page = web.browser();
    for (const res of [
      await page.get('/signin'),
      (await page.signIn('office')) && (await page.get('/plans')),
    ]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    // The task form's one script is the one the policy's hash allows.
    const form = await page.get(`/plans/${planId}/tasks/new`);
    const script = form.html.match(/<script>(.*?)<\/script>/s)?.[1] ?? 'x';
    const hash = createHash('sha256').update(script).digest('base64');
    expect(form.headers.get('content-security-policy')).toContain(`'sha256-${hash}'`);
  });

  it('signs out: the cookie is cleared', async () => {
    const page = web.browser();
    await page.signIn('office');
    const res = await page.post('/signout', {});
    expect(res.status).toBe(303);
    expect(res.location).toBe('/signin');
    expect(page.cookie()).toBeUndefined();
    expect((await page.get('/my')).status).toBe(303);
  });

  it('leaves the API as it was: bearer tokens, JSON errors', async () => {
    const res = await web.app.request('/v1/plans');
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    const unknown = await web.app.request('/nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/json/);
    // A page session cookie is not an API credential.
    const page = web.browser();
    await page.signIn('office');
    const withCookie = await web.app.request('/v1/plans', {
      headers: { cookie: `duban_session=${page.cookie()}` },
    });
    expect(withCookie.status).toBe(401);
  });
});

describe('pages without a local sign-in (as in AWS)', () => {
  it('has no demo user list and no sign-in POST', async () => {
    const web = await webApp({ now: NOW, web: 'none' });
    const page = web.browser();
    const res = await page.get('/signin');
    expect(res.status).toBe(404);
    expect(res.html).toContain('尚未配置登录方式');
    expect(res.html).not.toContain('name="user"');
    const post = await page.post('/signin', { user: 'office' }, { csrf: null });
    expect(post.status).toBe(404);
    expect(page.cookie()).toBeUndefined();
  });
});
