import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Instruction, InstructionSchema } from '../schemas/instructions.js';
import type { AuditEvent } from './audit.js';
import type { TableRef } from './client.js';
import { instructionKey, taskInstructionsPk, taskKey } from './keys.js';
import { queryAll } from './query.js';
import { writeWithAudit } from './transact.js';

/** 领导批示: a leader's (or the office's) instructions on a task or one of its duties (pattern B1). */
export interface InstructionRepository {
  /**
   * Writes the instruction with its audit event and counts it on its task, once: false when an
   * instruction with this id is already stored (a retry of the same press), nothing written.
   */
  create(instruction: Instruction, audit: AuditEvent): Promise<boolean>;
  get(taskId: string, id: string): Promise<Instruction | undefined>;
  /**
   * Pattern B1, oldest first: the task's instructions, and, with `dutyId`, only those about the
   * whole task or about that duty (one Query; instructions are few, the filter reads little more).
   */
  listForTask(taskId: string, dutyId?: string): Promise<Instruction[]>;
}

const parse = (item: Record<string, unknown>) => InstructionSchema.parse(item);

export function instructionRepository(ref: TableRef): InstructionRepository {
  const { doc, tableName } = ref;
  return {
    create(instruction, audit) {
      return writeWithAudit(
        ref,
        [
          {
            Put: {
              TableName: tableName,
              Item: {
                ...instructionKey(instruction.taskId, instruction.id),
                entity: 'Instruction',
                ...instruction,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            // The task counts its instructions, so a page of a task without any skips the Query.
            Update: {
              TableName: tableName,
              Key: taskKey(instruction.planId, instruction.taskId),
              UpdateExpression: 'ADD instructionCount :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
        audit,
      );
    },

    async get(taskId, id) {
      const out = await doc.send(
        new GetCommand({ TableName: tableName, Key: instructionKey(taskId, id), ConsistentRead: true }),
      );
      return out.Item ? parse(out.Item) : undefined;
    },

    async listForTask(taskId, dutyId) {
      const items = await queryAll(doc, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: {
          ':pk': taskInstructionsPk(taskId),
          ...(dutyId === undefined ? {} : { ':duty': dutyId, ':none': null }),
        },
        ...(dutyId === undefined ? {} : { FilterExpression: 'dutyId = :duty OR dutyId = :none' }),
      });
      // Ids may be fixed by a retry's key (not in time order): the entry time orders them.
      return items.map(parse).sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
    },
  };
}
