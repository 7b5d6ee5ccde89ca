import type { FC } from 'hono/jsx';
import { CHANNEL_KIND_LABELS, type Channel } from '../../../shared/schemas/channels.js';
import type { Unit } from '../../../shared/schemas/units.js';
import { fieldHelpers } from '../fields.js';
import { dateTime } from '../format.js';
import type { FieldErrors } from '../forms.js';
import { type Chrome, Csrf, Page } from '../layout.js';

/** What the form shows back: never the address or the secret, which are write-only. */
export interface ChannelDraft {
  id: string;
  owner: string;
  kind: string;
  name: string;
}

const OWNER_ROLES: Record<string, string> = { 'role:office': '领导小组办公室', 'role:leaders': '领导小组' };
const KINDS = ['wecom', 'dingtalk', 'webhook'] as const;

export const ownerName = (owner: string, units: ReadonlyMap<string, Unit>): string =>
  OWNER_ROLES[owner] ?? units.get(owner.replace(/^unit:/, ''))?.name ?? owner;

const Status: FC<{ channel: Channel }> = ({ channel }) => {
  const r = channel.lastResult;
  if (r === null) return <span class="badge">尚未推送</span>;
  return r.ok ? (
    <span class="badge b-green">正常 · {dateTime(r.at)}</span>
  ) : (
    <span class="badge b-red">
      失败 · {dateTime(r.at)}:{r.reason ?? '未知原因'}
    </span>
  );
};

/** 通知通道: failing channels first, then every channel by owner, each with 发送测试消息; the new-channel form. */
export const ChannelsPage: FC<{
  chrome: Chrome;
  channels: readonly Channel[];
  units: ReadonlyMap<string, Unit>;
  draft?: ChannelDraft | undefined;
  errors?: FieldErrors | undefined;
}> = ({ chrome, channels, units, draft, errors }) => {
  const failing = channels.filter((c) => c.lastResult !== null && !c.lastResult.ok);
  const byOwner = new Map<string, Channel[]>();
  for (const c of [...channels].sort((a, b) => a.owner.localeCompare(b.owner) || a.id.localeCompare(b.id)))
    byOwner.set(c.owner, [...(byOwner.get(c.owner) ?? []), c]);
  return (
    <Page title="通知通道" chrome={chrome}>
      <h1>通知通道</h1>
      <p class="muted">
        督办通知和早间提醒推送到各单位的企业微信、钉钉群机器人或省级平台。地址和密钥只写不读:保存后不再显示。
      </p>
      <section class="card" id="failing">
        <h2>推送失败的通道({failing.length})</h2>
        {failing.length === 0 ? (
          <p class="muted">没有推送失败的通道。</p>
        ) : (
          <ul>
            {failing.map((c) => (
              <li data-failing={c.id}>
                <a href={`/channels/${c.id}`}>{c.name}</a>({ownerName(c.owner, units)}):
                {c.lastResult?.reason ?? '未知原因'}
              </li>
            ))}
          </ul>
        )}
      </section>
      {channels.length === 0 && <p class="muted">尚未设置通道。</p>}
      {[...byOwner].map(([owner, list]) => (
        <section class="card" data-owner={owner}>
          <h2>{ownerName(owner, units)}</h2>
          <table>
            <thead>
              <tr>
                <th>名称</th>
                <th>类型</th>
                <th>地址</th>
                <th>状态</th>
                <th>操作</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => (
                <tr data-channel={c.id}>
                  <td>{c.name}</td>
                  <td>{c.kindLabel}</td>
                  <td>
                    {c.target}
                    {c.hasSecret && <small> · 密钥已设置</small>}
                  </td>
                  <td>
                    <Status channel={c} />
                  </td>
                  <td class="row">
                    <a href={`/channels/${c.id}`}>修改</a>
                    <form method="post" action={`/channels/${c.id}/test`}>
                      <Csrf token={chrome.csrfToken} />
                      <button type="submit" class="light">
                        发送测试消息
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <ChannelForm chrome={chrome} units={units} draft={draft} errors={errors} existing={undefined} />
    </Page>
  );
};

/** The form of a new channel, or of an existing one (its address and secret left blank: kept unless typed). */
export const ChannelForm: FC<{
  chrome: Chrome;
  units: ReadonlyMap<string, Unit>;
  draft: ChannelDraft | undefined;
  errors: FieldErrors | undefined;
  existing: Channel | undefined;
}> = ({ chrome, units, draft, errors, existing }) => {
  const { err, invalid } = fieldHelpers(errors);
  const value = draft ?? {
    id: existing?.id ?? '',
    owner: existing?.owner ?? '',
    kind: existing?.kind ?? 'wecom',
    name: existing?.name ?? '',
  };
  const keep = existing === undefined ? undefined : '已保存(不显示);留空则不变';
  return (
    <form
      method="post"
      action={existing === undefined ? '/channels' : `/channels/${existing.id}`}
      class="card"
      id="channel-form"
      novalidate
    >
      <h2>{existing === undefined ? '新增通道' : `修改通道 · ${existing.name}`}</h2>
      <Csrf token={chrome.csrfToken} />
      {existing === undefined && (
        <>
          <label class="f" for="id">
            通道编号(小写字母、数字和连字符)
          </label>
          <input type="text" id="id" name="id" value={value.id} maxlength={64} class={invalid('id')} />
          {err('id')}
        </>
      )}
      <label class="f" for="owner">
        接收方
      </label>
      <select id="owner" name="owner" class={invalid('owner')}>
        {[...Object.keys(OWNER_ROLES), ...[...units.keys()].map((id) => `unit:${id}`)].map((o) => (
          <option value={o} selected={o === value.owner}>
            {ownerName(o, units)}
          </option>
        ))}
      </select>
      {err('owner')}
      <label class="f" for="kind">
        类型
      </label>
      <select id="kind" name="kind" class={invalid('kind')}>
        {KINDS.map((k) => (
          <option value={k} selected={k === value.kind}>
            {CHANNEL_KIND_LABELS[k]}
          </option>
        ))}
      </select>
      {err('kind')}
      <label class="f" for="name">
        名称
      </label>
      <input type="text" id="name" name="name" value={value.name} maxlength={60} class={invalid('name')} />
      {err('name')}
      <label class="f" for="webhookUrl">
        机器人或 Webhook 地址(含 key / access_token)
      </label>
      <input
        type="url"
        id="webhookUrl"
        name="webhookUrl"
        value=""
        autocomplete="off"
        placeholder={keep ?? 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…'}
        class={invalid('webhookUrl')}
      />
      {err('webhookUrl')}
      <label class="f" for="secret">
        加签密钥 / Webhook 签名密钥(钉钉、签名 Webhook 必填)
      </label>
      <input
        type="password"
        id="secret"
        name="secret"
        value=""
        autocomplete="new-password"
        placeholder={existing?.hasSecret ? keep : undefined}
        class={invalid('secret')}
      />
      {err('secret')}
      <label class="f" for="mentionMobiles">
        推送时 @ 的手机号(逗号分隔,可不填)
      </label>
      <input
        type="text"
        id="mentionMobiles"
        name="mentionMobiles"
        value=""
        placeholder={
          existing !== undefined && existing.mentionMobiles.length > 0
            ? `当前:${existing.mentionMobiles.join('、')};留空则不变`
            : undefined
        }
        class={invalid('mentionMobiles')}
      />
      {err('mentionMobiles')}
      <p class="row actions">
        <button type="submit" class="ok">
          保存
        </button>
      </p>
    </form>
  );
};
