import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type ExtensionRequest, ExtensionRequestSchema } from '../schemas/extensions.js';
import type { AuditEvent } from './audit.js';
import type { TableRef } from './client.js';
import type { DutyRepository } from './duty-repository.js';
import {
  dutyKey,
  EXTENSION_SK_PREFIX,
  extensionKey,
  pendingExtensionKeys,
  pendingExtensionsPk,
  planExtensionKeys,
} from './keys.js';
import type { Page, PageRequest } from './pagination.js';
import { parentPage, queryAll } from './query.js';
import { INDEX_BY_PARENT } from './table.js';
import type { TransactItem } from './transact.js';
import { writeWithAudit } from './transact.js';

export interface ExtensionRepository {
  /**
   * Files a request and marks the duty as having one pending, together: a duty has at most one
   * pending request, and only while it is open, at the due time the unit saw.
   */
  create(request: ExtensionRequest, audit: AuditEvent): Promise<boolean>;
  get(dutyId: string, requestId: string): Promise<ExtensionRequest | undefined>;
  /** A duty's requests, oldest first. */
  list(dutyId: string): Promise<ExtensionRequest[]>;
  /** Pattern E2: the plan's requests still waiting for a decision, oldest first. */
  listPending(planId: string, page: PageRequest): Promise<Page<ExtensionRequest>>;
  /** Pattern E2 counted (Select COUNT): how many requests of the plan wait for a decision. */
  countPending(planId: string): Promise<number>;
  /** The request's decision, to go in the same transaction as the duty's change. */
  decisionOp(decided: ExtensionRequest): TransactItem;
  /** Refusal changes nothing on the duty but its pending mark. */
  refuse(decided: ExtensionRequest, audit: AuditEvent): Promise<boolean>;
}

export function extensionRepository(ref: TableRef, _duties: DutyRepository): ExtensionRepository {
  const { doc, tableName } = ref;
  // Only a pending request sits in the plan's pending index; the decision's Put leaves it.
  const item = (r: ExtensionRequest) => ({
    ...extensionKey(r.dutyId, r.id),
    // E3: every request stays in its plan's listing, decided or not (the report counts them).
    ...planExtensionKeys(r.planId, r.requestedAt, r.id),
    ...(r.status === 'pending' ? pendingExtensionKeys(r.planId, r.requestedAt, r.id) : {}),
    entity: 'ExtensionRequest',
    ...r,
  });

  const decisionOp = (decided: ExtensionRequest): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: item(decided),
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'pending' },
    },
  });

  return {
    async create(request, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Update: {
              TableName: tableName,
              Key: dutyKey(request.dutyId),
              UpdateExpression: 'SET pendingExtensionId = :id',
              ConditionExpression:
                '#status = :open AND dueAt = :due AND (attribute_not_exists(pendingExtensionId) OR pendingExtensionId = :none)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':id': request.id,
                ':open': 'open',
                ':due': request.dueAtWhenRequested,
                ':none': null,
              },
            },
          },
          {
            Put: {
              TableName: tableName,
              Item: item(request),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
        audit,
      );
    },

    async get(dutyId, requestId) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: extensionKey(dutyId, requestId), ConsistentRead: true }),
      );
      return out.Item ? ExtensionRequestSchema.parse(out.Item) : undefined;
    },

    async list(dutyId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': dutyKey(dutyId).pk, ':prefix': EXTENSION_SK_PREFIX },
        ConsistentRead: true,
      });
      return items.map((i) => ExtensionRequestSchema.parse(i));
    },

    listPending(planId, page) {
      const pk = pendingExtensionsPk(planId);
      return parentPage(ref, pk, page, (i) => ExtensionRequestSchema.parse(i));
    },

    async countPending(planId) {
      let count = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: INDEX_BY_PARENT.name,
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': pendingExtensionsPk(planId) },
            Select: 'COUNT',
            ExclusiveStartKey: start,
          }),
        );
        count += out.Count ?? 0;
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      return count;
    },

    decisionOp,

    async refuse(decided, audit) {
      return writeWithAudit(
        ref,
        [
          decisionOp(decided),
          {
            Update: {
              TableName: tableName,
              Key: dutyKey(decided.dutyId),
              UpdateExpression: 'SET pendingExtensionId = :none',
              ConditionExpression: 'pendingExtensionId = :id',
              ExpressionAttributeValues: { ':none': null, ':id': decided.id },
            },
          },
        ],
        audit,
      );
    },
  };
}
