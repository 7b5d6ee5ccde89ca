import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DutyStatus } from '../domain/duty/duty-status.js';
import type { DutyFact } from '../domain/report/duty-at.js';
import type { ProgressFact } from '../domain/report/progress-figures.js';
import type { PastDueFact } from '../domain/report/report-builder.js';
import { z } from '../schemas/common.js';
import {
  type ReportContent,
  ReportContentSchema,
  ReportDutyFactSchema,
  type ReportExtensionFact,
  ReportExtensionFactSchema,
  type ReportFindingFact,
  ReportFindingFactSchema,
  type ReportNoticeFact,
  ReportNoticeFactSchema,
  type ReportSummary,
  ReportSummarySchema,
} from '../schemas/reports.js';
import type { AuditEvent } from './audit.js';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import { type CreateOutcome, getFrozen, putFrozen } from './frozen-store.js';
import {
  ALL_NOTICES_PK,
  dutyKey,
  FINDING_SK_PREFIX,
  openDutiesPk,
  planDutiesPk,
  planDutiesSkPrefix,
  planExtensionsPk,
  planKey,
  planReportsKeys,
  planReportsPk,
  reportHeadKey,
} from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { parentPage, queryPages } from './query.js';
import { INDEX_BY_PARENT, INDEX_BY_UNIT, INDEX_OPEN_BY_DUE } from './table.js';

export { REPORT_MAX_STORED_BYTES, REPORT_PART_BYTES } from './frozen-store.js';

export interface StoredReport {
  summary: ReportSummary;
  content: ReportContent;
}

export interface ReportRepository {
  /**
   * Pattern D3: the plan's duties of one status a page at a time, projected to what a report
   * reads. One stream per status lets a report read the three at once.
   */
  dutyFacts(planId: string, status: DutyStatus): AsyncGenerator<DutyFact[]>;
  /**
   * Pattern D3 for the open status: the plan's open duties a page at a time, projected to what the
   * report's 序时进度 figures read (round, due time, last progress report, milestones).
   */
  progressFacts(planId: string): AsyncGenerator<ProgressFact[]>;
  /**
   * Pattern D4 up to `upTo` (inclusive): the plan's open duties due by then, projected to what the
   * counters' way of a report needs of them.
   */
  pastDueFacts(planId: string, upTo: string): AsyncGenerator<PastDueFact[]>;
  /**
   * Pattern D3 as two key ranges (submitted, accepted) from `after` (exclusive) on: the plan's
   * periodic reports (`kind: report`) filed before they are due. Only those come back; the other
   * kinds in the ranges are read and filtered out.
   */
  filedNotDueReports(planId: string, after: string): AsyncGenerator<{ unitId: string }[]>;
  /** Pattern D1 for many ids (BatchGetItem): those duties as a report reads them. */
  dutyFactsByIds(ids: readonly string[]): Promise<DutyFact[]>;
  /** Pattern N3 as a key range: the plan's notices written up to `upTo` (inclusive), unit and level only. */
  noticeFacts(planId: string, upTo: string): AsyncGenerator<ReportNoticeFact[]>;
  /** Pattern E3 as a key range: the plan's extension requests filed up to `upTo` (inclusive). */
  extensionFacts(planId: string, upTo: string): AsyncGenerator<ReportExtensionFact[]>;
  /** Pattern F1: the plan's supervision findings (few: one per problem found). */
  findingFacts(planId: string): Promise<ReportFindingFact[]>;
  /**
   * Pattern R1: writes the head, every content part and the audit event of its creation in one
   * transaction, unless a report with this id exists. The head's condition makes the first writer
   * win; a later or concurrent one writes nothing (no audit event either) and gets 'exists'.
   */
  create(summary: ReportSummary, content: ReportContent, audit: AuditEvent): Promise<CreateOutcome>;
  /** Pattern R1, the head only. */
  getSummary(id: string): Promise<ReportSummary | undefined>;
  /** Pattern R1: head and content. */
  get(id: string): Promise<StoredReport | undefined>;
  /** Pattern R2: a plan's reports, newest cut-off first. */
  list(planId: string, page: PageRequest): Promise<Page<ReportSummary>>;
}

