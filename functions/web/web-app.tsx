import type { Context } from 'hono';
import { Hono } from 'hono';
import { UnauthorizedError } from '../../shared/errors.js';
import { errorField, writeLog } from '../../shared/log.js';
import type { AppDeps } from '../api/deps.js';
import { classifyError } from '../http/classify-error.js';
import { Page, ROLE_NAMES } from './layout.js';
import { belowPages } from './routes/below.js';
import { calendarPages } from './routes/calendar-page.js';
import { careFilePages } from './routes/care-files.js';
import { caseWeeklyFormPages } from './routes/case-weekly-form.js';
import { casePages } from './routes/cases.js';
import { channelPages } from './routes/channels.js';
import { dutyExtraPages } from './routes/duty-extras.js';
import { evidencePages } from './routes/evidence.js';
import { extensionPages } from './routes/extensions.js';
import { findingPages } from './routes/findings.js';
import { indicatorPages } from './routes/indicators.js';
import { ledgerPages } from './routes/ledger.js';
import { ledgerDutyPages } from './routes/ledger-duties.js';
import { myDutyPages } from './routes/my-duties.js';
import { overviewPages } from './routes/overview.js';
import { printPages } from './routes/print-forms.js';
import { reportPages } from './routes/reports.js';
import { reviewPages } from './routes/review.js';
import { rosterPages } from './routes/rosters.js';
import { semesterPages } from './routes/semesters.js';
import { signInPages } from './routes/sign-in.js';
import { taskEntryPages } from './routes/task-entry.js';
import { taskImportPages } from './routes/task-import.js';
import type { WebEnv } from './session.js';

const TITLES: Record<number, string> = {
  400: '请求有误',
  403: '无权访问',
  404: '页面不存在',
  409: '操作冲突',
  413: '提交内容过大',
  503: '服务繁忙',
};

/**
 * The pages (督办总览, 任务录入, 待审核, 我的任务, 督办通报): server-rendered, each handler acting as the
 * signed-in principal through the same services as the API, so the same policy decides.
 * Errors become a Chinese page here; the API keeps its JSON errors.
 */
export function webRoutes(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  app.route('/', signInPages(deps));
  app.route('/', overviewPages(deps));
  app.route('/', taskEntryPages(deps));
  app.route('/', reviewPages(deps));
  app.route('/', myDutyPages(deps));
  app.route('/', evidencePages(deps));
  app.route('/', reportPages(deps));
  app.route('/', extensionPages(deps));
  app.route('/', findingPages(deps));
  // Before the ledger's /ledger/:taskId, which would take /ledger/duties for a task id.
  app.route('/', ledgerDutyPages(deps));
  app.route('/', ledgerPages(deps));
  app.route('/', casePages(deps));
  app.route('/', caseWeeklyFormPages(deps));
  app.route('/', careFilePages(deps));
  app.route('/', taskImportPages(deps));
  app.route('/', indicatorPages(deps));
  app.route('/', calendarPages(deps));
  app.route('/', channelPages(deps));
  app.route('/', rosterPages(deps));
  app.route('/', semesterPages(deps));
  app.route('/', printPages(deps));
  app.route('/', dutyExtraPages(deps));
  app.route('/', belowPages(deps));

  const logError = deps.logError ?? ((entry) => writeLog({ ...entry, level: 'error' }));
  app.onError((err, c: Context<WebEnv>) => {
    if (err instanceof UnauthorizedError) return c.redirect('/signin', 303);
    const { status, message, unexpected } = classifyError(err);
    // Never show a raw error: its message may carry internals.
    if (unexpected) {
      logError({
        level: 'error',
        message: 'unhandled page error',
        requestId: c.get('requestId'),
        path: c.req.path,
        error: errorField(err),
      });
    }
    const title = TITLES[status] ?? '出错了';
    const principal = c.get('principal');
    // Who the refusal is for: the unit by name (or the role chosen at sign-in), so a clerk signed in
    // as the wrong unit sees it at once.
    const who = c.get('unit')?.name ?? (principal === undefined ? undefined : ROLE_NAMES[principal.role]);
    return c.html(
      <Page title={title} chrome={{ principal, csrfToken: c.get('csrfToken'), who }}>
        <h1>{title}</h1>
        <p class="card">
          {message}
          {status === 403 && who !== undefined && (
            <>
              <br />
              <small>当前登录:{who}</small>
            </>
          )}
        </p>
        <p>
          <a href="/">返回首页</a>
        </p>
      </Page>,
      status,
    );
  });
  return app;
}
