/**
 * Posting one message to one channel, as each endpoint expects it. Every failure comes back as a
 * `PostOutcome` whose reason is composed here in Chinese: never the URL, its key or the secret (an
 * error thrown by fetch can quote the URL, so its text is never passed on).
 */
import { createHmac } from 'node:crypto';
import type { ChannelMessage } from '../domain/notify/message.js';
import type { PostOutcome } from '../domain/notify/retry-policy.js';
import type { ChannelKind } from '../schemas/channels.js';
import type { ChannelCredentials } from './secret-store.js';

export interface PostRequest {
  kind: ChannelKind;
  credentials: ChannelCredentials;
  message: ChannelMessage;
  mentionMobiles: readonly string[];
  /** Stable for the same notices on the same channel: the signed webhook's receiver deduplicates by it. */
  deliveryId: string;
  /** The notices the message carries, for the signed webhook's JSON body. */
  notices: readonly Record<string, unknown>[];
  now: Date;
}

export type Poster = (request: PostRequest) => Promise<PostOutcome>;

/** DingTalk 加签: Base64 of HMAC-SHA256 over `timestamp + "\n" + secret`, keyed by the secret. */
export function dingTalkSign(timestampMs: number, secret: string): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

/** The signed webhook's signature header value: hex HMAC-SHA256 over `timestamp + "." + body`. */
export function webhookSignature(timestamp: string, body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Robot error codes that mean "too fast, try later"; every other non-zero code is final. */
const RETRYABLE_ERRCODES = new Set([45009, 130101, -1]);
const TIMEOUT_MS = 10_000;

function fromHttp(status: number, retryAfter: string | null): PostOutcome | undefined {
  if (status >= 200 && status < 300) return undefined;
  const retryable = status === 408 || status === 429 || status >= 500;
  const seconds = Number(retryAfter);
  return {
    ok: false,
    retryable,
    reason: status === 429 ? '对方限流(HTTP 429)' : `对方返回 HTTP ${status}`,
    retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined,
  };
}

async function robotAnswer(res: Response): Promise<PostOutcome> {
  const http = fromHttp(res.status, res.headers.get('retry-after'));
  if (http !== undefined) return http;
  let body: { errcode?: unknown; errmsg?: unknown } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    return { ok: false, retryable: true, reason: '机器人应答不是 JSON' };
  }
  const code = typeof body.errcode === 'number' ? body.errcode : Number.NaN;
  if (code === 0) return { ok: true };
  const message = typeof body.errmsg === 'string' ? body.errmsg.slice(0, 120) : '';
  return {
    ok: false,
    retryable: RETRYABLE_ERRCODES.has(code),
    reason: `机器人拒绝:errcode ${Number.isNaN(code) ? '缺失' : code}${message ? ` ${message}` : ''}`,
  };
}

function networkFailure(err: unknown): PostOutcome {
  const name = err instanceof Error ? err.name : '';
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined)?.code : undefined;
  const what = name === 'TimeoutError' ? '超时' : typeof cause === 'string' ? cause : '网络错误';
  return { ok: false, retryable: true, reason: `连接失败(${what})` };
}

/** The poster for real endpoints, through `fetchImpl` (global fetch by default). */
export function httpPoster(fetchImpl: typeof fetch = fetch): Poster {
  const post = async (url: string, body: string, headers: Record<string, string>) =>
    fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });

  return async (req) => {
    const { credentials, message } = req;
    try {
      switch (req.kind) {
        case 'wecom': {
          const body = { msgtype: 'markdown', markdown: { content: message.markdown } };
          return await robotAnswer(await post(credentials.webhookUrl, JSON.stringify(body), {}));
        }
        case 'dingtalk': {
          if (credentials.secret === undefined)
            return { ok: false, retryable: false, reason: '缺少加签密钥' };
          const timestamp = req.now.getTime();
          const url = new URL(credentials.webhookUrl);
          url.searchParams.set('timestamp', String(timestamp));
          url.searchParams.set('sign', dingTalkSign(timestamp, credentials.secret));
          const body = {
            msgtype: 'markdown',
            markdown: { title: message.title, text: message.markdown },
            at: { atMobiles: [...req.mentionMobiles], isAtAll: false },
          };
          return await robotAnswer(await post(url.toString(), JSON.stringify(body), {}));
        }
        case 'webhook': {
          if (credentials.secret === undefined)
            return { ok: false, retryable: false, reason: '缺少签名密钥' };
          const timestamp = String(Math.floor(req.now.getTime() / 1000));
          const body = JSON.stringify({
            deliveryId: req.deliveryId,
            title: message.title,
            markdown: message.markdown,
            notices: req.notices,
          });
          const res = await post(credentials.webhookUrl, body, {
            'x-duban-timestamp': timestamp,
            'x-duban-signature': webhookSignature(timestamp, body, credentials.secret),
            'x-duban-delivery': req.deliveryId,
          });
          return fromHttp(res.status, res.headers.get('retry-after')) ?? { ok: true };
        }
        case 'sms':
          return { ok: false, retryable: false, reason: '短信通道暂不支持(需运营商审核的模板)' };
      }
    } catch (err) {
      return networkFailure(err);
    }
  };
}
