/**
 * The sweep's writes of a level's notice without a transaction: single conditional items in a
 * crash-safe order, each idempotent, so that concurrent and interrupted sweeps finish one another's
 * work and never write anything twice. The order and what each step guarantees are on `LevelWriter`.
 */
import { BatchGetCommand, PutCommand, type PutCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { AuditEventSchema } from '../schemas/audit.js';
import { type Notice, NoticeSchema } from '../schemas/notices.js';
import { type AuditEvent, auditPut } from './audit.js';
import type { TableRef } from './client.js';
import {
  dutyKey,
  inboxKeys,
  noticeDirectoryKeys,
  noticeKey,
  noticeRecipientKey,
  outboxKeys,
  sweepPk,
} from './keys.js';
import { withRetry, writeIfCondition } from './retry.js';

/** How the duty's ladder moves on once a level's notice is written. */
export interface LadderStep {
  /** The duty must still be at this level index (and open, in the notice's round). */
  fromIndex: number;
  toIndex: number;
  /** When the level after this one fires; null when this was the last. */
  nextActionAt: string | null;
  /**
   * When the sweep must look at the duty again, if earlier than `nextActionAt`: an unsigned 签收's
   * deadline (see sweepWakeAt). Absent: at `nextActionAt`.
   */
  sweepAt?: string | null | undefined;
}

/**
 * A notice outside the ladder (签收 overdue, 催办 by hand) and the audit event recording it. The
 * notice item keeps the event (`noticeEvent`), so whoever finds the notice written writes the
 * first writer's event, never a second version of it.
 */
export interface SingleNotice {
  notice: Notice;
  audit: AuditEvent;
}

/**
 * What a sweep decided for one level of one duty: the notice, the duty's ladder step and the audit
 * event recording it. The notice item stores all three, so whoever finds the notice written — a
 * concurrent sweep, or a later one after a crash — carries out the first writer's decision, never a
 * second version of it.
 */
export interface LevelDecision {
  notice: Notice;
  ladder: LadderStep;
  audit: AuditEvent;
}

export interface LevelsOutcome {
  /** Notices this call wrote. */
  created: number;
  /**
   * Notices it found already stored (by a concurrent sweep, or by one that stopped half-way); it
   * wrote whatever of their inbox entries and audit events was missing.
   */
  existed: number;
  /**
   * True when this call moved the duty's ladder on past the last level; false when the duty had
   * moved (a concurrent sweep, a submit, a new round), which the caller reads again.
   */
  advanced: boolean;
}

export interface LevelWriter {
  /**
   * Writes the notices of one duty's due levels (in ladder order) and moves the duty on past them,
   * as single idempotent writes in a crash-safe order, no transaction:
   *  1. each notice, conditional on its fixed id (duty, round, level);
   *  2. its other recipients' inbox entries and its audit event, each conditional on a fixed key;
   *  3. then the duty's ladder step, conditional on the duty being open, in that round and at the
   *     first level's `fromIndex`.
   * A notice found already stored is taken as stored and its step 2 done again (a no-op where it
   * was done): a writer that stopped after any step is finished by the next, and nothing is
   * written twice. Step 3's condition keeps a submit that raced the sweep. Each write is retried
   * on its own while the table throttles, so what this call wrote is counted as its own.
   */
  writeLevels(levels: readonly LevelDecision[]): Promise<LevelsOutcome>;
  /**
   * Finishes the notices among `ids` that are stored (step 2, and step 3 where the duty is still
   * at that level): the recovery of a sweep that stopped half-way. Returns how many were stored.
   */
  finishStored(ids: readonly string[]): Promise<number>;
  /**
   * Writes one notice outside the ladder the same way (steps 1 and 2 of `writeLevels`: the notice
   * on its fixed id, then its other recipients' inbox entries and its audit event, each
   * conditional), so it is written once however many writers race, and one that stopped half-way
   * is finished by the next. True when this call wrote the notice.
   */
  writeNotice(single: SingleNotice): Promise<boolean>;
  /**
   * Marks a duty's receipt notice written (`receiptNoticedAt`) if the duty is still in that round
   * of 签收 and not marked; false when it is not (left as it is).
   */
  markReceiptNoticed(dutyId: string, receiptRound: number, at: string): Promise<boolean>;
}

/** The recipient whose inbox entry is the notice item itself: the duty's own unit, always one. */
export const ownRecipient = (notice: Pick<Notice, 'unitId'>) => `unit:${notice.unitId}`;

/** The decision as the notice item keeps it (`escalation`), beside the notice's own fields. */
const StoredEscalationSchema = z.object({
  ladder: z.object({
    fromIndex: z.number().int(),
    toIndex: z.number().int(),
    nextActionAt: z.string().nullable(),
    sweepAt: z.string().nullable().optional(),
  }),
  event: AuditEventSchema,
});

/** A stored notice item's decision; undefined for notices stored before decisions were kept. */
function storedDecision(item: Record<string, unknown>): LevelDecision | undefined {
  if (item.escalation === undefined) return undefined;
  const { ladder, event } = StoredEscalationSchema.parse(item.escalation);
  return { notice: NoticeSchema.parse(item), ladder, audit: event as AuditEvent };
}

const BATCH_GET_LIMIT = 100;
/** Duties finished at once when a sweep recovers what another left half-written. */
const RECOVERY_CONCURRENCY = 8;

/**
 * The stored notice items among `ids`, raw, by id; asks again for what a BatchGet left unprocessed.
 * Consistent reads where the caller must see a write that just refused its Put.
 */
/** One recipient's inbox entry of a notice, written once (an existing one may carry its 签收). */
function recipientEntry(tableName: string, notice: Notice, recipient: string): PutCommandInput {
  return {
    TableName: tableName,
    Item: {
      ...noticeRecipientKey(notice.id, recipient),
      ...inboxKeys(recipient, notice.createdAt, notice.id),
      entity: 'NoticeRecipient',
      noticeId: notice.id,
      planId: notice.planId,
      level: notice.level,
      recipient,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

export async function getNoticeItems(
  ref: TableRef,
  ids: readonly string[],
  options: { consistent: boolean },
): Promise<Map<string, Record<string, unknown>>> {
  const { doc, tableName } = ref;
  const found = new Map<string, Record<string, unknown>>();
  for (let start = 0; start < ids.length; start += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] = ids.slice(start, start + BATCH_GET_LIMIT).map(noticeKey);
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > 8) throw new Error('BatchGet kept returning unprocessed keys');
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const request = { RequestItems: { [tableName]: { Keys: keys, ConsistentRead: options.consistent } } };
      const out = await withRetry(() => doc.send(new BatchGetCommand(request)));
      for (const item of out.Responses?.[tableName] ?? []) found.set(item.id as string, item);
      keys = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return found;
}

export function levelWriter(ref: TableRef): LevelWriter {
  const { doc, tableName } = ref;
  const getItems = (ids: readonly string[]) => getNoticeItems(ref, ids, { consistent: true });

  /** A conditional Put; false when an item with that key is already there (left as it is). */
  const putIfAbsent = (input: PutCommandInput): Promise<boolean> =>
    writeIfCondition(() => doc.send(new PutCommand(input)));

  /** Step 1: the notice, carrying its decision; false when its id is already stored. */
  function putNotice(
    notice: Notice,
    decision: { escalation: { ladder: LadderStep; event: AuditEvent } } | { noticeEvent: AuditEvent },
  ): Promise<boolean> {
    return putIfAbsent({
      TableName: tableName,
      Item: {
        ...noticeKey(notice.id),
        ...noticeDirectoryKeys(notice.planId, notice.createdAt, notice.id),
        // The notice item is its own unit's inbox entry: one write fewer for every notice.
        ...inboxKeys(ownRecipient(notice), notice.createdAt, notice.id),
        // Every notice is deliverable: the delivery loop reads the outbox (O1), never the sweep.
        ...outboxKeys(notice.createdAt, notice.id),
        entity: 'Notice',
        ...withoutEmptyTask(notice),
        ...decision,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  }

  /**
   * Step 2, side by side, each conditional on its fixed key: an entry or event already written by
   * an earlier writer is kept as it is (an inbox entry may carry an acknowledgement by now).
   */
  async function writeEntries({ notice, audit }: SingleNotice): Promise<void> {
    await Promise.all([
      ...notice.recipients
        .filter((recipient) => recipient !== ownRecipient(notice))
        .map((recipient) => putIfAbsent(recipientEntry(tableName, notice, recipient))),
      putIfAbsent(auditPut(ref, audit).Put),
    ]);
  }

  /**
   * Step 3: the duty moves from `fromIndex` to where `last` leaves it, if it is still open, in that
   * round and at `fromIndex`; false when it is not (it is then left as it is).
   */
  async function advance(fromIndex: number, last: LevelDecision): Promise<boolean> {
    const { notice, ladder } = last;
    const wake = ladder.sweepAt ?? ladder.nextActionAt;
    const next =
      wake === null
        ? {
            update:
              'SET nextLevelIndex = :to, lastNoticeLevel = :level, nextActionAt = :none REMOVE gsi4pk, gsi4sk',
            values: { ':none': null },
          }
        : {
            update:
              'SET nextLevelIndex = :to, lastNoticeLevel = :level, nextActionAt = :next, gsi4pk = :g4pk, gsi4sk = :g4sk',
            values: {
              ':next': ladder.nextActionAt,
              ':g4pk': sweepPk(notice.planId),
              ':g4sk': `${wake}#${notice.dutyId}`,
            },
          };
    const input = {
      TableName: tableName,
      Key: dutyKey(notice.dutyId),
      UpdateExpression: next.update,
      // What keeps a submit (or a new round) that raced the sweep: the duty is then left as it is.
      ConditionExpression: '#status = :open AND #round = :round AND nextLevelIndex = :from',
      ExpressionAttributeNames: { '#status': 'status', '#round': 'round' },
      ExpressionAttributeValues: {
        ':open': 'open',
        ':round': notice.round,
        ':from': fromIndex,
        ':to': ladder.toIndex,
        ':level': notice.level,
        ...next.values,
      },
    };
    return writeIfCondition(() => doc.send(new UpdateCommand(input)));
  }

  return {
    async writeLevels(levels) {
      const [first] = levels;
      if (first === undefined) return { created: 0, existed: 0, advanced: false };
      // One level after the other: each event's instant is after the stored event of the level
      // before, whoever wrote that, so a duty's history reads in ladder order even when sweeps
      // running at once wrote its levels.
      const decisions: LevelDecision[] = [];
      let created = 0;
      for (const level of levels) {
        const previous = decisions.at(-1)?.audit.at;
        const ours =
          previous === undefined || level.audit.at > previous
            ? level
            : { ...level, audit: { ...level.audit, at: new Date(Date.parse(previous) + 1).toISOString() } };
        if (await putNotice(ours.notice, { escalation: { ladder: ours.ladder, event: ours.audit } })) {
          created++;
          decisions.push(ours);
          continue;
        }
        // Someone wrote it first: its content (time, recipients, event) is the notice's, not ours.
        const item = (await getItems([level.notice.id])).get(level.notice.id);
        if (item === undefined)
          throw new Error(`notice ${level.notice.id} refused its Put but is not stored`);
        // A notice stored before decisions were kept was written whole, in one transaction.
        decisions.push(storedDecision(item) ?? ours);
      }
      await Promise.all(decisions.map(writeEntries));
      return {
        created,
        existed: levels.length - created,
        advanced: await advance(first.ladder.fromIndex, decisions.at(-1) ?? first),
      };
    },

    async writeNotice(single) {
      if (await putNotice(single.notice, { noticeEvent: single.audit })) {
        await writeEntries(single);
        return true;
      }
      // Someone wrote it first: its recipients and event are the notice's, not ours.
      const item = (await getItems([single.notice.id])).get(single.notice.id);
      if (item === undefined) throw new Error(`notice ${single.notice.id} refused its Put but is not stored`);
      const event =
        item.noticeEvent === undefined
          ? single.audit
          : (AuditEventSchema.parse(item.noticeEvent) as AuditEvent);
      await writeEntries({ notice: NoticeSchema.parse(item), audit: event });
      return false;
    },

    async markReceiptNoticed(dutyId, receiptRound, at) {
      return writeIfCondition(() =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: dutyKey(dutyId),
            UpdateExpression: 'SET receiptNoticedAt = :at',
            ConditionExpression:
              'attribute_exists(pk) AND #receipt.#round = :round AND (attribute_not_exists(receiptNoticedAt) OR receiptNoticedAt = :none)',
            ExpressionAttributeNames: { '#receipt': 'receipt', '#round': 'round' },
            ExpressionAttributeValues: { ':at': at, ':round': receiptRound, ':none': null },
          }),
        ),
      );
    },

    async finishStored(ids) {
      const byDuty = new Map<string, LevelDecision[]>();
      for (const item of (await getItems(ids)).values()) {
        const decision = storedDecision(item);
        if (decision === undefined) continue;
        byDuty.set(decision.notice.dutyId, [...(byDuty.get(decision.notice.dutyId) ?? []), decision]);
      }
      // A few duties at a time; a duty's steps in ladder order, each from where its notice found the
      // duty, so one that has moved on since (or was submitted) keeps its state.
      const duties = [...byDuty.values()];
      for (let start = 0; start < duties.length; start += RECOVERY_CONCURRENCY) {
        await Promise.all(
          duties.slice(start, start + RECOVERY_CONCURRENCY).map(async (ofDuty) => {
            await Promise.all(ofDuty.map(writeEntries));
            for (const d of ofDuty.sort((a, b) => a.ladder.fromIndex - b.ladder.fromIndex)) {
              await advance(d.ladder.fromIndex, d);
            }
          }),
        );
      }
      return duties.reduce((n, ofDuty) => n + ofDuty.length, 0);
    },
  };
}

/**
 * A notice about no task (an indicator's breach) is stored without `taskId`: that attribute keys
 * the byTask index, which takes no empty string. It reads back as ''.
 */
function withoutEmptyTask(notice: Notice): Omit<Notice, 'taskId'> & { taskId?: string } {
  if (notice.taskId !== '') return notice;
  const { taskId: _none, ...rest } = notice;
  return rest;
}

/**
 * A notice about no duty (an indicator's breach, 指标未达标; a 控辍保学 case's notice), written exactly
 * once by its fixed id, the same way as any single notice (`LevelWriter.writeNotice`): the notice
 * item with its audit event kept on it, then its other recipients' entries and that event, each
 * conditional on its own key. True when this call wrote the notice itself.
 */
export function writeStandaloneNotice(ref: TableRef, notice: Notice, audit: AuditEvent): Promise<boolean> {
  return levelWriter(ref).writeNotice({ notice, audit });
}
