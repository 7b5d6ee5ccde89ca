import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type FigureRecord, FigureSchema, type Indicator, IndicatorSchema } from '../schemas/indicators.js';
import type { AuditEvent } from './audit.js';
import type { TableRef } from './client.js';
import {
  figureHistoryKey,
  figureHistoryPk,
  figureKey,
  figuresPk,
  findingKey,
  INDICATOR_SK_PREFIX,
  indicatorKey,
  unitFiguresSkPrefix,
} from './keys.js';
import { queryAll, queryPages } from './query.js';
import { writeIfCondition } from './retry.js';
import { writeWithAudit } from './transact.js';

export interface IndicatorRepository {
  /** X1: one indicator of a plan. */
  get(planId: string, key: string): Promise<Indicator | undefined>;
  /** X1: a plan's indicators, by key. */
  list(planId: string): Promise<Indicator[]>;
  /**
   * Creates the indicator (`expectedVersion` undefined: only if absent) or replaces it (only if
   * still at that version); false when the condition failed (nothing written).
   */
  put(indicator: Indicator, expectedVersion: number | undefined, audit: AuditEvent): Promise<boolean>;
  /** X2: every figure of a plan's period, every source: O(units × indicators) items, in pages. */
  figuresOfPeriod(planId: string, period: string): AsyncGenerator<FigureRecord[]>;
  /** X2: one indicator's figures for one period, every unit and source. */
  figuresOfIndicator(planId: string, period: string, key: string): Promise<FigureRecord[]>;
  /** X2: one unit's figures for one indicator and period, every source (consistent read). */
  unitFigures(planId: string, period: string, key: string, unitId: string): Promise<FigureRecord[]>;
  /** X2: whether the unit has a figure (from any source) for one indicator and period (consistent read). */
  hasFigure(planId: string, period: string, key: string, unitId: string): Promise<boolean>;
  /**
   * Like `put`, for one source's figure. A correction passes `replaced` (the stored version it
   * replaces), kept under X3 in the same transaction so the table can be read as of a past cut-off.
   */
  putFigure(
    figure: FigureRecord,
    expectedVersion: number | undefined,
    audit: AuditEvent,
    replaced?: FigureRecord,
  ): Promise<boolean>;
  /** X3: every replaced version of a period's figures, in pages. */
  replacedFigures(planId: string, period: string): AsyncGenerator<FigureRecord[]>;
  /** One source's stored figure (consistent read): a correction's before, a 409's current version. */
  getFigure(
    f: Pick<FigureRecord, 'planId' | 'period' | 'key' | 'unitId' | 'source'>,
  ): Promise<FigureRecord | undefined>;
  /**
   * Marks a self-check finding as resolved (`at`: the sources agree) or open again (`null`), only
   * if it is not in that state already; false when it was (or the finding does not exist).
   */
  setFindingResolved(planId: string, findingId: string, at: string | null): Promise<boolean>;
  /** Whether a finding is stored, and resolved. */
  findingState(planId: string, findingId: string): Promise<'absent' | 'open' | 'resolved'>;
}

const parseFigure = (item: Record<string, unknown>) => FigureSchema.parse(item);

export function indicatorRepository(ref: TableRef): IndicatorRepository {
  const { doc, tableName } = ref;

  const versioned = (expected: number | undefined) =>
    expected === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expected } };

  return {
    async get(planId, key) {
      const out = await doc.send(new GetCommand({ TableName: tableName, Key: indicatorKey(planId, key) }));
      return out.Item ? IndicatorSchema.parse(out.Item) : undefined;
    },

    async list(planId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': indicatorKey(planId, '').pk, ':sk': INDICATOR_SK_PREFIX },
      });
      return items.map((i) => IndicatorSchema.parse(i));
    },

    put(indicator, expectedVersion, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: { ...indicatorKey(indicator.planId, indicator.key), entity: 'Indicator', ...indicator },
              ...versioned(expectedVersion),
            },
          },
        ],
        audit,
      );
    },

    async *figuresOfPeriod(planId, period) {
      for await (const page of queryPages(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': figuresPk(planId, period) },
      })) {
        yield page.map(parseFigure);
      }
    },

    async figuresOfIndicator(planId, period, key) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: { ':pk': figuresPk(planId, period), ':sk': `${key}#` },
      });
      return items.map(parseFigure);
    },

    async unitFigures(planId, period, key, unitId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
        ExpressionAttributeValues: {
          ':pk': figuresPk(planId, period),
          ':sk': unitFiguresSkPrefix(key, unitId),
        },
        ConsistentRead: true,
      });
      return items.map(parseFigure);
    },

    async hasFigure(planId, period, key, unitId) {
      const out = await doc.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: {
            ':pk': figuresPk(planId, period),
            ':sk': unitFiguresSkPrefix(key, unitId),
          },
          ProjectionExpression: 'pk',
          Limit: 1,
          ConsistentRead: true,
        }),
      );
      return (out.Items?.length ?? 0) > 0;
    },

    putFigure(figure, expectedVersion, audit, replaced) {
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: { ...figureKey(figure), entity: 'Figure', ...figure },
              ...versioned(expectedVersion),
            },
          },
          ...(replaced === undefined || replaced.version !== expectedVersion
            ? []
            : [
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...figureHistoryKey(replaced), entity: 'FigureVersion', ...replaced },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ]),
        ],
        audit,
      );
    },

    async *replacedFigures(planId, period) {
      for await (const page of queryPages(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': figureHistoryPk(planId, period) },
      })) {
        yield page.map(parseFigure);
      }
    },

    async getFigure(f) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: figureKey(f), ConsistentRead: true }),
      );
      return out.Item ? parseFigure(out.Item) : undefined;
    },

    async setFindingResolved(planId, findingId, at) {
      const input =
        at === null
          ? {
              UpdateExpression: 'REMOVE resolvedAt',
              ConditionExpression: 'attribute_exists(pk) AND attribute_exists(resolvedAt)',
            }
          : {
              UpdateExpression: 'SET resolvedAt = :at',
              ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(resolvedAt)',
              ExpressionAttributeValues: { ':at': at },
            };
      return writeIfCondition(() =>
        doc.send(new UpdateCommand({ TableName: tableName, Key: findingKey(planId, findingId), ...input })),
      );
    },

    async findingState(planId, findingId) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: findingKey(planId, findingId), ConsistentRead: true }),
      );
      if (out.Item === undefined) return 'absent';
      return typeof out.Item.resolvedAt === 'string' ? 'resolved' : 'open';
    },
  };
}
