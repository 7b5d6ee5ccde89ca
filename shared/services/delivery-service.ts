/**
 * The delivery loop: pushes the notices in the outbox to their recipients' channels, never on a
 * request's or the sweep's path. Each (notice, channel) is claimed with one conditional write
 * before it is posted, so concurrent and retried runs post it once; what is due for one group goes
 * in one message, within the robot's per-minute limit; quiet hours hold all but urgent levels.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { ChannelRepository, StoredChannel } from '../db/channel-repository.js';
import type { DeliveryRepository, DeliveryResult } from '../db/delivery-repository.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { composeMessage, inMessages } from '../domain/notify/message.js';
import { DEFAULT_QUIET_HOURS, type QuietHours, releaseAt } from '../domain/notify/quiet-hours.js';
import { nextAttemptAt } from '../domain/notify/retry-policy.js';
import type { SecretStore } from '../notify/secret-store.js';
import type { Poster } from '../notify/senders.js';
import type { Notice } from '../schemas/notices.js';
import { ROBOT_POSTS_PER_MINUTE } from './channel-service.js';

export interface DeliveryRunResult {
  /** Notices read from the outbox. */
  notices: number;
  /** Notices left for the end of quiet hours. */
  held: number;
  /** Messages posted (each may carry several notices). */
  posts: number;
  sent: number;
  retried: number;
  failed: number;
}

export interface DeliveryService {
  run(now: Date): Promise<DeliveryRunResult>;
}

export interface DeliveryOptions {
  /** The site the duty pages are served from, for the link in each message (read at each run). */
  siteUrl: string | (() => string);
  /** Notices read per run. @default 1000 */
  batchSize?: number;
  /** How long a claim holds before another run may take it over. @default 60 s */
  leaseMs?: number;
  /** Channels posted to at once. @default 8 */
  concurrency?: number;
  robotPostsPerMinute?: number;
  log?: (entry: Record<string, unknown>) => void;
}

const nextMinute = (now: Date) => new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);

/** The same id for the same notices on the same channel: a webhook receiver deduplicates by it. */
const deliveryIdOf = (channelId: string, notices: readonly Notice[]) =>
  createHash('sha256')
    .update(
      `${channelId}:${notices
        .map((n) => n.id)
        .sort()
        .join(',')}`,
    )
    .digest('hex')
    .slice(0, 32);

