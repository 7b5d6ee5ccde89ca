import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../errors.js';
import { type Unit, UnitSchema } from '../schemas/units.js';
import type { AuditEvent } from './audit.js';
import { batchGet } from './batch-get.js';
import type { TableRef } from './client.js';
import { isConditionFailure } from './errors.js';
import {
  UNIT_DIRECTORY_PK,
  unitBelowKeys,
  unitDirectoryKeys,
  unitKey,
  unitsBelowKeyedKey,
  unitsBelowPk,
} from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { parentPage, queryPages } from './query.js';
import { INDEX_BY_PARENT, INDEX_BY_UNIT } from './table.js';
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
  /** Pattern U3: the units directly below `parentId`, by id (every page: a township's few dozen). */
  below(parentId: string): Promise<Unit[]>;
  /**
   * Once: gives every unit stored before pattern U3 its keys (one walk of the directory, each a
   * conditional write) and every parent its `hasUnitsBelow`, then writes the marker; afterwards one
   * GetItem that finds the marker.
   * Answers how many units it re-keyed.
   */
  keyBelow(at: string): Promise<number>;
}

const unitBelowValues = (parentId: string, unitId: string) => ({
  ':pk': unitsBelowPk(parentId),
  ':sk': unitId,
});

/** Sets the parent's `hasUnitsBelow` (it exists: the service checked, and units are never deleted). */
const markParent = (tableName: string, parentId: string) => ({
  TableName: tableName,
  Key: unitKey(parentId),
  UpdateExpression: 'SET hasUnitsBelow = :true',
  ConditionExpression: 'attribute_exists(pk)',
  ExpressionAttributeValues: { ':true': true },
});

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
                Item: {
                  ...unitKey(unit.id),
                  ...unitDirectoryKeys(unit.id),
                  ...unitBelowKeys(unit.parentId, unit.id),
                  entity: 'Unit',
                  ...unit,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            // The parent says it has units below in the same transaction: the menu needs no read.
            ...(unit.parentId === null ? [] : [{ Update: markParent(tableName, unit.parentId) }]),
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

    async below(parentId) {
      const found: Unit[] = [];
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_UNIT.name,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': unitsBelowPk(parentId) },
      })) {
        found.push(...items.map(toUnit));
      }
      return found;
    },

    async keyBelow(at) {
      const marker = await doc.send(new GetCommand({ TableName: tableName, Key: unitsBelowKeyedKey }));
      if (marker.Item !== undefined) return 0;
      let rekeyed = 0;
      const parents = new Set<string>();
      for await (const items of queryPages(doc, {
        TableName: tableName,
        IndexName: INDEX_BY_PARENT.name,
        KeyConditionExpression: 'gsi2pk = :pk',
        ExpressionAttributeValues: { ':pk': UNIT_DIRECTORY_PK },
        ProjectionExpression: 'id, parentId, gsi1pk',
      })) {
        for (const item of items) {
          const parentId = typeof item.parentId === 'string' ? item.parentId : null;
          if (parentId === null) continue;
          parents.add(parentId);
          if (item.gsi1pk !== undefined) continue;
          try {
            await doc.send(
              new UpdateCommand({
                TableName: tableName,
                Key: unitKey(String(item.id)),
                UpdateExpression: 'SET gsi1pk = :pk, gsi1sk = :sk',
                ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi1pk)',
                ExpressionAttributeValues: unitBelowValues(parentId, String(item.id)),
              }),
            );
            rekeyed++;
          } catch (err) {
            if (!isConditionFailure(err)) throw err;
          }
        }
      }
      // Every parent says so (a handful of writes, once): a run cut short is finished by the next.
      for (const parentId of parents) {
        try {
          await doc.send(new UpdateCommand(markParent(tableName, parentId)));
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
        }
      }
      await doc.send(new PutCommand({ TableName: tableName, Item: { ...unitsBelowKeyedKey, at } }));
      return rekeyed;
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
