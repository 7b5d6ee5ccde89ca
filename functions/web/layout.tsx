import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { Child, FC, PropsWithChildren } from 'hono/jsx';
import type { Principal } from '../../shared/auth/principal.js';
import { decide } from '../../shared/domain/access/policy.js';
import type { MenuCounts } from '../../shared/services/badge-service.js';
import { CSRF_FIELD } from './session.js';
import { CSS } from './styles.js';

export type NavKey =
  | 'overview'
  | 'tasks'
  | 'ledger'
  | 'review'
  | 'extensions'
  | 'findings'
  | 'reports'
  | 'plans'
  | 'my'
  | 'confirm'
  | 'cases'
  | 'indicators'
  | 'calendar'
  | 'channels'
  | 'rosters'
  | 'below';

export interface Flash {
  kind: 'ok' | 'err';
  text: string;
}

/** What the frame around a page needs: who is signed in, the plan in view, the current tab. */
export interface Chrome {
  principal?: Principal | undefined;
  csrfToken?: string | undefined;
  who?: string | undefined;
  planId?: string | undefined;
  active?: NavKey | undefined;
  flash?: Flash | undefined;
  /** The menu's counts (待审核, 延期待批, 未签收), being read while the page loads. */
  counts?: Promise<MenuCounts> | undefined;
  /** Whether the signed-in unit has units below it (下级任务, 下级确认 in the menu). */
  unitsBelow?: boolean | undefined;
}

const OK_MESSAGES: Record<string, (n: number) => string> = {
  task: (n) => `任务已创建,已交办 ${n} 个单位`,
  tasks: (n) => `已分别交办:共创建 ${n} 条任务`,
  accepted: () => '已审核通过,任务办结',
  returned: () => '已退回整改,单位将收到新的整改期限',
  submitted: () => '已提交办结情况,等待领导小组办公室审核',
  zero: () => '已零报告',
  acked: () => '已签收',
  confirmed: () => '已确认,任务已报送上一级',
  'returned-down': () => '已退回下级单位整改',
  'extension-requested': () => '延期申请已提交,等待领导小组办公室或领导审批',
  'extension-approved': () => '已批准延期,任务截止时间已调整',
  'extension-refused': () => '已不予延期,任务截止时间不变',
  finding: (n) => `督查问题已登记,已向 ${n} 个单位交办整改任务`,
  report: () => '通报已生成并冻结',
  'report-existing': () => '本期通报此前已经生成,以下是冻结的那一份',
  calendar: () => '工作日历已保存,到期、提醒和逾期按新日历计算',
  progress: () => '进度已报告',
  received: () => '已签收任务',
  reminded: () => '已催办,责任单位将收到催办通知',
  channel: () => '通道已保存;地址和密钥不再显示',
  instructed: () => '批示已发出,责任单位将收到通知',
  'handed-off': (n) => `已转办,共 ${n} 个下级单位`,
  milestones: () => '里程碑已设置,序时进度按里程碑计算',
  'milestones-proposed': () => '里程碑已提出,等待领导小组办公室批准',
  'milestones-approved': () => '已批准里程碑,序时进度按里程碑计算',
  'care-file': () => '关爱档案已建立',
  'care-record': () => '帮扶记录已追加',
  'care-pair': () => '师生结对已设置,学校将收到每周帮扶记录和每月家访任务',
  'care-record-duty': () => '帮扶记录已追加,并已提交本期结对任务',
};
/** The one-line message a POST-redirect-GET carries in the query (`?ok=accepted&n=1`). */
export function flashFrom(c: Context): Flash | undefined {
  const key = c.req.query('ok') ?? '';
  const ok = Object.hasOwn(OK_MESSAGES, key) ? OK_MESSAGES[key] : undefined;
  return ok === undefined ? undefined : { kind: 'ok', text: ok(Number(c.req.query('n') ?? '1') || 1) };
}

/** A refusal shown on the page it came from: a 400 that is not about one field, or a 409. */
export interface Problem {
  status: 400 | 409;
  text: string;
}

/** The page frame's part that says a problem at the top (nothing when there is none). */
export const problemFlash = (problem: Problem | undefined): Partial<Chrome> =>
  problem === undefined ? {} : { flash: { kind: 'err', text: problem.text } };

/** The hidden anti-forgery field of every form on a signed-in page. */
export const Csrf: FC<{ token: string | undefined }> = ({ token }) => (
  <input type="hidden" name={CSRF_FIELD} value={token ?? ''} />
);

