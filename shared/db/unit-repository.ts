import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../errors.js';
import { type Unit, UnitSchema } from '../schemas/units.js';
import type { AuditEvent } from './audit.js';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import { UNIT_DIRECTORY_PK, unitDirectoryKeys, unitKey } from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { parentPage } from './query.js';
import { type TransactItem, writeWithAudit } from './transact.js';

// Items are parsed on the way out: what the API returns is what the schema promises, keys stripped.
const toUnit = (item: Record<string, unknown>): Unit => UnitSchema.parse(item);

export interface UnitRepository {
  create(unit: Unit, audit: AuditEvent): Promise<void>;
  /** Marks an active unit inactive if it is still at `expectedVersion`; false if it moved on. */
  deactivate(unit: Unit, at: string, audit: AuditEvent): Promise<boolean>;
  /** Replaces the unit's aliases if it is still at `unit.version`; false if it moved on. */
  setAliases(unit: Unit, aliases: readonly string[], audit: AuditEvent): Promise<boolean>;
  get(id: string): Promise<Unit | undefined>;
  /** The units among `ids` that exist, keyed by id. */
  getMany(ids: readonly string[]): Promise<Map<string, Unit>>;
  list(page: PageRequest): Promise<Page<Unit>>;
  /**
   * A ConditionCheck, for a transaction, that the unit exists and is active: the write it goes
   * with cannot land after the unit was deactivated, and needs no read before it.
   */
  activeCheck(id: string): TransactItem;
}

export function unitRepository(ref: TableRef): UnitRepository {
  const { doc, tableName } = ref;
  return {
    async create(unit, audit) {
      if (
        !(await writeWithAudit(
          ref,
          [
            {
              Put: {
                TableName: tableName,
                Item: { ...unitKey(unit.id), ...unitDirectoryKeys(unit.id), entity: 'Unit', ...unit },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
          audit,
        ))
      ) {
        throw new ConflictError('unit_exists', `单位编号已存在:${unit.id}`, { id: unit.id });
      }
    },

    async deactivate(unit, at, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Update: {
              TableName: tableName,
              Key: unitKey(unit.id),
              UpdateExpression: 'SET active = :false, deactivatedAt = :at, #version = :next',
              ConditionExpression: 'active = :true AND #version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: {
                ':false': false,
                ':true': true,
                ':at': at,
                ':expected': unit.version,
                ':next': unit.version + 1,
              },
            },
          },
        ],
        audit,
      );
    },

    async setAliases(unit, aliases, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Update: {
              TableName: tableName,
              Key: unitKey(unit.id),
              UpdateExpression: 'SET aliases = :aliases, #version = :next',
              ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
              ExpressionAttributeNames: { '#version': 'version' },
              ExpressionAttributeValues: {
                ':aliases': aliases,
                ':expected': unit.version,
                ':next': unit.version + 1,
              },
            },
          },
        ],
        audit,
      );
    },

    async get(id) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: unitKey(id), ConsistentRead: true }),
      );
      return out.Item ? toUnit(out.Item) : undefined;
    },

    async getMany(ids) {
      const items = await batchGet(ref, ids.map(unitKey));
      return new Map(items.map((item) => [item.id as string, toUnit(item)]));
    },

    list(page) {
      return parentPage(ref, UNIT_DIRECTORY_PK, page, toUnit);
    },

    activeCheck(id) {
      return {
        ConditionCheck: {
          TableName: tableName,
          Key: unitKey(id),
          ConditionExpression: 'active = :true',
          ExpressionAttributeValues: { ':true': true },
        },
      };
    },
  };
}
