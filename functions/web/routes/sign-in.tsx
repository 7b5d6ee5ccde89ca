import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { UnauthorizedError } from '../../../shared/errors.js';
import { writeLog } from '../../../shared/log.js';
import type { AppDeps } from '../../api/deps.js';
import type { WebContext } from '../context.js';
import { one, readForm } from '../forms.js';
import { FieldError, Page } from '../layout.js';
import { decodePending, encodePending, nonceOf, OidcFlowError, sameString } from '../oidc-sign-in.js';
import { pageHeaders } from '../page-headers.js';
import {
  checkForm,
  checkOrigin,
  endSession,
  requireSession,
  SESSION_COOKIE,
  safeNext,
  secureCookies,
  startSession,
  type WebEnv,
} from '../session.js';
import type { LocalSignIn } from '../web-options.js';

const PENDING_COOKIE = 'duban_oidc';
/** How long a browser may take at the issuer's sign-in page. */
const PENDING_SECONDS = 600;

/**
 * Sign-in and sign-out. Locally, a list of demo users (only where the runtime offers one); with an
 * OpenID Connect issuer, the authorization code flow with PKCE; otherwise a page saying there is none.
 */
export function signInPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signIn = deps.web?.signIn;
  const oidc = deps.web?.oidc;
  const logError = deps.logError ?? ((entry) => writeLog({ ...entry, level: 'error' }));

  async function show(c: WebContext, local: LocalSignIn, next: string, error?: string) {
    const users = await local.users();
    const groups = [...new Set(users.map((u) => u.group))];
    return c.html(
      <Page title="登录" chrome={{}}>
        <h1>登录督办系统</h1>
        <p class="muted">本机演示环境:选择身份即可登录。</p>
        <FieldError messages={error === undefined ? [] : [error]} />
        <form method="post" action="/signin">
          <input type="hidden" name="next" value={next} />
          {groups.map((group) => (
            <section>
              <h2>{group}</h2>
              <div class="users">
                {users
                  .filter((u) => u.group === group)
                  .map((u) => (
                    <button type="submit" name="user" value={u.key}>
                      {u.label}
                    </button>
                  ))}
              </div>
            </section>
          ))}
        </form>
      </Page>,
      error === undefined ? 200 : 400,
    );
  }

  app.get('/signin', pageHeaders, async (c) => {
    const next = safeNext(c.req.query('next'));
    if (signIn !== undefined) return show(c, signIn, next);
    if (oidc !== undefined) {
      const { url, pending } = await oidc.begin(next);
      setCookie(c, PENDING_COOKIE, encodePending(pending), {
        httpOnly: true,
        sameSite: 'Lax',
        secure: secureCookies(c, deps.web),
        path: '/signin',
        maxAge: PENDING_SECONDS,
      });
      return c.redirect(url, 303);
    }
    return c.html(
      <Page title="登录" chrome={{}}>
        <h1>登录督办系统</h1>
        <p class="card">本环境尚未配置登录方式,请联系系统管理员。</p>
      </Page>,
      404,
    );
  });

  if (signIn === undefined && oidc !== undefined) {
    /** The issuer sends the browser back here with a code; the session starts once every check holds. */
    app.get('/signin/callback', pageHeaders, async (c) => {
      const pending = decodePending(getCookie(c, PENDING_COOKIE));
      deleteCookie(c, PENDING_COOKIE, { path: '/signin' });
      const refuse = (status: 400 | 403 | 503, text: string) =>
        c.html(
          <Page title="登录未完成" chrome={{}}>
            <h1>登录未完成</h1>
            <p class="card">{text}</p>
            <p>
              <a href="/signin">重新登录</a>
            </p>
          </Page>,
          status,
        );
      const error = c.req.query('error');
      if (error !== undefined) return refuse(400, `身份认证服务未完成登录(${error})`);
      if (pending === undefined) return refuse(400, '登录已过期或不是从本站发起的,请重新登录');
      const code = c.req.query('code') ?? '';
      if (!sameString(c.req.query('state') ?? '', pending.state) || code === '') {
        return refuse(400, '登录校验失败(state 不符),请重新登录');
      }
      let idToken: string;
      try {
        idToken = await oidc.finish(code, pending);
      } catch (err) {
        if (!(err instanceof OidcFlowError)) throw err;
        logError({ level: 'error', message: 'oidc sign-in failed', error: err.message });
        return refuse(503, '身份认证服务暂时无法完成登录,请稍后重试');
      }
      try {
        // The same checks as every request: the API's verifier, then the unit still active.
        await deps.units.assertActive(await deps.verifyToken(idToken));
      } catch (err) {
        if (!(err instanceof UnauthorizedError)) throw err;
        return refuse(403, `此账号不能登录督办系统:${err.message}`);
      }
      // The token must be the answer to this sign-in, not one replayed from another.
      if (nonceOf(idToken) !== pending.nonce) return refuse(400, '登录校验失败(nonce 不符),请重新登录');
      startSession(c, idToken, deps.web);
      return c.redirect(safeNext(pending.next), 303);
    });
  }

  if (signIn !== undefined) {
    app.post('/signin', pageHeaders, checkOrigin, async (c) => {
      const form = await readForm(c);
      // The form names a listed user; the principal comes from the list, never from the form.
      const user = (await signIn.users()).find((u) => u.key === one(form, 'user'));
      if (user === undefined) return show(c, signIn, safeNext(one(form, 'next')), '请选择一个身份登录');
      startSession(c, await signIn.issue(user.principal), deps.web);
      return c.redirect(safeNext(one(form, 'next')), 303);
    });
  }

  app.post('/signout', requireSession(deps), checkForm, async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    endSession(c);
    if (signIn === undefined && oidc !== undefined) {
      // End the session at the issuer too: otherwise its own cookie signs the next person at a
      // shared office PC straight back in as this one.
      try {
        const away = await oidc.signOutUrl(token);
        if (away !== undefined) return c.redirect(away, 303);
      } catch (err) {
        // Our session is over either way; the issuer's stays until it expires.
        logError({
          level: 'error',
          message: 'oidc sign-out failed',
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return c.redirect('/signin', 303);
  });

  return app;
}
