import { Hono } from 'hono';
import { raw } from 'hono/html';
import { decide } from '../../../shared/domain/access/policy.js';
import { localDateOf } from '../../../shared/domain/time/zoned-time.js';
import { ForbiddenError, NotFoundError } from '../../../shared/errors.js';
import type { CalendarNoticeResult, YearCalendarView } from '../../../shared/schemas/calendar.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, type WebContext } from '../context.js';
import { conflictMessage, fromServiceError, one, readForm, versionOf } from '../forms.js';
import { Csrf, Page, type Problem, problemFlash } from '../layout.js';
import { MONTH_GRID_CSS, MonthGrid } from '../month-grid.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';

const SOURCE_NAMES: Record<YearCalendarView['source'], string> = {
  override: '本办公室设置',
  official: '内置国务院通知数据',
  weekdays: '无数据,按周一至周五计算',
};

function yearOf(c: WebContext): number {
  const raw = c.req.param('year') ?? '';
  const year = Number(raw);
  if (!/^\d{4}$/.test(raw) || year < 2000 || year > 2100) throw new NotFoundError('年度', raw);
  return year;
}

function officeOnly(c: WebContext): void {
  if (!decide(c.get('principal'), 'calendar.write').allowed) {
    throw new ForbiddenError('工作日历由领导小组办公室维护');
  }
}

/**
 * 工作日历: the office pastes the State Council's 关于{year}年部分节假日安排的通知, sees the parse as
 * a month grid beside the original sentences (errors named by line), and saves it as the year's
 * calendar. Everything goes through the calendar service, the same one the API uses.
 */
export function calendarPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function show(
    c: WebContext,
    year: number,
    draft?: { text: string; parsed: CalendarNoticeResult },
    problem?: Problem,
  ) {
    const p = c.get('principal');
    const current = await deps.calendar.get(p, year);
    const parsed = draft?.parsed;
    // Only a previewed parse carries the version it was checked against; saving needs one.
    const version = parsed?.version;
    const status = problem?.status ?? (parsed !== undefined && parsed.errors.length > 0 ? 400 : 200);
    return c.html(
      <Page
        title={`${year}年工作日历`}
        chrome={chromeOf(c, { active: 'calendar', ...problemFlash(problem) })}
      >
        <style>{raw(MONTH_GRID_CSS)}</style>
        <h1>{year}年工作日历</h1>
        <p class="row">
          <a href={`/calendar/${year - 1}`}>‹ {year - 1}年</a>
          <span class="badge">当前:{SOURCE_NAMES[current.source]}</span>
          <a href={`/calendar/${year + 1}`}>{year + 1}年 ›</a>
        </p>
        <form method="post" action={`/calendar/${year}`} class="card" novalidate>
          <Csrf token={c.get('csrfToken')} />
          <label class="f" for="notice-text">
            粘贴《国务院办公厅关于{year}年部分节假日安排的通知》正文
          </label>
          <textarea id="notice-text" name="text" rows={10} maxlength={20000}>
            {draft?.text ?? ''}
          </textarea>
          {version !== undefined && <input type="hidden" name="expectedVersion" value={String(version)} />}
          <p class="row actions">
            <button type="submit" name="mode" value="preview" class="light">
              预览
            </button>
            {parsed !== undefined && parsed.errors.length === 0 && (
              <button type="submit" name="mode" value="commit" class="ok">
                确认保存为{year}年工作日历
              </button>
            )}
          </p>
        </form>
        {parsed !== undefined && <NoticeParse parsed={parsed} />}
        <h2>{parsed === undefined ? '现行日历' : '预览(尚未保存)'}</h2>
        <p class="legend">
          <span class="off">休 放假</span>
          <span class="on">班 调休上班</span>
        </p>
        <MonthGrid
          year={year}
          holidays={parsed?.holidays ?? current.holidays}
          workdays={parsed?.workdays ?? current.workdays}
        />
      </Page>,
      status,
    );
  }

  app.get('/calendar', signedIn, async (c) => {
    officeOnly(c);
    const next = Number(localDateOf(deps.clock(), 'Asia/Shanghai').slice(0, 4)) + 1;
    return c.redirect(`/calendar/${next}`, 303);
  });

  app.get('/calendar/:year', signedIn, async (c) => {
    officeOnly(c);
    return show(c, yearOf(c));
  });

  app.post('/calendar/:year', signedIn, checkForm, async (c) => {
    officeOnly(c);
    const p = c.get('principal');
    const year = yearOf(c);
    const form = await readForm(c);
    const text = one(form, 'text');
    const expectedVersion = versionOf(one(form, 'expectedVersion'));
    const now = deps.clock();
    const preview = async () => {
      try {
        return await deps.calendar.notice(p, year, { text, mode: 'preview' }, now);
      } catch (err) {
        const errors = fromServiceError(err);
        if (errors === undefined) throw err;
        return undefined;
      }
    };
    const parsed = await preview();
    if (parsed === undefined) {
      return show(c, year, undefined, { status: 400, text: '请粘贴通知正文(不超过 20000 字,不含控制字符)' });
    }
    if (one(form, 'mode') !== 'commit' || parsed.errors.length > 0) return show(c, year, { text, parsed });
    try {
      await deps.calendar.notice(p, year, { text, mode: 'commit', expectedVersion }, now);
    } catch (err) {
      const conflict = conflictMessage(err);
      if (conflict === undefined) throw err;
      return show(
        c,
        year,
        { text, parsed: await deps.calendar.notice(p, year, { text, mode: 'preview' }, now) },
        {
          status: 409,
          text: conflict,
        },
      );
    }
    return c.redirect(`/calendar/${year}?ok=calendar`, 303);
  });

  return app;
}

/** Each item of the notice as pasted, beside the days read from it; then errors and ignored sentences. */
const NoticeParse = ({ parsed }: { parsed: CalendarNoticeResult }) => (
  <section class="card" id="notice-parse">
    {parsed.errors.length > 0 && (
      <div role="alert" class="flash err">
        <strong>有 {parsed.errors.length} 处无法识别或有误,未保存:</strong>
        <ul>
          {parsed.errors.map((e) => (
            <li class="err-msg">{e.message}</li>
          ))}
        </ul>
      </div>
    )}
    <table>
      <thead>
        <tr>
          <th>行</th>
          <th>通知原文</th>
          <th>放假</th>
          <th>调休上班</th>
        </tr>
      </thead>
      <tbody>
        {parsed.items.map((item) => (
          <tr>
            <td>{item.line}</td>
            <td>{item.text}</td>
            <td>{span(item.holidays)}</td>
            <td>{item.workdays.map(short).join('、') || '无'}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {parsed.notes.map((n) => (
      <p class="muted">{n.message}</p>
    ))}
    <p class="muted">
      共放假 {parsed.holidays.length} 天(含周末),调休上班 {parsed.workdays.length} 天。
    </p>
  </section>
);

const short = (date: string) => `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
const span = (dates: readonly string[]) => {
  const first = dates[0];
  const last = dates.at(-1);
  if (first === undefined || last === undefined) return '无';
  return first === last ? `${short(first)}(1天)` : `${short(first)}至${short(last)}(${dates.length}天)`;
};
