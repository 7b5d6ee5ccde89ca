/**
 * The morning digest sent (早间提醒): at 08:30 Asia/Shanghai on each working day (the official
 * calendar with the office's overrides), one message per unit that has a channel. Each unit's
 * digest is written once under its fixed key before anything is posted, and each (digest,
 * channel) is claimed like a notice's delivery, so concurrent and repeated runs post it once;
 * a later run the same day retries what failed and skips what is done. Reads are per unit, by key:
 * its duties (D2) and its sign-off queue (D6), never the whole table.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { CalendarRepository } from '../db/calendar-repository.js';
import type { ChannelRepository, StoredChannel } from '../db/channel-repository.js';
import type { DeliveryRepository } from '../db/delivery-repository.js';
import type { DigestRepository, StoredDigest } from '../db/digest-repository.js';
import type { DutyRepository } from '../db/duty-repository.js';
import { digestId, signOffPk } from '../db/keys.js';
import type { UnitRepository } from '../db/unit-repository.js';
import { createWorkingCalendar, type WorkingCalendar } from '../domain/calendar/working-calendar.js';
import {
  composeDigest,
  type DigestDuty,
  digestMarkdown,
  isDigestDay,
} from '../domain/digest/morning-digest.js';
import { nextAttemptAt } from '../domain/notify/retry-policy.js';
import { DEFAULT_TIME_ZONE, localDateOf, zonedToInstant } from '../domain/time/zoned-time.js';
import type { SecretStore } from '../notify/secret-store.js';
import type { Poster } from '../notify/senders.js';
import type { DutyRecord } from '../schemas/duties.js';
import { ROBOT_POSTS_PER_MINUTE } from './channel-service.js';

/** The local time the digest goes out. */
export const DIGEST_AT = { hour: 8, minute: 30 } as const;

export interface DigestRunResult {
  /** The local date the run is for. */
  date: string;
  /** Why nothing was done: not a working day, or before 08:30. */
  skipped: 'not_working_day' | 'too_early' | null;
  /** Units with a channel. */
  units: number;
  /** Digests written by this run (the others were written by an earlier or concurrent one). */
  composed: number;
  /** Units with nothing to act on: no message. */
  empty: number;
  posts: number;
  sent: number;
  retried: number;
  failed: number;
}

export interface DigestService {
  run(now: Date): Promise<DigestRunResult>;
}

const UNITS_IN_FLIGHT = 8;

/** The same id for the same digest on the same channel: a webhook receiver deduplicates by it. */
const deliveryIdOf = (id: string, channelId: string) =>
  createHash('sha256').update(`${channelId}:${id}`).digest('hex').slice(0, 32);

async function collect<T>(pages: AsyncGenerator<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) all.push(...page);
  return all;
}

async function inWaves<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += UNITS_IN_FLIGHT) {
    await Promise.all(items.slice(i, i + UNITS_IN_FLIGHT).map(each));
  }
}