/** What the header calls the signed-in person: the role they chose at sign-in (a unit's clerk sees the unit's name). */
export const ROLE_NAMES = { office: '领导小组办公室', leader: '分管领导', unit: '单位' } as const;

/** A menu count after its item's name, when there is something waiting (`word` says what). */
const Count: FC<{ n: number | undefined; word?: string }> = ({ n, word }) =>
  n === undefined || n === 0 ? null : (
    <span class="nb" data-count={String(n)}>
      {word === undefined ? n : `${word} ${n}`}
    </span>
  );

const Nav: FC<{ chrome: Chrome }> = async ({ chrome }) => {
  const p = chrome.principal;
  if (p === undefined) return null;
  const seesAll = decide(p, 'duty.read').allowed;
  const plan = chrome.planId;
  const counts: MenuCounts = (await chrome.counts) ?? {};
  const hasBelow = chrome.unitsBelow === true;
  const badge: Partial<Record<NavKey, Child>> = {
    review: <Count n={counts.review} />,
    extensions: <Count n={counts.extensions} word="待批" />,
    my: <Count n={counts.unsigned} word="未签收" />,
  };
  const item = (key: NavKey, href: string, label: string) => (
    <a href={href} class={chrome.active === key ? 'on' : undefined}>
      {label}
      {badge[key]}
    </a>
  );
  return (
    <nav>
      {seesAll && plan !== undefined && item('overview', `/plans/${plan}`, '督办总览')}
      {seesAll && plan !== undefined && item('ledger', `/plans/${plan}/ledger`, '任务台账')}
      {plan !== undefined &&
        decide(p, 'task.create').allowed &&
        item('tasks', `/plans/${plan}/tasks/new`, '任务录入')}
      {seesAll && plan !== undefined && item('review', `/plans/${plan}/review`, '待审核')}
      {seesAll && plan !== undefined && item('extensions', `/plans/${plan}/extensions`, '延期审批')}
      {plan !== undefined && item('findings', `/plans/${plan}/findings`, '督查整改')}
      {plan !== undefined &&
        decide(p, 'report.read').allowed &&
        item('reports', `/plans/${plan}/reports`, '督办通报')}
      {seesAll && item('plans', '/plans', '工作方案')}
      {p.unitId !== undefined && item('my', '/my', '我的任务')}
      {p.unitId !== undefined && hasBelow && item('confirm', '/review', '下级确认')}
      {p.unitId !== undefined && hasBelow && item('below', '/below', '下级任务')}
      {item('cases', '/cases', '控辍保学')}
      {plan !== undefined && item('indicators', `/plans/${plan}/indicators`, '指标监测')}
      {decide(p, 'calendar.write').allowed && item('calendar', '/calendar', '工作日历')}
      {decide(p, 'channel.manage').allowed && item('channels', '/channels', '通知通道')}
      {item('rosters', '/rosters', '花名册')}
    </nav>
  );
};

/** The frame of every page: header with the tabs this principal may use, the flash line, the content. */
export const Page: FC<PropsWithChildren<{ title: string; chrome: Chrome }>> = ({
  title,
  chrome,
  children,
}) => (
  <HtmlDocument title={title} css={CSS}>
    <header class="top">
      <a class="brand" href="/">
        督办
      </a>
      <Nav chrome={chrome} />
      {chrome.principal !== undefined && (
        <form class="who" method="post" action="/signout">
          <span>{chrome.who ?? ROLE_NAMES[chrome.principal.role]}</span>
          <Csrf token={chrome.csrfToken} />
          <button type="submit">退出</button>
        </form>
      )}
    </header>
    <main>
      {chrome.flash !== undefined && (
        <p class={`flash ${chrome.flash.kind}`} role={chrome.flash.kind === 'err' ? 'alert' : 'status'}>
          {chrome.flash.text}
        </p>
      )}
      {children}
    </main>
  </HtmlDocument>
);

/** A whole HTML document in Chinese, titled `… · 督办`, with its own style sheet: every page's frame. */
export const HtmlDocument: FC<PropsWithChildren<{ title: string; css: string }>> = ({
  title,
  css,
  children,
}) => (
  <>
    {raw('<!doctype html>')}
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <title>{`${title} · 督办`}</title>
        <style>{raw(css)}</style>
      </head>
      <body>{children}</body>
    </html>
  </>
);

/** Messages for one field, shown right under it. */
export const FieldError: FC<{ messages: string[] }> = ({ messages }) =>
  messages.length === 0 ? null : (
    <p class="err-msg" role="alert">
      {messages.join(';')}
    </p>
  );