// Every attribute through a name placeholder: several (status, round, kind …) are reserved words.
const DUTY_FACT_ATTRIBUTES = [
  'id',
  'taskId',
  'unitId',
  'phaseKey',
  'title',
  'kind',
  'status',
  'dueAt',
  'round',
  'returns',
  'reviews',
  'acceptedAt',
  'createdAt',
  'extensions',
  'roundStartedAt',
  'receipt',
] as const;
/** The projection a report reads duties with (exported so the report benchmark's baseline reads the same). */
export const DUTY_FACT_NAMES: Record<string, string> = Object.fromEntries([
  ...DUTY_FACT_ATTRIBUTES.map((a, i) => [`#a${i}`, a]),
  ['#sub', 'submission'],
  ['#subAt', 'submittedAt'],
]);
export const DUTY_FACT_PROJECTION = [...DUTY_FACT_ATTRIBUTES.map((_, i) => `#a${i}`), '#sub.#subAt'].join(
  ', ',
);

/**
 * Items per page of the report's reads. DynamoDB caps a page at 1 MB (about 700 duties) anyway;
 * the explicit limit matters to DynamoDB Local, which without one reads the whole rest of the key
 * range for every page (10,000 duties: 13 s without, 6 s with, on the same machine).
 */
export const REPORT_PAGE_LIMIT = 1_000;

const PastDueFactSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  unitId: z.string(),
  phaseKey: z.string(),
  title: z.string(),
  kind: ReportDutyFactSchema.shape.kind,
  dueAt: z.string(),
  round: z.number().int(),
});

const toFact = (item: Record<string, unknown>): DutyFact => {
  const d = ReportDutyFactSchema.parse(item);
  return {
    id: d.id,
    taskId: d.taskId,
    unitId: d.unitId,
    phaseKey: d.phaseKey,
    title: d.title,
    kind: d.kind,
    status: d.status,
    dueAt: d.dueAt,
    round: d.round,
    returns: d.returns,
    reviews: d.reviews,
    submittedAt: d.submission?.submittedAt ?? null,
    acceptedAt: d.acceptedAt,
    createdAt: d.createdAt,
    extensions: d.extensions,
    ...(d.roundStartedAt === undefined ? {} : { roundStartedAt: d.roundStartedAt }),
    ...(d.receipt == null ? {} : { receipt: d.receipt }),
  };
};

