import { Hono } from 'hono';
import { decide } from '../../../shared/domain/access/policy.js';
import { ForbiddenError } from '../../../shared/errors.js';
import { PutChannelSchema } from '../../../shared/schemas/channels.js';
import type { AppDeps } from '../../api/deps.js';
import { chromeOf, pathId, unitDirectory, type WebContext } from '../context.js';
import { type FieldErrors, fromServiceError, fromZod, one, optional, readForm } from '../forms.js';
import { Page } from '../layout.js';
import { checkForm, requireSession, type WebEnv } from '../session.js';
import { type ChannelDraft, ChannelForm, ChannelsPage } from './channels-view.js';

const CHANNEL_ID = /^[a-z0-9-]{1,64}$/;

function officeOnly(c: WebContext): void {
  if (!decide(c.get('principal'), 'channel.manage').allowed) {
    throw new ForbiddenError('通知通道由领导小组办公室设置');
  }
}

/**
 * 通知通道: the office's list of channels (failing ones at a glance, with the last reason), a
 * "发送测试消息" button on each, and the add / edit form, whose address and secret are write-only:
 * never rendered back, kept when left blank. Everything goes through the channel service.
 */
export function channelPages(deps: AppDeps) {
  const app = new Hono<WebEnv>();
  const signedIn = requireSession(deps);

  async function list(
    c: WebContext,
    extra: { draft?: ChannelDraft; errors?: FieldErrors; flash?: { kind: 'ok' | 'err'; text: string } } = {},
  ) {
    const p = c.get('principal');
    const [channels, units] = await Promise.all([deps.channels.list(p), unitDirectory(deps, p)]);
    return c.html(
      <ChannelsPage
        chrome={chromeOf(c, { active: 'channels', ...(extra.flash ? { flash: extra.flash } : {}) })}
        channels={channels}
        units={units}
        draft={extra.draft}
        errors={extra.errors}
      />,
      extra.errors === undefined ? 200 : 400,
    );
  }

  async function edit(c: WebContext, id: string, draft?: ChannelDraft, errors?: FieldErrors) {
    const p = c.get('principal');
    const [existing, units] = await Promise.all([deps.channels.get(p, id), unitDirectory(deps, p)]);
    return c.html(
      <Page title={`修改通道 · ${existing.name}`} chrome={chromeOf(c, { active: 'channels' })}>
        <p>
          <a href="/channels">‹ 全部通道</a>
        </p>
        <ChannelForm chrome={chromeOf(c)} units={units} draft={draft} errors={errors} existing={existing} />
      </Page>,
      errors === undefined ? 200 : 400,
    );
  }

  /** Saves the form as channel `id`; on a problem, the form again with the fields named. */
  async function save(c: WebContext, id: string | undefined) {
    const form = await readForm(c);
    const draft: ChannelDraft = {
      id: id ?? one(form, 'id').trim(),
      owner: one(form, 'owner'),
      kind: one(form, 'kind'),
      name: one(form, 'name'),
    };
    const again = (errors: FieldErrors) =>
      id === undefined ? list(c, { draft, errors }) : edit(c, id, draft, errors);
    // Every bad field at once: the id's problem beside the body's.
    const idError: FieldErrors = CHANNEL_ID.test(draft.id)
      ? {}
      : { id: '通道编号须为 1–64 个小写字母、数字或连字符' };
    const mobiles = optional(one(form, 'mentionMobiles'));
    const parsed = PutChannelSchema.safeParse({
      owner: draft.owner,
      kind: draft.kind,
      name: draft.name,
      webhookUrl: optional(one(form, 'webhookUrl')),
      secret: optional(one(form, 'secret')),
      mentionMobiles: mobiles?.split(/[,,、\s]+/).filter((m) => m !== ''),
    });
    if (!parsed.success) return again({ ...idError, ...fromZod(parsed.error) });
    if (idError.id !== undefined) return again(idError);
    try {
      await deps.channels.put(c.get('principal'), draft.id, parsed.data, deps.clock());
    } catch (err) {
      const errors = fromServiceError(err);
      if (errors === undefined) throw err;
      return again(errors);
    }
    return c.redirect(`/channels?ok=channel#ch-${draft.id}`, 303);
  }

  app.get('/channels', signedIn, async (c) => {
    officeOnly(c);
    return list(c);
  });

  app.post('/channels', signedIn, checkForm, async (c) => {
    officeOnly(c);
    return save(c, undefined);
  });

  app.get('/channels/:channelId', signedIn, async (c) => {
    officeOnly(c);
    return edit(c, pathId(c, 'channelId', '通道'));
  });

  app.post('/channels/:channelId', signedIn, checkForm, async (c) => {
    officeOnly(c);
    const id = pathId(c, 'channelId', '通道');
    await deps.channels.get(c.get('principal'), id);
    return save(c, id);
  });

  app.post('/channels/:channelId/test', signedIn, checkForm, async (c) => {
    officeOnly(c);
    const id = pathId(c, 'channelId', '通道');
    const outcome = await deps.channels.test(c.get('principal'), id, deps.clock());
    return list(c, {
      flash: outcome.ok
        ? { kind: 'ok', text: '测试消息已发送,请在群里查看' }
        : { kind: 'err', text: `测试消息发送失败:${outcome.reason ?? '未知原因'}` },
    });
  });

  return app;
}
