/**
 * The text a group robot posts: short, Chinese, markdown — the duty, its due time, the level, the
 * unit and a link to the duty's page, several notices due for one group gathered in one message
 * (the robots allow about 20 messages a minute each). Pure.
 */
import { LEVEL_LABELS } from '../escalation/ladder.js';
import { localDateOf } from '../time/zoned-time.js';

export interface MessageNotice {
  id: string;
  dutyId: string;
  /** A 控辍保学 case's notice: the link goes to the case, not to a duty. */
  caseId?: string | undefined;
  dutyTitle: string;
  unitId: string;
  level: string;
  levelLabel: string;
  dueAt: string;
  workingDaysLate: number;
}

export interface ChannelMessage {
  title: string;
  markdown: string;
}

/** At most this many notices in one message; more go in the next (WeCom caps markdown at 4,096 bytes). */
export const NOTICES_PER_MESSAGE = 10;

const TIME_ZONE = 'Asia/Shanghai';

function dueWords(dueAt: string): string {
  const at = new Date(dueAt);
  const date = localDateOf(at, TIME_ZONE);
  const time = new Intl.DateTimeFormat('zh-CN', {
    timeZone: TIME_ZONE,
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(at);
  return `${date} ${time}`;
}

/** Markdown's own characters in user text would change the message's layout: shown as they are. */
const plain = (s: string) => s.replace(/[\\`*_[\]<>#]/g, (ch) => `\\${ch}`);

/**
 * One message for the notices due for one group (1 to NOTICES_PER_MESSAGE of them), addressed by
 * the unit names the caller looked up; `baseUrl` is the site the duty pages are served from.
 */
export function composeMessage(
  notices: readonly MessageNotice[],
  context: { unitNames: ReadonlyMap<string, string>; baseUrl: string; mentionMobiles: readonly string[] },
): ChannelMessage {
  const first = notices[0];
  const label = (n: MessageNotice) => LEVEL_LABELS[n.level] ?? n.levelLabel;
  const title =
    notices.length === 1 && first !== undefined
      ? `【${label(first)}】${first.dutyTitle}`.slice(0, 60)
      : `【督办通知】${notices.length} 项`;
  const lines = notices.map((n) => {
    const unit = context.unitNames.get(n.unitId) ?? n.unitId;
    const late = n.workingDaysLate > 0 ? `,已逾期 ${n.workingDaysLate} 个工作日` : '';
    const base = context.baseUrl.replace(/\/$/, '');
    const link =
      n.caseId === undefined
        ? `[查看任务](${base}/duties/${n.dutyId})`
        : `[查看案例](${base}/cases/${n.caseId})`;
    return `- **${label(n)}** ${plain(n.dutyTitle)}\n  责任单位:${plain(unit)};截止:${dueWords(n.dueAt)}${late}\n  ${link}`;
  });
  const mentions = context.mentionMobiles.map((m) => `@${m}`).join(' ');
  const markdown = [`### ${plain(title)}`, ...lines, ...(mentions ? [mentions] : [])].join('\n');
  return { title, markdown };
}

/** The notices in groups of at most NOTICES_PER_MESSAGE, in the order given. */
export function inMessages<T>(notices: readonly T[], size = NOTICES_PER_MESSAGE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < notices.length; i += size) out.push(notices.slice(i, i + size));
  return out;
}