export function reportRepository(ref: TableRef): ReportRepository {
  const { doc, tableName } = ref;
  async function getSummary(id: string): Promise<ReportSummary | undefined> {
    const out = await doc.send(
      new GetCommand({ TableName: tableName, Key: reportHeadKey(id), ConsistentRead: true }),
    );
    return out.Item ? ReportSummarySchema.parse(out.Item) : undefined;
  }

  return {
    async *progressFacts(planId) {
      const attributes = [
        'unitId',
        'phaseKey',
        'status',
        'createdAt',
        'roundStartedAt',
        'dueAt',
        'progress',
        'milestones',
      ];
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_PARENT.name,
        KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :status)',
        ExpressionAttributeValues: { ':pk': planDutiesPk(planId), ':status': planDutiesSkPrefix('open') },
        ProjectionExpression: attributes.map((_, i) => `#p${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(attributes.map((a, i) => [`#p${i}`, a])),
        Limit: REPORT_PAGE_LIMIT,
      })) {
        yield items as ProgressFact[];
      }
    },

    async *dutyFacts(planId, status) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_PARENT.name,
        KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :status)',
        ExpressionAttributeValues: { ':pk': planDutiesPk(planId), ':status': planDutiesSkPrefix(status) },
        ProjectionExpression: DUTY_FACT_PROJECTION,
        ExpressionAttributeNames: DUTY_FACT_NAMES,
        Limit: REPORT_PAGE_LIMIT,
      })) {
        yield items.map(toFact);
      }
    },

    async *pastDueFacts(planId, upTo) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_OPEN_BY_DUE.name,
        // D4's sort key is <dueAt>#<dutyId>; '~' sorts after every id character.
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk <= :to',
        ExpressionAttributeValues: { ':pk': openDutiesPk(planId), ':to': `${upTo}#~` },
        ProjectionExpression: '#id, #task, #unit, #phase, #title, #kind, #due, #round',
        ExpressionAttributeNames: {
          '#id': 'id',
          '#task': 'taskId',
          '#unit': 'unitId',
          '#phase': 'phaseKey',
          '#title': 'title',
          '#kind': 'kind',
          '#due': 'dueAt',
          '#round': 'round',
        },
        Limit: REPORT_PAGE_LIMIT,
      })) {
        yield items.map((i) => PastDueFactSchema.parse(i));
      }
    },

    async *filedNotDueReports(planId, after) {
      for (const status of ['submitted', 'accepted'] as const) {
        const prefix = planDutiesSkPrefix(status);
        for await (const items of queryPages(doc, {
          TableName: tableName,
          IndexName: INDEX_BY_PARENT.name,
          // D3's sort key is STATUS#<status>#<dueAt>#<dutyId>: due after `after`, to the end of the status.
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
          FilterExpression: '#kind = :report',
          ExpressionAttributeValues: {
            ':pk': planDutiesPk(planId),
            ':from': `${prefix}${after}#~`,
            ':to': `${prefix}~`,
            ':report': 'report',
          },
          ProjectionExpression: '#unit',
          ExpressionAttributeNames: { '#unit': 'unitId', '#kind': 'kind' },
          Limit: REPORT_PAGE_LIMIT,
        })) {
          yield items.map((i) => ({ unitId: String(i.unitId) }));
        }
      }
    },

    async dutyFactsByIds(ids) {
      const items = await batchGet(ref, ids.map(dutyKey));
      return items.map(toFact);
    },

    async *noticeFacts(planId, upTo) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_PARENT.name,
        // N3's sort key is <planId>#<createdAt>#<noticeId>; '~' sorts after every id character.
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': ALL_NOTICES_PK,
          ':from': `${planId}#`,
          ':to': `${planId}#${upTo}#~`,
        },
        ProjectionExpression: '#unit, #level',
        ExpressionAttributeNames: { '#unit': 'unitId', '#level': 'level' },
        Limit: REPORT_PAGE_LIMIT,
      })) {
        yield items.map((i) => ReportNoticeFactSchema.parse(i));
      }
    },

    async *extensionFacts(planId, upTo) {
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_UNIT.name,
        // E3's sort key is <requestedAt>#<requestId>; '~' sorts after every id character.
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :to',
        ExpressionAttributeValues: { ':pk': planExtensionsPk(planId), ':to': `${upTo}#~` },
        ProjectionExpression: '#unit, #status, #requestedAt, #decidedAt, #dueAtWhenRequested',
        ExpressionAttributeNames: {
          '#dueAtWhenRequested': 'dueAtWhenRequested',
          '#unit': 'unitId',
          '#status': 'status',
          '#requestedAt': 'requestedAt',
          '#decidedAt': 'decidedAt',
        },
        Limit: REPORT_PAGE_LIMIT,
      })) {
        yield items.map((i) => ReportExtensionFactSchema.parse(i));
      }
    },

    async findingFacts(planId) {
      const facts: ReportFindingFact[] = [];
      for await (const items of queryPages(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': planKey(planId).pk, ':prefix': FINDING_SK_PREFIX },
      })) {
        for (const item of items) facts.push(ReportFindingFactSchema.parse(item));
      }
      return facts;
    },

    async create(summary, content, audit) {
      const head = {
        ...planReportsKeys(summary.planId, summary.asOf, summary.id),
        entity: 'Report',
        ...summary,
      };
      return putFrozen(ref, summary.id, head, content, audit);
    },

    getSummary,

    async get(id) {
      const found = await getFrozen(ref, id);
      if (found === undefined) return undefined;
      return {
        summary: ReportSummarySchema.parse(found.head),
        content: ReportContentSchema.parse(found.content),
      };
    },

    list(planId, page) {
      const pk = planReportsPk(planId);
      return parentPage(ref, pk, page, (i) => ReportSummarySchema.parse(i), { newestFirst: true });
    },
  };
}