export function deliveryService(
  deps: {
    channels: ChannelRepository;
    deliveries: DeliveryRepository;
    units: UnitRepository;
    secrets: SecretStore;
    post: Poster;
  },
  options: DeliveryOptions,
): DeliveryService {
  const leaseMs = options.leaseMs ?? 60_000;
  const limit = options.robotPostsPerMinute ?? ROBOT_POSTS_PER_MINUTE;
  const log = options.log ?? (() => {});

  async function deliverToChannel(
    channel: StoredChannel,
    notices: readonly Notice[],
    unitNames: ReadonlyMap<string, string>,
    now: Date,
    tally: DeliveryRunResult,
  ): Promise<void> {
    const token = randomUUID();
    const claimed: Notice[] = [];
    const attemptsOf = new Map<string, number>();
    await Promise.all(
      notices.map(async (n) => {
        const attempts = await deps.deliveries.claim(n.id, channel.id, token, now, leaseMs);
        if (attempts === undefined) return;
        claimed.push(n);
        attemptsOf.set(n.id, attempts);
      }),
    );
    if (claimed.length === 0) return;
    claimed.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const finishAll = (batch: readonly Notice[], result: DeliveryResult) =>
      Promise.all(batch.map((n) => deps.deliveries.finish(n.id, channel.id, token, result)));

    const credentials = await deps.secrets.get(channel.secretName);
    if (credentials === undefined) {
      tally.failed += claimed.length;
      await finishAll(claimed, { kind: 'failed', reason: '通道密钥缺失' });
      await deps.channels.recordResult(channel.id, {
        ok: false,
        at: now.toISOString(),
        reason: '通道密钥缺失',
      });
      return;
    }
    let last: { ok: boolean; reason: string | null } | undefined;
    for (const batch of inMessages(claimed)) {
      if (!(await deps.deliveries.takeRobotSlot(channel.id, now, limit))) {
        // The robot's minute is spent: gathered for the next minute, never dropped or burst.
        tally.retried += batch.length;
        await finishAll(batch, {
          kind: 'retry',
          reason: '等待机器人限额(约 20 条/分钟)',
          nextAttemptAt: nextMinute(now).toISOString(),
          countAttempt: false,
        });
        continue;
      }
      const message = composeMessage(batch, {
        unitNames,
        baseUrl: typeof options.siteUrl === 'string' ? options.siteUrl : options.siteUrl(),
        mentionMobiles: channel.mentionMobiles,
      });
      const outcome = await deps.post({
        kind: channel.kind,
        credentials,
        message,
        mentionMobiles: channel.mentionMobiles,
        deliveryId: deliveryIdOf(channel.id, batch),
        notices: batch.map((n) => ({
          id: n.id,
          dutyId: n.dutyId,
          dutyTitle: n.dutyTitle,
          unitId: n.unitId,
          level: n.level,
          levelLabel: n.levelLabel,
          dueAt: n.dueAt,
        })),
        now,
      });
      tally.posts++;
      if (outcome.ok) {
        tally.sent += batch.length;
        last = { ok: true, reason: null };
        await finishAll(batch, { kind: 'sent', at: now.toISOString() });
        continue;
      }
      last = { ok: false, reason: outcome.reason };
      log({ level: 'warn', message: 'channel post failed', channelId: channel.id, reason: outcome.reason });
      // The batch backs off by its most-tried notice.
      const attempts = Math.max(0, ...batch.map((n) => attemptsOf.get(n.id) ?? 0));
      const next = nextAttemptAt(now, attempts + 1, outcome);
      if (next === null) {
        tally.failed += batch.length;
        await finishAll(batch, { kind: 'failed', reason: outcome.reason });
      } else {
        tally.retried += batch.length;
        await finishAll(batch, {
          kind: 'retry',
          reason: outcome.reason,
          nextAttemptAt: next.toISOString(),
          countAttempt: true,
        });
      }
    }
    if (last !== undefined) await deps.channels.recordResult(channel.id, { ...last, at: now.toISOString() });
  }

  async function settle(noticeId: string, targets: readonly StoredChannel[]): Promise<void> {
    const records = targets.length === 0 ? [] : await deps.deliveries.list(noticeId);
    const final = new Set(
      records.filter((r) => r.status === 'sent' || r.status === 'failed').map((r) => r.channelId),
    );
    if (targets.every((c) => final.has(c.id))) await deps.deliveries.clearOutbox(noticeId);
  }

  return {
    async run(now) {
      const tally: DeliveryRunResult = { notices: 0, held: 0, posts: 0, sent: 0, retried: 0, failed: 0 };
      const outbox = await deps.deliveries.outboxDue(now, options.batchSize ?? 1000);
      tally.notices = outbox.length;
      if (outbox.length === 0) return tally;
      const settings = await deps.channels.settings();
      const quiet: QuietHours = {
        ...DEFAULT_QUIET_HOURS,
        start: settings.quietStart,
        end: settings.quietEnd,
        urgentLevels: settings.urgentLevels,
      };
      const byOwner = new Map<string, StoredChannel[]>();
      for (const c of await deps.channels.list()) byOwner.set(c.owner, [...(byOwner.get(c.owner) ?? []), c]);

      const perChannel = new Map<string, { channel: StoredChannel; notices: Notice[] }>();
      const targetsOf = new Map<string, StoredChannel[]>();
      for (const notice of outbox) {
        if (releaseAt(now, notice.level, quiet).getTime() > now.getTime()) {
          tally.held++;
          continue;
        }
        const targets = notice.recipients.flatMap((r) => byOwner.get(r) ?? []);
        targetsOf.set(notice.id, targets);
        for (const channel of targets) {
          const entry = perChannel.get(channel.id) ?? { channel, notices: [] };
          entry.notices.push(notice);
          perChannel.set(channel.id, entry);
        }
      }
      const unitIds = [...new Set(outbox.map((n) => n.unitId))];
      const unitNames = new Map([...(await deps.units.getMany(unitIds))].map(([id, u]) => [id, u.name]));

      const work = [...perChannel.values()];
      const concurrency = options.concurrency ?? 8;
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, work.length) }, async () => {
          for (let i = next++; i < work.length; i = next++) {
            const item = work[i];
            if (item === undefined) continue;
            const lease = randomUUID();
            // Another run holds this group: it posts what is due, gathered; this run leaves it.
            if (!(await deps.deliveries.leaseChannel(item.channel.id, lease, now, leaseMs))) continue;
            try {
              await deliverToChannel(item.channel, item.notices, unitNames, now, tally);
            } catch (err) {
              log({
                level: 'error',
                message: 'channel delivery failed',
                channelId: item.channel.id,
                error: err instanceof Error ? err.name : 'unknown',
              });
            }
            await deps.deliveries.releaseChannel(item.channel.id, lease);
          }
        }),
      );
      const settled = [...targetsOf.entries()];
      for (let i = 0; i < settled.length; i += 16) {
        await Promise.all(
          settled.slice(i, i + 16).map(async ([id, targets]) => {
            await settle(id, targets);
          }),
        );
      }
      log({ level: 'info', message: 'delivery run', ...tally });
      return tally;
    },
  };
}