export function digestService(
  deps: {
    channels: ChannelRepository;
    deliveries: DeliveryRepository;
    digests: DigestRepository;
    duties: DutyRepository;
    units: UnitRepository;
    calendars: CalendarRepository;
    secrets: SecretStore;
    post: Poster;
  },
  options: {
    siteUrl: string | (() => string);
    timeZone?: string;
    leaseMs?: number;
    log?: (entry: Record<string, unknown>) => void;
  },
): DigestService {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  const leaseMs = options.leaseMs ?? 60_000;
  const log = options.log ?? (() => {});

  /** The unit's open duties and the submissions waiting for its confirmation, as the digest reads them. */
  async function dutiesOf(unitId: string): Promise<DigestDuty[]> {
    const [own, waiting] = await Promise.all([
      collect(deps.duties.acrossPlans(unitId, ['open'])),
      collect(deps.duties.inSignOff(signOffPk(unitId))),
    ]);
    const submitters = await deps.units.getMany([...new Set(waiting.map((d) => d.unitId))]);
    const toDigest = (d: DutyRecord): DigestDuty => ({
      id: d.id,
      title: d.title,
      status: d.status,
      dueAt: d.dueAt,
      returns: d.returns,
      awaitingConfirmationFrom: d.awaitingConfirmationFrom ?? null,
      unitName: submitters.get(d.unitId)?.name ?? d.unitId,
    });
    return [...own, ...waiting.filter((d) => d.status === 'submitted')].map(toDigest);
  }

  async function compose(
    unitId: string,
    unitName: string,
    now: Date,
    calendar: WorkingCalendar,
  ): Promise<StoredDigest> {
    const digest = composeDigest({ unitId, duties: await dutiesOf(unitId), now, timeZone, calendar });
    const baseUrl = typeof options.siteUrl === 'string' ? options.siteUrl : options.siteUrl();
    return {
      unitId,
      date: localDateOf(now, timeZone),
      title: digest === null ? null : `督办早间提醒 · ${unitName}`,
      markdown: digest === null ? null : digestMarkdown(digest, unitName, baseUrl, timeZone),
      composedAt: now.toISOString(),
      done: digest === null,
    };
  }

  /** Posts the digest to one channel unless another run has it or it is final; tallies the outcome. */
  async function deliver(
    digest: StoredDigest,
    channel: StoredChannel,
    now: Date,
    tally: DigestRunResult,
  ): Promise<void> {
    const id = digestId(digest.unitId, digest.date);
    const token = randomUUID();
    const attempts = await deps.deliveries.claim(id, channel.id, token, now, leaseMs);
    if (attempts === undefined) return;
    const finish = (result: Parameters<DeliveryRepository['finish']>[3]) =>
      deps.deliveries.finish(id, channel.id, token, result);
    const credentials = await deps.secrets.get(channel.secretName);
    if (credentials === undefined) {
      tally.failed++;
      await finish({ kind: 'failed', reason: '通道密钥缺失' });
      await deps.channels.recordResult(channel.id, {
        ok: false,
        at: now.toISOString(),
        reason: '通道密钥缺失',
      });
      return;
    }
    if (!(await deps.deliveries.takeRobotSlot(channel.id, now, ROBOT_POSTS_PER_MINUTE))) {
      tally.retried++;
      await finish({
        kind: 'retry',
        reason: '等待机器人限额(约 20 条/分钟)',
        nextAttemptAt: new Date(now.getTime() + 60_000).toISOString(),
        countAttempt: false,
      });
      return;
    }
    const outcome = await deps.post({
      kind: channel.kind,
      credentials,
      message: { title: digest.title ?? '督办早间提醒', markdown: digest.markdown ?? '' },
      mentionMobiles: [],
      deliveryId: deliveryIdOf(id, channel.id),
      notices: [],
      now,
    });
    tally.posts++;
    await deps.channels.recordResult(channel.id, {
      ok: outcome.ok,
      at: now.toISOString(),
      reason: outcome.ok ? null : outcome.reason,
    });
    if (outcome.ok) {
      tally.sent++;
      await finish({ kind: 'sent', at: now.toISOString() });
      return;
    }
    log({ level: 'warn', message: 'digest post failed', channelId: channel.id, reason: outcome.reason });
    const next = nextAttemptAt(now, attempts + 1, outcome);
    if (next === null) {
      tally.failed++;
      await finish({ kind: 'failed', reason: outcome.reason });
    } else {
      tally.retried++;
      await finish({
        kind: 'retry',
        reason: outcome.reason,
        nextAttemptAt: next.toISOString(),
        countAttempt: true,
      });
    }
  }

  return {
    async run(now) {
      const date = localDateOf(now, timeZone);
      const tally: DigestRunResult = {
        date,
        skipped: null,
        units: 0,
        composed: 0,
        empty: 0,
        posts: 0,
        sent: 0,
        retried: 0,
        failed: 0,
      };
      const calendar = createWorkingCalendar(await deps.calendars.list());
      if (!isDigestDay(now, timeZone, calendar)) return { ...tally, skipped: 'not_working_day' };
      const [year, month, day] = date.split('-').map(Number) as [number, number, number];
      if (now < zonedToInstant({ year, month, day, ...DIGEST_AT }, timeZone))
        return { ...tally, skipped: 'too_early' };

      const byUnit = new Map<string, StoredChannel[]>();
      for (const c of await deps.channels.list()) {
        if (!c.owner.startsWith('unit:')) continue;
        const unitId = c.owner.slice('unit:'.length);
        byUnit.set(unitId, [...(byUnit.get(unitId) ?? []), c]);
      }
      const unitIds = [...byUnit.keys()].sort();
      tally.units = unitIds.length;
      if (unitIds.length === 0) return tally;
      const [written, units] = await Promise.all([
        deps.digests.getMany(unitIds, date),
        deps.units.getMany(unitIds),
      ]);

      await inWaves(unitIds, async (unitId) => {
        const unit = units.get(unitId);
        if (unit === undefined) return;
        try {
          let digest = written.get(unitId);
          if (digest === undefined) {
            const fresh = await compose(unitId, unit.name, now, calendar);
            digest = await deps.digests.create(fresh);
            if (digest === fresh) tally.composed++;
          }
          if (digest.markdown === null) {
            tally.empty++;
            return;
          }
          if (digest.done) return;
          const channels = byUnit.get(unitId) ?? [];
          await Promise.all(channels.map((c) => deliver(digest, c, now, tally)));
          const records = await deps.deliveries.list(digestId(unitId, date));
          const final = new Set(
            records.filter((r) => r.status === 'sent' || r.status === 'failed').map((r) => r.channelId),
          );
          if (channels.every((c) => final.has(c.id))) await deps.digests.markDone(unitId, date);
        } catch (err) {
          log({
            level: 'error',
            message: 'digest failed',
            unitId,
            error: err instanceof Error ? err.name : 'unknown',
          });
        }
      });
      log({ level: 'info', message: 'digest run', ...tally });
      return tally;
    },
  };
}
